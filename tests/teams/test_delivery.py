"""Notices delivered to Teams by the outbox dispatcher, through the fake Bot Connector."""

from __future__ import annotations

from bot.dispatch import Delivery
from bot.notices import NoticeKind
from tests.teams.conftest import ADMIN, CHAIR, CHANNEL, COORDINATOR, MEMBER, TEAM, teams_organisation_file

REMINDER = {
    "reference": "CP-2027-0142",
    "starts_at": "2027-05-24T09:00:00+00:00",
    "timezone": "Europe/London",
    "working_days_before": 2,
    "mode": "in_person",
}


def _enqueue(teams_bot, recipient: str, *, key: str = "notice-1") -> None:
    with teams_bot.services.uow_factory() as uow:
        uow.outbox.enqueue(
            key=key,
            kind=NoticeKind.MEETING_REMINDER,
            recipient=recipient,
            now=teams_bot.clock.now(),
            payload=REMINDER,
            platform="teams",  # no case here, so the row says where it goes
        )
        uow.commit()


def _sent_row(teams_bot, key: str):
    with teams_bot.services.uow_factory() as uow:
        row = uow.outbox.get_by_key(key)
        return row.status, row.message_channel, row.message_ts, row.last_error


def test_a_notice_to_a_person_opens_their_1to1_chat_once_and_reuses_it(teams_bot):
    teams_bot.post(teams_bot.activities.channel_mention(MEMBER, "hello", team_id=TEAM, channel_id=CHANNEL))
    teams_bot.fake.calls.clear()
    _enqueue(teams_bot, MEMBER[1], key="first")
    _enqueue(teams_bot, MEMBER[1], key="second")

    report = teams_bot.dispatch()

    assert sorted(report.sent) == ["first", "second"]
    [created] = teams_bot.fake.conversations_created()
    assert created.body["members"] == [{"id": MEMBER[0]}] and created.body["tenantId"]
    assert [c.conversation for c in teams_bot.fake.sent()] == ["a:1to1-hv", "a:1to1-hv"]
    reminder = teams_bot.fake.sent()[0].body
    assert reminder["attachments"][0]["content"]["fallbackText"] == (
        "Reminder: core group meeting for CP-2027-0142 in 2 working days \u2014 Mon 24 May 2027, 10:00 (in person)"
    )
    assert _sent_row(teams_bot, "first")[:2] == ("sent", "a:1to1-hv")


def test_a_notice_to_a_person_in_their_existing_1to1_chat_creates_no_conversation(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    _enqueue(teams_bot, MEMBER[1])

    teams_bot.dispatch()

    assert teams_bot.fake.conversations_created() == []
    assert [c.conversation for c in teams_bot.fake.sent()] == ["a:personal-hv"]


def test_a_notice_to_the_case_channel_goes_to_the_channel_the_app_was_installed_in(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(CHAIR, team_id=TEAM, channel_id=CHANNEL))
    _enqueue(teams_bot, CHANNEL)

    teams_bot.dispatch()

    assert [c.conversation for c in teams_bot.fake.sent()] == [CHANNEL]


def test_an_update_replaces_the_card_in_place(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))

    delivery = teams_bot.runtime.teams.sender.send(
        kind=NoticeKind.DELIVERY_FAILED,
        recipient=MEMBER[1],
        payload={"kind": "plan_copy", "recipient": MEMBER[1], "error": "one"},
        replaces=None,
    )
    again = teams_bot.runtime.teams.sender.send(
        kind=NoticeKind.DELIVERY_FAILED,
        recipient=MEMBER[1],
        payload={"kind": "plan_copy", "recipient": MEMBER[1], "error": "two"},
        replaces=delivery,
    )

    assert again == Delivery(channel="a:personal-hv", ts=delivery.ts)
    [update] = teams_bot.fake.updates()
    assert update.path == f"/v3/conversations/a:personal-hv/activities/{delivery.ts}"
    assert "two" in update.text


def test_a_429_is_retried_after_the_time_teams_asks_for(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    teams_bot.fake.fail_next("POST", "/activities", 429, {"error": {"code": "TooManyRequests"}}, Retry_After="30")
    _enqueue(teams_bot, MEMBER[1])

    report = teams_bot.dispatch()

    assert report.rate_limited == 1 and report.sent == []
    status, _, _, error = _sent_row(teams_bot, "notice-1")
    assert status == "pending" and "30" in error


def test_a_502_is_retried_later_and_nothing_is_lost(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    teams_bot.fake.fail_next("POST", "/activities", 502)
    _enqueue(teams_bot, MEMBER[1])

    report = teams_bot.dispatch()

    assert report.retrying == ["notice-1"] and report.failed == []
    assert _sent_row(teams_bot, "notice-1")[0] == "pending"


def test_a_blocked_user_marks_the_chat_inactive_and_the_admins_are_told_in_teams(teams_bot):
    teams_bot.import_organisation({**teams_organisation_file(), "cases": []})
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    teams_bot.post(teams_bot.activities.installation_update(ADMIN))
    teams_bot.fake.block_writes_next("a:personal-hv")
    _enqueue(teams_bot, MEMBER[1])

    first = teams_bot.dispatch()
    teams_bot.dispatch()

    assert first.failed == ["notice-1"]
    assert ("a:personal-hv", "personal", "inactive", MEMBER[1]) in teams_bot.refs()
    told = [c.text for c in teams_bot.fake.sent() if c.conversation == "a:personal-admin"]
    assert any("MessageWritesBlocked" in text and "blocked the app" in text for text in told)


def test_a_later_notice_to_a_blocked_user_fails_at_once_without_calling_teams(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    teams_bot.fake.block_writes_next()
    _enqueue(teams_bot, MEMBER[1], key="first")
    teams_bot.dispatch()
    calls = len(teams_bot.fake.sent())
    _enqueue(teams_bot, MEMBER[1], key="second")

    teams_bot.dispatch()

    assert _sent_row(teams_bot, "second")[3] == "conversation_inactive"
    assert len(teams_bot.fake.sent()) == calls


def test_a_person_teams_has_never_introduced_is_reported_as_not_reachable(teams_bot):
    _enqueue(teams_bot, COORDINATOR[1])

    report = teams_bot.dispatch()

    assert report.failed == ["notice-1"]
    assert _sent_row(teams_bot, "notice-1")[3] == "user_not_reachable"
    assert teams_bot.fake.sent() == []
