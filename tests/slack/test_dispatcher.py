"""The outbox dispatcher against the fake Slack: 429s per channel, retries, permanent errors, updates in place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.dispatch import dispatch_pending
from bot.notices import NoticeKind
from bot.pacing import Pacer
from handlers.blocks.slack import slack_renderers
from handlers.delivery import SlackNoticeSender
from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import COORDINATOR, local, text_of

TWO_CASES = organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2027-0200", channel="C0CASE200")])
START = local(2027, 5, 17, 10, 0)


def rows(bot, **where):
    with bot.services.uow_factory() as uow:
        return list(uow.outbox.list(**where))


def dispatch_at(bot, moment):
    """One dispatch pass at `moment` (no sweep: these tests are about delivering what is already queued)."""
    bot.at(moment)
    return bot.dispatch()


class HandMovedTime:
    """The dispatcher's monotonic clock and sleep: time moves only when the dispatcher sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class TimedSender:
    """The bot's own sender, noting the hand-moved time at which each message went."""

    def __init__(self, sender, time: HandMovedTime) -> None:
        self.sender, self.time = sender, time
        self.sent_at: list[float] = []

    def send(self, **message):
        self.sent_at.append(self.time.now)
        return self.sender.send(**message)


def test_a_429_holds_up_only_its_own_channel_and_its_retry_after_is_honoured(bot):
    bot.import_organisation(TWO_CASES)
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    bot.at(START)
    time = HandMovedTime()
    sender = TimedSender(bot.runtime.sender, time)
    report = dispatch_pending(
        uow_factory=bot.services.uow_factory,
        sender=sender,
        now=START,
        pacer=Pacer(),
        clock=bot.clock.now,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    first, second, retried = bot.fake.calls_to("chat.postMessage")
    assert (first.status, first.params["channel"]) == (429, "C0CASE142")
    assert (second.status, second.params["channel"]) == (200, "C0CASE200")
    assert (retried.status, retried.params["channel"]) == (200, "C0CASE142")
    first_at, second_at, retried_at = sender.sent_at
    assert second_at == first_at  # the other channel did not wait
    assert retried_at - first_at == pytest.approx(1.0) and time.slept == [pytest.approx(1.0)]  # Retry-After: 1
    assert len(report.sent) == 2 and report.rate_limited == 1 and report.retrying == []


def test_a_long_retry_after_leaves_the_message_for_a_later_pass(bot):
    bot.import_organisation()
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=30)
    report = dispatch_at(bot, START)
    assert report.sent == [] and len(report.retrying) == 1
    (row,) = rows(bot)
    assert row.status == "pending" and row.next_attempt_at == START + timedelta(seconds=30) and row.attempts == 0
    assert dispatch_at(bot, START + timedelta(seconds=29)).sent == []
    assert len(dispatch_at(bot, START + timedelta(seconds=30)).sent) == 1


def test_a_server_error_is_retried_with_growing_capped_backoff(bot):
    bot.import_organisation()
    bot.fake.fail_next("chat.postMessage", status=503, error="service_unavailable", times=3)
    moment = START
    waits = []
    for _ in range(3):
        assert dispatch_at(bot, moment).sent == []
        (row,) = rows(bot)
        waits.append((row.next_attempt_at - moment).total_seconds())
        moment = row.next_attempt_at
    assert waits == [2.0, 4.0, 8.0]
    assert len(dispatch_at(bot, moment).sent) == 1
    (row,) = rows(bot)
    assert row.status == "sent" and row.attempts == 4 and row.message_ts


def test_a_network_error_is_retried_later_not_lost(bot):
    bot.import_organisation()
    dead = SlackNoticeSender(
        WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/"), renderers=slack_renderers()
    )
    report = dispatch_pending(uow_factory=bot.services.uow_factory, sender=dead, now=START)
    assert report.sent == [] and len(report.retrying) == 1
    (row,) = rows(bot)
    assert row.status == "pending" and row.last_error.startswith("network")
    assert len(dispatch_at(bot, START + timedelta(seconds=2)).sent) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "user_not_found", "account_inactive"])
def test_a_permanent_error_fails_the_message_once_and_tells_the_admin(bot, error):
    bot.import_organisation(organisation_file(organisation={"admins": ["U0ADMIN"]}))
    bot.fake.fail_next("chat.postMessage", error=error)
    report = dispatch_at(bot, START)
    assert len(report.failed) == 1
    failed = rows(bot, status="failed")
    assert [(r.kind, r.last_error) for r in failed] == [("meeting_scheduled", error)]
    report = bot.dispatch()  # the admin's notice goes out on the next pass
    (told,) = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "U0ADMIN"]
    assert told.params["text"] == f"A message could not be delivered to C0CASE142 (case CP-2027-0142): {error}"
    assert "It will not be retried" in text_of(told.params)
    dispatch_at(bot, START + timedelta(hours=1))
    assert len([c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CASE142"]) == 1


def test_without_admins_the_coordinator_is_told_of_a_failed_message(bot):
    bot.import_organisation()
    bot.fake.fail_next("chat.postMessage", error="is_archived")
    dispatch_at(bot, START)
    bot.dispatch()
    (told,) = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == COORDINATOR]
    assert "is_archived" in told.params["text"]


def test_a_failed_report_to_the_admin_is_not_reported_again(bot):
    bot.import_organisation(organisation_file(organisation={"admins": ["U0ADMIN"]}))
    bot.fake.fail_next("chat.postMessage", error="channel_not_found")
    bot.fake.fail_next("chat.postMessage", error="account_inactive")
    dispatch_at(bot, START)
    bot.dispatch()
    bot.dispatch()
    assert sorted(r.kind for r in rows(bot, status="failed")) == ["delivery_failed", "meeting_scheduled"]
    assert rows(bot, status="pending") == []


def test_a_message_failing_for_a_day_is_given_up_and_reported(bot):
    bot.import_organisation()
    bot.fake.fail_next("chat.postMessage", status=500, times=20)
    dispatch_at(bot, START)
    report = dispatch_at(bot, START + timedelta(hours=24, minutes=1))
    assert len(report.failed) == 1
    (failed,) = rows(bot, status="failed")
    assert failed.last_error.startswith("gave up after 24 hours")
    assert [r.recipient for r in rows(bot, kind=NoticeKind.DELIVERY_FAILED)] == [COORDINATOR]


def test_an_update_changes_the_sent_message_in_place_with_chat_update(bot):
    bot.import_organisation()
    dispatch_at(bot, START)
    (sent,) = rows(bot, status="sent")
    with bot.services.uow_factory() as uow:
        uow.outbox.enqueue(
            key="update:1",
            kind=NoticeKind.MEETING_SCHEDULED,
            recipient="C0CASE142",
            now=START,
            payload={**sent.payload, "note": "Room 4"},
            replaces_key=sent.idempotency_key,
        )
        uow.commit()
    bot.dispatch()
    (update,) = bot.fake.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (sent.message_channel, sent.message_ts)
    assert "Room 4" in text_of(bot.fake.messages("C0CASE142")[-1])
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_an_update_of_a_message_withdrawn_before_it_went_is_posted_and_nobody_is_told_of_a_failure(bot):
    bot.import_organisation()
    dispatch_at(bot, START)
    (sent,) = rows(bot, status="sent")
    chase = "obligation:1:1:reminded.0:C0CASE142"
    with bot.services.uow_factory() as uow:
        uow.outbox.enqueue(
            key=chase, kind=sent.kind, recipient="C0CASE142", now=START, case_id=sent.case_id, payload=sent.payload
        )
        uow.commit()
    with bot.services.uow_factory() as uow:
        assert uow.obligations.withdraw_notices("obligation:1:", case_id=sent.case_id) == 1
        uow.outbox.enqueue(
            key=f"{chase}:done",
            kind=sent.kind,
            recipient="C0CASE142",
            now=START,
            case_id=sent.case_id,
            payload={**sent.payload, "note": "Room 4"},
            replaces_key=chase,
        )
        uow.commit()
    bot.dispatch()
    assert bot.fake.calls_to("chat.update") == []
    assert "Room 4" in text_of(bot.fake.messages("C0CASE142")[-1])
    assert rows(bot, status="failed") == []
    assert rows(bot, kind=NoticeKind.DELIVERY_FAILED) == []
