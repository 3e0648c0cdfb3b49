"""A dispatcher killed (SIGKILL) in the middle of a batch loses nothing and repeats at most one message.

`coregroup sweep --now` runs in its own process against the fake Slack; the test kills it once the fake has
taken part of the batch, restarts it after the dead process's claims have expired, and counts what Slack got.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

from bot.notices import NoticeKind

MESSAGES = 400
QUEUED = datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)


def coregroup_sweep(bot, now: str) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL")) and "proxy" not in k.lower()
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=bot.fake.api_url,
        DATABASE_URL=bot.engine.url.render_as_string(hide_password=False),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sweep", "--now", now],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def queue_messages(bot) -> None:
    with bot.services.uow_factory() as uow:
        for i in range(MESSAGES):
            uow.outbox.enqueue(
                key=f"crash-test:{i}",
                kind=NoticeKind.MEETING_SCHEDULED,
                recipient=f"C0X{i:04d}",
                now=QUEUED,
                payload={
                    "reference": f"CP-CRASH-{i:04d}",
                    "kind": "regular",
                    "starts_at": "2027-06-01T09:00:00+00:00",
                    "timezone": "Europe/London",
                    "mode": "online",
                    "note": None,
                    "scheduled_by": None,
                },
            )
        uow.commit()


def delivered(bot) -> Counter:
    """How many times Slack accepted each message (by its case reference)."""
    return Counter(
        c.params["text"].split(" for ")[1].split(" ")[0] for c in bot.fake.calls_to("chat.postMessage") if c.ok
    )


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_repeats_at_most_one_message(bot):
    queue_messages(bot)
    first = coregroup_sweep(bot, "2027-05-17T09:00Z")
    try:
        bot.fake.wait_for("chat.postMessage", count=MESSAGES // 3, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    got_before_restart = sum(delivered(bot).values())
    assert got_before_restart < MESSAGES  # killed in the middle of the batch
    with bot.services.uow_factory() as uow:
        assert len(uow.outbox.list(status="pending")) > 0

    # Two minutes on: the dead process's claims (60 s) have run out.
    second = coregroup_sweep(bot, "2027-05-17T09:02Z")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err[-2000:]

    counts = delivered(bot)
    lost = [f"CP-CRASH-{i:04d}" for i in range(MESSAGES) if counts[f"CP-CRASH-{i:04d}"] == 0]
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    assert lost == [] and duplicated <= 1
    with bot.services.uow_factory() as uow:
        assert {m.status for m in uow.outbox.list()} == {"sent"}
    assert f"sent {NoticeKind.MEETING_SCHEDULED} to C0X" in out
