"""`coregroup sweep --now`: one sweep and one dispatch pass as if at that moment, printing what it sent."""

from __future__ import annotations

import re

import pytest

from tests.harness import organisation_file, write_organisation_file
from tests.test_cli import coregroup, url_of


@pytest.fixture
def imported(engine, tmp_path, fake_slack):
    path = write_organisation_file(tmp_path / "org.yml", organisation_file())
    assert coregroup("cases", "import", path, database_url=url_of(engine)).returncode == 0
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.api_url}


def sweep_at(engine, env, moment: str):
    result = coregroup("sweep", "--now", moment, database_url=url_of(engine), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_sweep_now_replays_a_morning_and_prints_each_message_it_sent(engine, imported, fake_slack):
    first = sweep_at(engine, imported, "2027-05-17T07:00Z")  # 08:00 BST: only the import's announcement is waiting
    assert "Sweep at 2027-05-17T07:00+00:00: 0 notices enqueued." in first
    assert re.search(r"sent meeting_scheduled to C0CASE142 \(ts \d+\.\d+\)", first)

    # Thu 20 May 2027, 09:00 BST: two working days before the first meeting (other features may send too).
    morning = sweep_at(engine, imported, "2027-05-20T08:00Z")
    assert int(re.search(r"Sweep at 2027-05-20T08:00\+00:00: (\d+) notices enqueued.", morning).group(1)) >= 6
    sent_to = re.findall(r"sent meeting_reminder to (\w+)", morning)
    assert sorted(sent_to) == sorted(["C0CASE142", "U0CHAIR", "U0TL", "U0HV", "U0TEACH", "U0POL"])
    reminders = [
        c.params["text"] for c in fake_slack.calls_to("chat.postMessage") if c.params["channel"] == "C0CASE142"
    ]
    assert reminders[-1].startswith("Reminder: first core group meeting for CP-2027-0142 in 2 working days")

    again = sweep_at(engine, imported, "2027-05-20T08:01Z")
    assert "0 notices enqueued" in again and "sent " not in again
