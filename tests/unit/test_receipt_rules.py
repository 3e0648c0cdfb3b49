"""The rules of plan copies and the CP9: deadlines by nation, reminder days, rolling, and the words for states."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from bot.cp9 import Cp9State, check_sent_on, clean_note, cp9_schedule, cp9_state
from bot.errors import InvalidInputError
from bot.obligations import ladder_for, rung_times
from bot.policy import load_policy
from bot.receipts import CopyState, check_plan_sent, copy_state, days_overdue, plan_schedule

LONDON = ZoneInfo("Europe/London")
SCOTLAND = WorkingCalendar(nation="scotland", closure_days=[date(2027, 12, 29)])
ENGLAND = WorkingCalendar(nation="england")
SOUTH_AYRSHIRE = load_policy("south-ayrshire")
ENGLISH = load_policy("england")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def chased(policy, kind: str, due_at: datetime, calendar: WorkingCalendar):
    """The reminders and the overdue time of the profile's ladder for `kind`, due at `due_at`."""
    times = rung_times(ladder_for(policy.obligations, kind), due_at, calendar)
    return times.remind_at, times.overdue_at


def plan_due(day: date, nation: str) -> date:
    calendar = WorkingCalendar(nation=nation)
    return plan_schedule(day, policy=load_policy(nation), calendar=calendar).due_on


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern-ireland"])
def test_a_meeting_on_tue_25_may_2027_has_its_plan_due_on_wed_2_june_in_every_nation(nation):
    assert plan_due(date(2027, 5, 25), nation) == date(2027, 6, 2)  # Spring bank holiday Mon 31 May


def test_a_friday_meeting_has_its_plan_due_a_week_later_in_england_and_on_monday_in_scotland():
    assert plan_due(date(2027, 7, 30), "england") == date(2027, 8, 6)
    assert plan_due(date(2027, 7, 30), "scotland") == date(2027, 8, 9)  # Scottish summer bank holiday Mon 2 Aug


def test_the_english_late_summer_bank_holiday_moves_the_plan_to_friday_but_not_in_scotland():
    assert plan_due(date(2027, 8, 26), "england") == date(2027, 9, 3)
    assert plan_due(date(2027, 8, 26), "scotland") == date(2027, 9, 2)


def test_the_deadline_is_the_end_of_the_day_and_the_chair_is_chased_at_nine_on_the_third_working_day():
    schedule = plan_schedule(date(2027, 7, 30), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND)
    assert schedule.due_at == local(2027, 8, 10, 0, 0) - timedelta(microseconds=1)
    chair = chased(SOUTH_AYRSHIRE, "plan_copy_sent", schedule.due_at, SCOTLAND)
    assert chair == ((local(2027, 8, 5, 9, 0),), local(2027, 8, 10, 9, 0))  # Tue 3 = 1, Wed 4 = 2, Thu 5 = 3
    recipients = chased(SOUTH_AYRSHIRE, "plan_copy_received", schedule.due_at, SCOTLAND)
    assert recipients == ((local(2027, 8, 5, 9, 0), local(2027, 8, 9, 9, 0)), local(2027, 8, 10, 9, 0))


def test_a_closure_day_is_not_a_working_day_for_the_plan():
    schedule = plan_schedule(date(2027, 12, 20), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND)
    assert schedule.due_on == date(2027, 12, 30)  # 25-28 Dec holidays and weekend, 29 Dec closed
    without = plan_schedule(date(2027, 12, 20), policy=SOUTH_AYRSHIRE, calendar=WorkingCalendar(nation="scotland"))
    assert without.due_on == date(2027, 12, 29)


def test_when_the_reminder_day_is_the_deadline_there_is_one_reminder():
    policy = load_policy("england", overrides={"obligations": {"plan_copy_received": {"remind": [0, 0], "overdue": 1}}})
    schedule = plan_schedule(date(2027, 7, 30), policy=policy, calendar=ENGLAND)
    assert chased(policy, "plan_copy_received", schedule.due_at, ENGLAND)[0] == (local(2027, 8, 6, 9, 0),)


def test_the_cp9_is_due_seven_calendar_days_after_the_meeting_and_chased_two_working_days_before():
    schedule = cp9_schedule(date(2027, 7, 30), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND)
    assert (schedule.form_name, schedule.nominal_due_on, schedule.due_on, schedule.rolled) == (
        "CP9",
        date(2027, 8, 6),
        date(2027, 8, 6),
        False,
    )
    assert chased(SOUTH_AYRSHIRE, "cp9_sent", schedule.due_at, SCOTLAND) == (
        (local(2027, 8, 4, 9, 0), local(2027, 8, 6, 9, 0)),
        local(2027, 8, 9, 9, 0),
    )


def test_a_cp9_due_on_a_sunday_rolls_back_to_friday_or_forward_to_monday_as_the_profile_says():
    back = cp9_schedule(date(2027, 8, 1), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND)  # a Sunday meeting
    assert (back.nominal_due_on, back.due_on, back.rolled) == (date(2027, 8, 8), date(2027, 8, 6), True)
    forward_policy = load_policy("south-ayrshire", overrides={"cp9": {"roll": "forward"}})
    forward = cp9_schedule(date(2027, 8, 1), policy=forward_policy, calendar=SCOTLAND)
    assert forward.due_on == date(2027, 8, 9)
    assert chased(forward_policy, "cp9_sent", forward.due_at, SCOTLAND)[0] == (
        local(2027, 8, 5, 9, 0),
        local(2027, 8, 9, 9, 0),
    )


def test_a_cp9_due_on_the_closure_day_rolls_back_past_the_christmas_holidays():
    schedule = cp9_schedule(date(2027, 12, 22), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND)
    assert (schedule.nominal_due_on, schedule.due_on) == (date(2027, 12, 29), date(2027, 12, 24))
    assert chased(SOUTH_AYRSHIRE, "cp9_sent", schedule.due_at, SCOTLAND) == (
        (local(2027, 12, 22, 9, 0), local(2027, 12, 24, 9, 0)),
        local(2027, 12, 30, 9, 0),
    )


def test_the_form_name_and_days_come_from_the_profile():
    policy = load_policy("england", overrides={"cp9": {"form_name": "Core group record", "days": 10}})
    schedule = cp9_schedule(date(2027, 7, 30), policy=policy, calendar=ENGLAND)
    assert (schedule.form_name, schedule.nominal_due_on, schedule.due_on) == (
        "Core group record",
        date(2027, 8, 9),
        date(2027, 8, 9),
    )


def test_a_copy_reads_as_received_sent_awaiting_not_sent_or_overdue():
    due = local(2027, 8, 10, 0, 0) - timedelta(microseconds=1)
    before, after = local(2027, 8, 9, 23, 59), local(2027, 8, 10, 0, 0)
    assert copy_state(has_slack=True, status="received", due_at=due, now=after) is CopyState.RECEIVED
    assert copy_state(has_slack=False, status="sent", due_at=due, now=after) is CopyState.SENT
    assert copy_state(has_slack=True, status="sent", due_at=due, now=before) is CopyState.AWAITING
    assert copy_state(has_slack=True, status="sent", due_at=due, now=after) is CopyState.OVERDUE
    assert copy_state(has_slack=False, status="pending", due_at=due, now=before) is CopyState.NOT_SENT
    assert copy_state(has_slack=False, status="pending", due_at=due, now=after) is CopyState.OVERDUE
    assert days_overdue(date(2027, 8, 9), today=date(2027, 8, 12)) == 3
    assert days_overdue(date(2027, 8, 9), today=date(2027, 8, 9)) == 0


def test_a_cp9_reads_as_received_sent_not_sent_or_overdue():
    due = local(2027, 8, 7, 0, 0) - timedelta(microseconds=1)
    assert cp9_state(status="received", due_at=due, now=local(2027, 8, 9, 9, 0)) is Cp9State.RECEIVED
    assert cp9_state(status="sent", due_at=due, now=local(2027, 8, 9, 9, 0)) is Cp9State.SENT
    assert cp9_state(status="pending", due_at=due, now=local(2027, 8, 6, 23, 0)) is Cp9State.NOT_SENT
    assert cp9_state(status="pending", due_at=due, now=local(2027, 8, 7, 0, 0)) is Cp9State.OVERDUE


def test_ticking_someone_without_slack_needs_how_and_a_day_between_the_meeting_and_today():
    common = {"held_on": date(2027, 7, 30), "today": date(2027, 8, 3)}
    assert check_plan_sent(labels=(), how=None, sent_on=None, slack_to_send=True, **common) == {}
    assert check_plan_sent(labels=(), how=None, sent_on=None, slack_to_send=False, **common) == {
        "labels": "Tick who you sent the plan to."
    }
    assert check_plan_sent(labels=(1,), how="post", sent_on=date(2027, 8, 3), slack_to_send=False, **common) == {}
    assert check_plan_sent(labels=(1,), how="fax", sent_on=date(2027, 7, 29), slack_to_send=False, **common) == {
        "how": "Say how you sent it: post, email or by hand.",
        "when": "That is before the meeting: choose the day you sent it.",
    }
    assert check_sent_on(date(2027, 8, 4), held_on=date(2027, 7, 30), today=date(2027, 8, 3)) == (
        "That day has not come yet: choose the day you sent it."
    )
    assert check_sent_on(date(2027, 7, 30), held_on=date(2027, 7, 30), today=date(2027, 8, 3)) is None


def test_the_chairs_note_for_the_coordinator_is_trimmed_and_kept_short():
    assert clean_note("  https://records.example.org/cp9/881  \n") == "https://records.example.org/cp9/881"
    assert clean_note("   ") is None
    with pytest.raises(InvalidInputError, match="under 300 characters"):
        clean_note("x" * 301)
