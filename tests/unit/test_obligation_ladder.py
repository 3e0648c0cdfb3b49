"""The ladder as data: rung times from a due date with the working calendar (weekends, bank holidays, ±1 s at each
boundary), per-rung roll and time, repeated chases, the catch-up rule, and the profiles' ladders giving today's
timings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from bot.cp9 import cp9_schedule
from bot.deregistration import post_deregistration_window, window_steps
from bot.meetings import flag_time
from bot.obligations import Stage, ladder_for, next_after, parse_ladder, rung_times, step_at
from bot.policy import PolicyError, load_policy
from bot.receipts import plan_schedule
from bot.requests import due_times

LONDON = ZoneInfo("Europe/London")
SECOND = timedelta(seconds=1)
SCOTLAND = WorkingCalendar(nation="scotland")
POLICY = load_policy("south-ayrshire")
RECORD = ladder_for(POLICY.obligations, "meeting_record")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def step(times, *, stage=Stage.PENDING, last=None, now):
    return step_at(RECORD, times, stage=stage, last_step_at=last, now=now, calendar=SCOTLAND)


def test_an_unrecorded_meeting_is_chased_at_nine_on_the_next_working_day_and_is_a_breach_after_five():
    times = rung_times(RECORD, local(2027, 5, 24, 10, 0), SCOTLAND)  # Mon 24 May 2027
    assert times.remind_at == ()
    assert times.overdue_at == local(2027, 5, 25, 9, 0)
    # 25, 26, 27, 28 May, then Mon 31 May is Scotland's spring bank holiday: the fifth working day is Tue 1 Jun.
    assert times.breach_at == local(2027, 6, 1, 9, 0)


def test_a_meeting_on_a_friday_is_chased_after_the_weekend_and_the_bank_holiday():
    times = rung_times(RECORD, local(2027, 5, 28, 14, 0), SCOTLAND)
    assert times.overdue_at == local(2027, 6, 1, 9, 0)
    assert times.breach_at == local(2027, 6, 7, 9, 0)


def test_each_rung_is_taken_at_its_instant_not_a_second_before():
    times = rung_times(RECORD, local(2027, 5, 24, 10, 0), SCOTLAND)
    assert step(times, now=times.overdue_at - SECOND) is None
    for moment in (times.overdue_at, times.overdue_at + SECOND):
        taken = step(times, now=moment)
        assert (taken.stage, taken.repeat, taken.skipped) == (Stage.OVERDUE, False, 0)
    later = step(times, stage=Stage.OVERDUE, last=times.overdue_at, now=times.breach_at - SECOND)
    assert later is not None and later.repeat  # Thu 27 May's chase came, the breach not yet
    breach = step(times, stage=Stage.OVERDUE, last=times.breach_at - SECOND, now=times.breach_at)
    assert breach.stage is Stage.BREACHED and not breach.repeat


def test_the_owner_is_chased_again_every_two_working_days_and_a_chase_on_the_breach_day_is_the_breach():
    times = rung_times(RECORD, local(2027, 5, 24, 10, 0), SCOTLAND)
    first = step(times, now=local(2027, 5, 25, 9, 0))
    assert first.next_step_at == local(2027, 5, 27, 9, 0)
    assert step(times, stage=Stage.OVERDUE, last=local(2027, 5, 25, 9, 0), now=local(2027, 5, 27, 8, 59, 59)) is None
    again = step(times, stage=Stage.OVERDUE, last=local(2027, 5, 25, 9, 0), now=local(2027, 5, 27, 9, 0))
    assert (again.stage, again.repeat) == (Stage.OVERDUE, True)
    # Thu 27 + 2 working days is Tue 1 Jun (Mon 31 May is a bank holiday): the same moment as the breach.
    assert again.next_step_at == local(2027, 6, 1, 9, 0)
    breach = step(times, stage=Stage.OVERDUE, last=local(2027, 5, 27, 9, 0), now=local(2027, 6, 1, 9, 0))
    assert (breach.stage, breach.repeat) == (Stage.BREACHED, False)
    assert breach.next_step_at == local(2027, 6, 3, 9, 0)


def test_several_rungs_due_at_once_jump_to_the_highest_and_are_taken_once():
    times = rung_times(RECORD, local(2027, 5, 24, 10, 0), SCOTLAND)
    caught_up = step(times, now=local(2027, 8, 20, 9, 0))  # the bot was down since the meeting
    assert (caught_up.stage, caught_up.repeat, caught_up.skipped) == (Stage.BREACHED, False, 1)
    assert caught_up.next_step_at == local(2027, 8, 24, 9, 0)  # Fri 20 + 2 working days
    assert step(times, stage=Stage.BREACHED, last=local(2027, 8, 20, 9, 0), now=local(2027, 8, 23, 9, 0)) is None


def test_a_ladder_with_no_rung_left_has_no_next_step():
    ladder = replace(RECORD, repeat_every_working_days=None)
    times = rung_times(ladder, local(2027, 5, 24, 10, 0), SCOTLAND)
    assert next_after(ladder, times, stage=Stage.BREACHED, last_step_at=times.breach_at, calendar=SCOTLAND) is None


def test_the_england_ladders_give_the_timings_each_feature_uses_today():
    england, calendar = load_policy("england"), WorkingCalendar(nation="england")
    ladders = dict(england.obligations)
    held = date(2027, 7, 30)  # Fri 30 Jul 2027
    plan = plan_schedule(held, policy=england, calendar=calendar)  # due Fri 6 Aug
    received = rung_times(ladders["plan_copy_received"], plan.due_at, calendar)
    # Recipients on working day 3 (Wed 4 Aug) and on the deadline; the chair hears of overdue copies on Mon 9 Aug.
    assert (received.remind_at, received.overdue_at) == (
        (local(2027, 8, 4, 9, 0), local(2027, 8, 6, 9, 0)),
        local(2027, 8, 9, 9, 0),
    )
    assert rung_times(ladders["plan_copy_sent"], plan.due_at, calendar).remind_at == (local(2027, 8, 4, 9, 0),)
    cp9 = cp9_schedule(date(2027, 8, 1), policy=england, calendar=calendar)  # Sun 8 Aug: effectively Fri 6 Aug
    sent = rung_times(ladders["cp9_sent"], cp9.due_at, calendar)
    assert (sent.remind_at, sent.overdue_at) == (
        (local(2027, 8, 4, 9, 0), local(2027, 8, 6, 9, 0)),
        local(2027, 8, 9, 9, 0),
    )
    sunday = date(2027, 8, 29)  # an action due on a Sunday is chased on the Friday, overdue on Tuesday (bank holiday)
    action = rung_times(ladders["action"], calendar.end_of_day(sunday), calendar)
    assert (action.remind_at, action.overdue_at) == ((local(2027, 8, 27, 9, 0),), local(2027, 8, 31, 9, 0))
    due_on = date(2027, 6, 2)
    assert rung_times(ladders["next_meeting"], calendar.end_of_day(due_on), calendar).overdue_at == flag_time(
        due_on, calendar=calendar
    )
    asked = local(2027, 8, 27, 14, 0)  # Fri before the late summer bank holiday
    request = rung_times(ladders["request_decision"], asked, calendar)
    chase = due_times(urgency="routine", requested_at=asked, calendar=calendar, policy=england)
    assert (request.overdue_at, request.breach_at) == (chase.remind_at, chase.escalate_at)
    urgent = rung_times(ladders["request_decision_urgent"], asked, calendar)
    chase = due_times(urgency="urgent", requested_at=asked, calendar=calendar, policy=england)
    assert (urgent.overdue_at, urgent.breach_at) == (chase.remind_at, chase.escalate_at)


def test_an_organisation_can_change_a_ladder_and_a_bad_one_is_refused_by_name():
    policy = load_policy("england", overrides={"obligations": {"meeting_record": {"overdue": 1, "breach": 3}}})
    times = rung_times(
        ladder_for(policy.obligations, "meeting_record"), local(2027, 5, 24, 10, 0), WorkingCalendar(nation="england")
    )
    assert times.breach_at == local(2027, 5, 27, 9, 0)
    with pytest.raises(PolicyError, match=r"obligations.meeting_record: breach: must not be before overdue"):
        load_policy("england", overrides={"obligations": {"meeting_record": {"overdue": 3, "breach": 1}}})
    with pytest.raises(PolicyError, match=r"obligations.meeting_record: often: unknown setting"):
        load_policy("england", overrides={"obligations": {"meeting_record": {"often": 2}}})
    with pytest.raises(PolicyError, match=r"obligations.homework: unknown setting"):
        load_policy("england", overrides={"obligations": {"homework": {"overdue": 1}}})


def test_a_ladder_names_only_known_stages_and_audiences():
    with pytest.raises(ValueError, match="tell.overdue"):
        parse_ladder({"overdue": 1, "tell": {"overdue": ["headteacher"]}})


def test_the_post_deregistration_ladder_gives_the_windows_reminders_and_misses_it_at_midnight():
    fife = load_policy("fife")
    ladder = ladder_for(fife.obligations, "post_dereg_meeting")
    closure = WorkingCalendar(nation="scotland", closure_days=[date(2027, 8, 10)])  # a week left would be closed
    for conference, calendar in (
        (date(2027, 6, 22), SCOTLAND),
        (date(2027, 6, 22), closure),
        (date(2027, 6, 14), SCOTLAND),
        (date(2027, 11, 2), SCOTLAND),
    ):
        window = post_deregistration_window(conference, policy=fife)
        steps = window_steps(window, calendar=calendar)
        times = rung_times(ladder, calendar.end_of_day(window.closes_on), calendar)
        assert times.remind_at == tuple(s.at for s in steps[:-1]) and times.overdue_at == steps[-1].at
    # Conference Mon 14 Jun: a week left falls on Mon 2 Aug (a Scottish bank holiday) and comes on Fri 30 Jul, not
    # Tue 3 Aug; the window (to Mon 9 Aug) is missed at midnight, not at 09:00 the next day.
    times = rung_times(ladder, SCOTLAND.end_of_day(date(2027, 8, 9)), SCOTLAND)
    assert times.remind_at[1] == local(2027, 7, 30, 9, 0)
    assert times.overdue_at == local(2027, 8, 10, 0, 0)
    last_day = times.remind_at[2]
    assert (
        step_at(
            ladder, times, stage=Stage.REMINDED, last_step_at=last_day, now=times.overdue_at - SECOND, calendar=SCOTLAND
        )
        is None
    )
    assert (
        step_at(
            ladder, times, stage=Stage.REMINDED, last_step_at=last_day, now=times.overdue_at, calendar=SCOTLAND
        ).stage
        is Stage.OVERDUE
    )


def test_a_rung_may_roll_its_own_way_and_fall_at_its_own_time():
    saturday_due = local(2027, 8, 21, 12, 0)  # Sat 21 Aug 2027
    plain = parse_ladder({"unit": "calendar_days", "remind": [-7], "overdue": 0})
    assert rung_times(plain, saturday_due, SCOTLAND).remind_at == (local(2027, 8, 16, 9, 0),)  # Sat 14 -> Mon 16
    back = parse_ladder(
        {
            "unit": "calendar_days",
            "remind": [{"offset": -7, "roll": "back"}],
            "overdue": {"offset": 1, "at": "00:00", "roll": "none"},
        }
    )
    times = rung_times(back, saturday_due, SCOTLAND)
    assert times.remind_at == (local(2027, 8, 13, 9, 0),)  # Sat 14 -> Fri 13
    assert times.overdue_at == local(2027, 8, 22, 0, 0)  # Sunday midnight, not rolled
    with pytest.raises(ValueError, match=r"remind.roll: must be one of: forward, back, none"):
        parse_ladder({"unit": "calendar_days", "remind": [{"offset": -7, "roll": "sideways"}]})
    with pytest.raises(ValueError, match=r"overdue.at: must be a time"):
        parse_ladder({"overdue": {"offset": 1, "at": "midnight"}})
    with pytest.raises(ValueError, match=r"overdue.when: unknown setting"):
        parse_ladder({"overdue": {"offset": 1, "when": "later"}})
