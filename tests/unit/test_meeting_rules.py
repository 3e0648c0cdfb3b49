"""Meeting rules: due dates, reminder times across BST/GMT and holidays, schedule changes and records."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from bot.calendar import WorkingCalendar
from bot.meetings import (
    ActionDraft,
    ExistingMeeting,
    RecordDraft,
    add_months,
    check_record,
    check_schedule_change,
    first_meeting_due_on,
    flag_time,
    invited_absentees,
    meeting_breach_on,
    next_meeting_due_on,
    reminder_times,
)
from bot.policy import load_policy

UTC = timezone.utc
SCOTLAND = WorkingCalendar(nation="scotland", closure_days=[date(2027, 12, 29)])
SOUTH_AYRSHIRE = load_policy("south-ayrshire")
CHECKLIST = ("supports", "monitoring", "outcomes", "contingency")
FULL = {key: f"agreed {key}" for key in CHECKLIST}


def reminders(starts_at: datetime, calendar=SCOTLAND, policy=SOUTH_AYRSHIRE) -> list[tuple[int, datetime]]:
    return [
        (r.working_days_before, r.due_at)
        for r in reminder_times(starts_at, reminders=policy.meeting_reminders, calendar=calendar)
    ]


# --- due dates -----------------------------------------------------------------------------


def test_the_next_meeting_is_due_one_calendar_month_after_the_last():
    assert next_meeting_due_on(date(2027, 5, 24), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND) == date(2027, 6, 24)


def test_a_month_after_the_31st_is_the_end_of_a_shorter_month_and_a_sunday_rolls_back_to_friday():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)
    # 28 Feb 2027 is a Sunday: the group is due by the Friday before.
    assert next_meeting_due_on(date(2027, 1, 31), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND) == date(2027, 2, 26)


def test_a_due_date_on_a_closure_day_or_bank_holiday_moves_to_the_working_day_before():
    # 29 Dec 2027 is the council's closure day, 27-28 Dec are Scottish bank holidays: due Fri 24 Dec.
    assert next_meeting_due_on(date(2027, 11, 29), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND) == date(2027, 12, 24)


def test_wales_is_due_a_month_after_the_last_meeting_and_in_breach_six_weeks_after_it():
    wales = WorkingCalendar(nation="wales")
    policy = load_policy("wales")
    assert next_meeting_due_on(date(2027, 5, 24), policy=policy, calendar=wales) == date(2027, 6, 24)
    assert meeting_breach_on(date(2027, 5, 24), policy=policy) == date(2027, 7, 5)
    assert meeting_breach_on(date(2027, 5, 24), policy=load_policy("england")) is None


def test_a_cadence_of_weeks_makes_the_next_meeting_due_that_many_weeks_later():
    england = WorkingCalendar(nation="england")
    four_weekly = load_policy("england", overrides={"meeting_cadence": {"weeks": 4}})
    assert next_meeting_due_on(date(2027, 5, 24), policy=four_weekly, calendar=england) == date(2027, 6, 21)
    two_monthly = load_policy("wales", overrides={"meeting_cadence": {"months": 2}})
    assert next_meeting_due_on(date(2027, 5, 24), policy=two_monthly, calendar=england) == date(2027, 7, 23)


def test_the_first_meeting_is_due_10_working_days_after_the_initial_conference_in_england():
    # Registered Mon 10 May 2027 (day 0): ten working days on is Mon 24 May.
    england = WorkingCalendar(nation="england")
    assert first_meeting_due_on(date(2027, 5, 10), policy=load_policy("england"), calendar=england) == date(2027, 5, 24)
    # Mon 30 Nov 2026, with no bank holiday in the fortnight: Mon 14 Dec.
    assert first_meeting_due_on(date(2026, 11, 30), policy=load_policy("england"), calendar=england) == date(
        2026, 12, 14
    )


def test_the_first_meeting_is_due_15_calendar_days_after_the_cppm_in_scotland():
    # National Guidance 2021, para 3.137: CPPM Mon 30 Nov 2026 -> Tue 15 Dec 2026 (not 15 working days: Mon 21 Dec).
    scotland = WorkingCalendar(nation="scotland")
    for name in ("scotland", "south-ayrshire", "fife"):
        assert first_meeting_due_on(date(2026, 11, 30), policy=load_policy(name), calendar=scotland) == date(
            2026, 12, 15
        )
    # Mon 10 May 2027 + 15 days is Tue 25 May; a Sunday (CPPM Fri 14 May -> Sat 29 May) moves back to Fri 28 May.
    assert first_meeting_due_on(date(2027, 5, 10), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND) == date(2027, 5, 25)
    assert first_meeting_due_on(date(2027, 5, 14), policy=SOUTH_AYRSHIRE, calendar=SCOTLAND) == date(2027, 5, 28)


def test_an_unscheduled_due_date_is_flagged_at_nine_local_time():
    assert flag_time(date(2027, 6, 24), calendar=SCOTLAND) == datetime(2027, 6, 24, 8, 0, tzinfo=UTC)
    assert flag_time(date(2027, 12, 24), calendar=SCOTLAND) == datetime(2027, 12, 24, 9, 0, tzinfo=UTC)


# --- reminders -----------------------------------------------------------------------------


def test_reminders_are_two_working_days_before_and_on_the_day_at_nine_in_summer_time():
    assert reminders(datetime(2027, 5, 24, 9, 0, tzinfo=UTC)) == [
        (2, datetime(2027, 5, 20, 8, 0, tzinfo=UTC)),  # Thu 20 May, 09:00 BST
        (0, datetime(2027, 5, 24, 8, 0, tzinfo=UTC)),  # Mon 24 May, 09:00 BST
    ]


def test_reminders_either_side_of_the_clocks_going_back_are_both_at_nine_local_time():
    # Meeting Tue 2 Nov 2027 10:00 GMT; Fri 29 Oct is still BST (clocks go back Sun 31 Oct).
    assert reminders(datetime(2027, 11, 2, 10, 0, tzinfo=UTC)) == [
        (2, datetime(2027, 10, 29, 8, 0, tzinfo=UTC)),
        (0, datetime(2027, 11, 2, 9, 0, tzinfo=UTC)),
    ]


def test_a_reminder_skips_back_over_a_bank_holiday_weekend():
    # Meeting Tue 1 Jun 2027: Mon 31 May is a bank holiday, so two working days before is Thu 27 May.
    assert reminders(datetime(2027, 6, 1, 9, 0, tzinfo=UTC))[0] == (2, datetime(2027, 5, 27, 8, 0, tzinfo=UTC))


def test_a_reminder_skips_back_over_christmas_bank_holidays_and_the_closure_day():
    # Meeting Thu 30 Dec 2027: 29 closure, 27-28 bank holidays, 25-26 weekend -> Fri 24, then Thu 23 Dec.
    assert reminders(datetime(2027, 12, 30, 10, 0, tzinfo=UTC)) == [
        (2, datetime(2027, 12, 23, 9, 0, tzinfo=UTC)),
        (0, datetime(2027, 12, 30, 9, 0, tzinfo=UTC)),
    ]


def test_the_on_the_day_reminder_of_a_saturday_meeting_comes_on_friday():
    assert reminders(datetime(2027, 6, 5, 10, 0, tzinfo=UTC)) == [
        (2, datetime(2027, 6, 3, 8, 0, tzinfo=UTC)),
        (0, datetime(2027, 6, 4, 8, 0, tzinfo=UTC)),
    ]


def test_a_meeting_before_nine_gets_no_reminder_after_it_has_started():
    # 08:30 BST: the 09:00 reminder on the day would come after the start.
    assert reminders(datetime(2027, 5, 24, 7, 30, tzinfo=UTC)) == [(2, datetime(2027, 5, 20, 8, 0, tzinfo=UTC))]


def test_two_offsets_landing_on_the_same_instant_give_one_reminder():
    policy = load_policy(
        "south-ayrshire",
        overrides={
            "meeting_reminders": [
                {"working_days_before": 0, "at": "09:00"},
                {"working_days_before": 1, "at": "09:00"},
                {"working_days_before": 0, "at": "09:00"},
            ]
        },
    )
    assert len(reminders(datetime(2027, 5, 24, 12, 0, tzinfo=UTC), policy=policy)) == 2


# --- schedule changes ---------------------------------------------------------------------

NOW = datetime(2027, 5, 17, 9, 0, tzinfo=UTC)
UPCOMING = ExistingMeeting(7, datetime(2027, 5, 24, 9, 0, tzinfo=UTC), "in_person", None)


def change(**given):
    args = dict(
        meeting=None,
        cancel=False,
        day=date(2027, 6, 3),
        at=time(10),
        mode="online",
        note=None,
        reason=None,
        now=NOW,
        calendar=SCOTLAND,
    )
    args.update(given)
    return check_schedule_change(**args)


def test_a_new_meeting_is_read_in_local_time():
    scheduled, errors = change()
    assert errors == {}
    assert scheduled.starts_at == datetime(2027, 6, 3, 9, 0, tzinfo=UTC) and scheduled.mode == "online"


def test_a_new_meeting_needs_a_date_and_a_time():
    assert change(day=None, at=None)[1] == {
        "date": "Choose the date of the meeting.",
        "time": "Choose the time of the meeting.",
    }


def test_a_meeting_earlier_today_is_refused():
    # Now is 10:00 BST on 17 May; 09:30 that morning has passed.
    assert "already passed" in change(day=date(2027, 5, 17), at=time(9, 30))[1]["date"]


def test_moving_a_meeting_needs_a_reason_but_changing_only_its_note_does_not():
    assert "Say why the meeting is moved" in change(meeting=UPCOMING, mode="in_person")[1]["reason"]
    same_time = change(meeting=UPCOMING, day=date(2027, 5, 24), mode="in_person", note="Room 2")
    assert same_time[1] == {} and same_time[0].meeting_id == 7


def test_saving_a_meeting_unchanged_says_nothing_changed():
    assert "Nothing has changed" in change(meeting=UPCOMING, day=date(2027, 5, 24), mode="in_person")[1]["date"]


def test_cancelling_needs_the_meeting_and_a_reason():
    assert "Choose the meeting" in change(cancel=True, reason="x")[1]["meeting"]
    assert "Say why the meeting is cancelled" in change(meeting=UPCOMING, cancel=True)[1]["reason"]
    cancelled, errors = change(meeting=UPCOMING, cancel=True, reason="Chair unwell", day=None, at=None)
    assert errors == {} and cancelled.cancel and cancelled.reason == "Chair unwell"


# --- records ------------------------------------------------------------------------------

GROUP = ("U0CHAIR", "U0HV", "U0POL")


def problems(**given) -> dict[str, str]:
    args = dict(meeting_id=1, attended_users=("U0CHAIR",), checklist=dict(FULL))
    args.update(given)
    return check_record(
        RecordDraft(**args),
        checklist_keys=CHECKLIST,
        group=GROUP,
        held_on=date(2027, 5, 24),
        participants=("Mother", "Father"),
    )


def test_a_complete_record_has_no_problems():
    assert problems(actions=(ActionDraft("Refer to CAMHS", "U0HV", None, date(2027, 6, 1)), ActionDraft())) == {}


@pytest.mark.parametrize("key", CHECKLIST)
def test_each_of_the_four_re_evaluation_points_is_required(key):
    assert "must consider this" in problems(checklist={**FULL, key: "   "})[f"checklist.{key}"]


def test_somebody_must_have_attended_and_nobody_both_attended_and_was_not_invited():
    assert "who attended" in problems(attended_users=())["attended"]
    both = problems(not_invited_users=("U0CHAIR",), not_invited_reason="On leave")
    assert "both attended and not invited" in both["not_invited"]
    both = problems(attended_labels=("Mother",), not_invited_labels=("Mother",), not_invited_reason="Excluded")
    assert "both attended and not invited" in both["not_invited"]


def test_only_the_group_can_attend_or_be_taken_off_the_invited_list():
    assert "/core-group add @name ROLE" in problems(attended_users=("U0CHAIR", "U0OUTSIDER"))["attended"]
    assert "Only people in this core group" in problems(attended_labels=("Uncle",))["attended"]
    outsider = problems(not_invited_users=("U0OUTSIDER",), not_invited_reason="Not needed")
    assert "Only people in this core group" in outsider["not_invited"]


def test_taking_someone_off_the_invited_list_needs_a_reason():
    assert "Say why they were not invited" in problems(not_invited_users=("U0POL",))["not_invited_reason"]
    assert "Say why" in problems(not_invited_labels=("Father",), not_invited_reason="   ")["not_invited_reason"]
    assert problems(not_invited_labels=("Father",), not_invited_reason="Excluded by the conference") == {}


def test_everyone_in_the_group_who_did_not_attend_and_was_not_taken_off_is_an_invited_absentee():
    draft = RecordDraft(
        meeting_id=1,
        attended_users=("U0CHAIR",),
        attended_labels=("Mother",),
        not_invited_users=("U0POL",),
        not_invited_reason="On leave",
    )
    assert invited_absentees(draft, group=GROUP, participants=("Mother", "Father")) == (("U0HV",), ("Father",))


def test_an_action_needs_what_one_owner_in_the_group_and_a_due_date_not_before_the_meeting():
    found = problems(
        actions=(
            ActionDraft(None, "U0HV", None, date(2027, 6, 1)),
            ActionDraft("Visit", None, None, None),
            ActionDraft("Visit", "U0STRANGER", None, date(2027, 5, 1)),
            ActionDraft("Course", "U0HV", "Mother", date(2027, 6, 1)),
        )
    )
    assert "Say what the action is" in found["action.0.what"]
    assert "who owns" in found["action.1.owner"] and "date this action is due" in found["action.1.due"]
    assert "in this core group" in found["action.2.owner"] and "before the meeting" in found["action.2.due"]
    assert "Choose one owner" in found["action.3.owner"]
