"""Meeting reminders end to end: `sweep(now)` at chosen moments, what the case channel and each member's DM get."""

from __future__ import annotations

import pytest

from tests.slack.meeting_steps import (
    CASE_CHANNEL,
    WITH_SLACK,
    local,
    open_modal,
    posts,
    record,
    save,
    schedule,
    text_of,
)


def reminders(bot, since: int = 0) -> dict[str, list[str]]:
    """Reminder texts by where they went (the case channel or a person's DM)."""
    found: dict[str, list[str]] = {}
    for call in bot.fake.calls_to("chat.postMessage", since=since):
        if call.ok and call.params.get("text", "").startswith("Reminder:"):
            found.setdefault(call.params["channel"], []).append(call.params["text"])
    return found


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()  # first meeting Mon 24 May 2027, 10:00 BST
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def test_two_working_days_before_at_nine_the_channel_and_everyone_with_slack_are_reminded(case_bot):
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 20, 8, 59))
    assert reminders(case_bot, mark) == {}
    case_bot.sweep(local(2027, 5, 20, 9, 0))  # Thu 20 May, 09:00 BST
    sent = reminders(case_bot, mark)
    assert set(sent) == {CASE_CHANNEL, *WITH_SLACK}  # never Mother or Father, who have no Slack
    assert sent[CASE_CHANNEL] == [
        "Reminder: first core group meeting for CP-2027-0142 in 2 working days — Mon 24 May 2027, 10:00 (in person)"
    ]
    assert all(len(texts) == 1 for texts in sent.values())
    dm = case_bot.fake.messages("U0HV")[-1]
    assert "Case channel: <#C0CASE142>" in text_of(dm)


def test_on_the_day_the_reminder_comes_at_nine(case_bot):
    case_bot.sweep(local(2027, 5, 20, 9, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 24, 9, 0))
    assert reminders(case_bot, mark)[CASE_CHANNEL] == [
        "Reminder: first core group meeting for CP-2027-0142 today — Mon 24 May 2027, 10:00 (in person)"
    ]


def test_sweeping_again_sends_no_reminder_twice(case_bot):
    case_bot.sweep(local(2027, 5, 20, 9, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 20, 9, 1))
    case_bot.sweep(local(2027, 5, 21, 9, 0))
    assert reminders(case_bot, mark) == {}
    assert len(posts(case_bot, CASE_CHANNEL, kind="Reminder:")) == 1


def test_a_cancelled_meeting_gets_no_reminder(case_bot):
    view = open_modal(case_bot, "schedule")
    save(case_bot, view, {"meeting.change": "cancel", "meeting.reason": "Case transferred"})
    mark = case_bot.fake.mark()
    for moment in (local(2027, 5, 20, 9, 0), local(2027, 5, 24, 9, 0)):
        case_bot.sweep(moment)
    assert reminders(case_bot, mark) == {}


def test_a_moved_meeting_is_reminded_for_its_new_time_only(case_bot):
    view = open_modal(case_bot, "schedule")
    save(case_bot, view, {"meeting.date": "2027-06-01", "meeting.time": "14:00", "meeting.reason": "Room unavailable"})
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 20, 9, 0))  # the old time's reminder: gone
    assert reminders(case_bot, mark) == {}
    # Tue 1 June: Mon 31 May is Scotland's spring bank holiday, so two working days before is Thu 27 May.
    case_bot.sweep(local(2027, 5, 27, 9, 0))
    assert reminders(case_bot, mark)[CASE_CHANNEL] == [
        "Reminder: first core group meeting for CP-2027-0142 in 2 working days — Tue 1 Jun 2027, 14:00 (in person)"
    ]


def test_reminders_follow_the_clocks_going_back(case_bot):
    # A meeting on Tue 2 Nov 2027 (GMT); two working days before is Fri 29 Oct, still BST.
    schedule(case_bot, {"meeting.date": "2027-11-02", "meeting.time": "10:00"}, at=local(2027, 10, 20, 12, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 10, 29, 8, 59))
    assert reminders(case_bot, mark) == {}
    case_bot.sweep(local(2027, 10, 29, 9, 0))  # 08:00 UTC
    assert "in 2 working days — Tue 2 Nov 2027, 10:00" in reminders(case_bot, mark)[CASE_CHANNEL][0]
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 11, 2, 8, 59))
    assert reminders(case_bot, mark) == {}
    case_bot.sweep(local(2027, 11, 2, 9, 0))  # 09:00 UTC
    assert "today — Tue 2 Nov 2027, 10:00" in reminders(case_bot, mark)[CASE_CHANNEL][0]


def test_christmas_bank_holidays_and_the_closure_day_move_the_reminder_back_a_week(case_bot):
    # Thu 30 Dec 2027: 29 Dec closure day, 27-28 Dec bank holidays, weekend: two working days before is Thu 23 Dec.
    schedule(case_bot, {"meeting.date": "2027-12-30", "meeting.time": "10:00"}, at=local(2027, 12, 1, 12, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 12, 22, 9, 0))
    assert reminders(case_bot, mark) == {}
    case_bot.sweep(local(2027, 12, 23, 9, 0))
    assert "in 2 working days — Thu 30 Dec 2027, 10:00" in reminders(case_bot, mark)[CASE_CHANNEL][0]
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 12, 29, 9, 0))  # the closure day: nothing
    assert reminders(case_bot, mark) == {}


def test_a_saturday_meetings_on_the_day_reminder_comes_on_friday(case_bot):
    schedule(case_bot, {"meeting.meeting": "new", "meeting.date": "2027-06-05", "meeting.time": "11:00"})
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 3, 9, 0))  # Thu 3 June
    case_bot.sweep(local(2027, 6, 4, 9, 0))  # Fri 4 June
    assert reminders(case_bot, mark)[CASE_CHANNEL] == [
        "Reminder: core group meeting for CP-2027-0142 in 2 working days — Sat 5 Jun 2027, 11:00 (in person)",
        "Reminder: core group meeting for CP-2027-0142 today — Sat 5 Jun 2027, 11:00 (in person)",
    ]


def test_a_sweep_that_comes_late_sends_only_the_latest_reminder(case_bot):
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 24, 9, 5))  # nothing ran since the 17th: the 2-day reminder is stale
    assert reminders(case_bot, mark)[CASE_CHANNEL] == [
        "Reminder: first core group meeting for CP-2027-0142 today — Mon 24 May 2027, 10:00 (in person)"
    ]
    assert reminder_statuses(case_bot) == ["skipped", "sent"]


def test_a_bot_that_was_down_skips_reminders_for_meetings_that_have_started(case_bot):
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 24, 10, 30))  # no sweep since the 17th; the meeting began at 10:00
    assert reminders(case_bot, mark) == {}
    assert reminder_statuses(case_bot) == ["skipped", "skipped"]


def test_recording_a_meeting_ends_its_reminders(case_bot):
    # The bot was down all morning; the chair records the 10:00 meeting before any sweep ran.
    record(case_bot, at=local(2027, 5, 24, 10, 30))
    assert reminder_statuses(case_bot) == ["cancelled", "cancelled"]
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 5, 24, 10, 35))
    assert reminders(case_bot, mark) == {}


def reminder_statuses(bot) -> list[str]:
    from sqlalchemy import select

    from store.models import MeetingReminder

    with bot.services.uow_factory() as uow:
        return [r.status for r in uow.session.scalars(select(MeetingReminder).order_by(MeetingReminder.due_at))]
