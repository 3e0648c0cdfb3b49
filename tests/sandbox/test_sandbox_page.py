"""The sandbox page's JSON API over plain HTTP: who sees what, the clock control, and the demo organisation.

Each sandbox starts on Tuesday 8 June 2027, 08:30 in London (07:30 UTC), after its history has been
replayed: the first meeting of CP-DEMO-0001 is on Wednesday 9 June at 10:00, CP-DEMO-0002's first
meeting (Friday 28 May) was recorded and its CP9 is overdue since Friday 4 June, and the teacher's
request in CP-DEMO-0003 waits for the team leader since Monday 7 June, 15:00.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from sandbox.demo import Sandbox

START = datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc)
CHAIR, TEAM_LEADER, COORDINATOR = "U0SAM", "U0ALEX", "U0JO"
HEALTH_VISITOR, TEACHER = "U0PRIYA", "U0TOM"
FIRST_CHANNEL, RECORDED_CHANNEL, REQUEST_CHANNEL = "C0DEMO0001", "C0DEMO0002", "C0DEMO0003"

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def shared():
    """One sandbox for the tests that only look."""
    with Sandbox(start=START, ticking=False) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox():
    """A sandbox of its own, for tests that change things."""
    with Sandbox(start=START, ticking=False) as running:
        yield running


def get(sandbox: Sandbox, path: str) -> tuple[int, bytes, str]:
    try:
        with _opener.open(sandbox.url.rstrip("/") + path, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def state(sandbox: Sandbox, user: str, conversation: str = "") -> dict:
    status, body, _ = get(sandbox, f"/sandbox/state?user={user}&conversation={conversation}")
    assert status == 200, body
    return json.loads(body)


def post(sandbox: Sandbox, what: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        sandbox.url + f"sandbox/{what}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def texts(sandbox: Sandbox, user: str, conversation: str) -> list[str]:
    return [m["text"] for m in state(sandbox, user, conversation)["conversation"]["messages"]]


def eventually(check, timeout: float = 8.0, sandbox: Sandbox | None = None):
    """Wait for what the bot does after its ack, dispatching the outbox as the ticker would."""
    deadline = time.monotonic() + timeout
    while True:
        if sandbox is not None:
            sandbox.tick()
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


# ---------------------------------------------------------------------- the page


def test_the_page_is_served_with_its_script_and_styles(shared):
    status, body, content_type = get(shared, "/")
    assert status == 200 and content_type.startswith("text/html")
    assert b'<script src="/static/app.js">' in body and b"/static/app.css" in body
    for name, kind in (("app.js", "text/javascript"), ("blockkit.js", "text/javascript"), ("app.css", "text/css")):
        status, _, content_type = get(shared, f"/static/{name}")
        assert status == 200 and content_type.startswith(kind)


def test_files_outside_the_static_folder_are_never_served(shared):
    assert get(shared, "/static/../demo.py")[0] == 404
    assert get(shared, "/static/%2e%2e/demo.py")[0] == 404


def test_a_post_that_is_not_json_is_refused_so_other_web_sites_cannot_act_here(shared):
    request = urllib.request.Request(
        shared.url + "sandbox/clock", data=b'{"step": "day"}', method="POST", headers={"Content-Type": "text/plain"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        _opener.open(request, timeout=10)
    assert refused.value.code == 415
    assert state(shared, CHAIR)["time"]["date"] == "Tuesday 8 June 2027"


# ---------------------------------------------------------------------- who sees what


def test_each_person_is_shown_by_a_role_label(shared):
    labels = [p["label"] for p in state(shared, TEACHER)["people"]]
    assert labels == [
        "Sam (chair)",
        "Alex (team leader)",
        "Jo (coordinator)",
        "Priya (health visitor)",
        "Tom (teacher)",
        "Kit (police)",
    ]


def test_choosing_a_person_shows_their_case_channels_and_only_their_own_dm(shared):
    teacher = [c["name"] for c in state(shared, TEACHER)["conversations"]]
    coordinator = [(c["id"], c["name"]) for c in state(shared, COORDINATOR)["conversations"]]

    assert teacher == ["#cp-demo-0001", "#cp-demo-0003", "coregroup"]
    assert coordinator == [
        (FIRST_CHANNEL, "#cp-demo-0001"),
        (RECORDED_CHANNEL, "#cp-demo-0002"),
        (REQUEST_CHANNEL, "#cp-demo-0003"),
        ("D0JO", "coregroup"),
    ]


def test_someone_elses_dm_is_refused(shared):
    status, body, _ = get(shared, f"/sandbox/state?user={TEACHER}&conversation=D0ALEX")
    assert status == 403
    assert "not one of yours" in json.loads(body)["error"]


def test_a_channel_the_person_is_not_in_is_refused(shared):
    assert get(shared, f"/sandbox/state?user={TEACHER}&conversation={RECORDED_CHANNEL}")[0] == 403


def test_the_sandbox_time_is_shown_in_the_organisations_zone(shared):
    shown = state(shared, TEACHER)["time"]
    assert (shown["date"], shown["zone"]) == ("Tuesday 8 June 2027", "Europe/London")
    assert shown["clock"] in ("08:30", "08:31")


# ---------------------------------------------------------------------- the demo organisation


def test_the_demo_starts_with_a_meeting_tomorrow_in_the_first_case_channel(shared):
    assert any("CP-DEMO-0001" in t and "Wed 9 Jun 2027, 10:00" in t for t in texts(shared, CHAIR, FIRST_CHANNEL))


def test_the_demo_starts_with_a_request_waiting_for_the_team_leader(shared):
    decision = [
        m for m in state(shared, TEAM_LEADER, "D0ALEX")["conversation"]["messages"] if "CP-DEMO-0003" in m["text"]
    ]
    buttons = [
        e["text"]["text"] for m in decision for b in m["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Approve", "Refuse"]


def test_the_demo_starts_with_the_second_cases_first_meeting_recorded(shared):
    assert any("recorded" in t.lower() for t in texts(shared, CHAIR, RECORDED_CHANNEL))


def test_the_demo_starts_with_the_second_cases_cp9_overdue(sandbox):
    post(sandbox, "command", {"user": COORDINATOR, "channel": RECORDED_CHANNEL, "text": "/core-group status"})

    def status() -> str:
        return next((t for t in texts(sandbox, COORDINATOR, RECORDED_CHANNEL) if "Core group status" in t), "")

    assert eventually(status)
    [shown] = [m for m in state(sandbox, COORDINATOR, RECORDED_CHANNEL)["conversation"]["messages"] if m["ephemeral"]]
    sections = [b["text"]["text"] for b in shown["blocks"] if b["type"] == "section"]
    cp9 = [t for t in sections if t.startswith("*CP9*")]
    assert cp9 == ["*CP9* — meeting on Fri 28 May 2027, due by Fri 4 Jun 2027: *overdue* — not sent, 4 days late"]
    [owed] = [t for t in sections if t.startswith("*What the case owes*")]
    assert "• The CP9 sent to the coordinator — <@U0SAM> (chair) — due Fri 4 Jun 2027 — *overdue*" in owed


def test_the_page_says_what_was_seeded(shared):
    notes = state(shared, CHAIR)["notes"]
    assert [n.split(":")[0] for n in notes] == ["Seeded"] * 4
    assert "CP9 is overdue" in notes[3]


# ---------------------------------------------------------------------- acting


def test_a_slash_command_typed_in_the_page_is_answered_only_to_the_person_who_typed_it(sandbox):
    status, answer = post(sandbox, "command", {"user": TEACHER, "channel": FIRST_CHANNEL, "text": "/core-group status"})

    assert (status, answer) == (200, {"ok": True})
    assert eventually(lambda: "Core group status for CP-DEMO-0001" in texts(sandbox, TEACHER, FIRST_CHANNEL))
    assert "Core group status for CP-DEMO-0001" not in texts(sandbox, HEALTH_VISITOR, FIRST_CHANNEL)


def test_a_command_in_someone_elses_channel_is_refused(sandbox):
    status, answer = post(
        sandbox, "command", {"user": TEACHER, "channel": RECORDED_CHANNEL, "text": "/core-group status"}
    )
    assert status == 400 and "not a member" in answer["error"]


def test_a_modal_the_bot_opens_is_shown_to_that_person_and_closing_it_closes_it(sandbox):
    post(sandbox, "command", {"user": TEACHER, "channel": FIRST_CHANNEL, "text": "/request-core-group"})

    modal = eventually(lambda: state(sandbox, TEACHER)["modal"])
    assert modal["type"] == "modal" and modal["submit"]["text"]
    assert state(sandbox, HEALTH_VISITOR)["modal"] is None
    post(sandbox, "close", {"user": TEACHER, "view_id": modal["id"]})
    assert state(sandbox, TEACHER)["modal"] is None


def test_an_empty_submission_shows_the_bots_errors_under_the_fields(sandbox):
    post(sandbox, "command", {"user": TEACHER, "channel": FIRST_CHANNEL, "text": "/request-core-group"})
    modal = eventually(lambda: state(sandbox, TEACHER)["modal"])

    status, answer = post(sandbox, "submit", {"user": TEACHER, "view_id": modal["id"], "form": {}})

    assert status == 200 and answer["errors"]
    assert state(sandbox, TEACHER)["modal"]["errors"] == answer["errors"]


# ---------------------------------------------------------------------- the clock


def test_moving_the_clock_a_day_on_reminds_the_team_leader_of_the_waiting_request(sandbox):
    before = len(texts(sandbox, TEAM_LEADER, "D0ALEX"))

    status, answer = post(sandbox, "clock", {"step": "day"})

    assert status == 200 and answer["time"]["date"] == "Wednesday 9 June 2027"
    assert answer["enqueued"] >= 1
    after = texts(sandbox, TEAM_LEADER, "D0ALEX")
    assert len(after) > before and "CP-DEMO-0003" in after[-1]


def test_next_0900_moves_to_nine_in_the_morning_in_london_today_then_tomorrow(sandbox):
    first = post(sandbox, "clock", {"step": "next-0900"})[1]["time"]
    second = post(sandbox, "clock", {"step": "next-0900"})[1]["time"]

    assert (first["date"], first["clock"], first["iso"]) == (
        "Tuesday 8 June 2027",
        "09:00",
        "2027-06-08T08:00:00+00:00",
    )
    assert (second["date"], second["clock"]) == ("Wednesday 9 June 2027", "09:00")


def test_the_clock_moves_to_a_chosen_local_time(sandbox):
    status, answer = post(sandbox, "clock", {"step": "to", "to": "2027-06-14T13:45"})
    assert status == 200 and (answer["time"]["date"], answer["time"]["clock"]) == ("Monday 14 June 2027", "13:45")
    assert answer["time"]["iso"] == "2027-06-14T12:45:00+00:00"


def test_the_clock_never_moves_back(sandbox):
    status, answer = post(sandbox, "clock", {"step": "to", "to": "2027-06-01T09:00"})
    assert status == 400 and "only moves forward" in answer["error"]
    assert state(sandbox, CHAIR)["time"]["date"] == "Tuesday 8 June 2027"
