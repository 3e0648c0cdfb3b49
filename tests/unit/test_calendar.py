"""Working days, bank holidays by nation, closure days and working hours."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.calendar import Nation, Roll, WorkingCalendar, WorkingHours

ENGLAND = WorkingCalendar(nation=Nation.ENGLAND)
WALES = WorkingCalendar(nation=Nation.WALES)
SCOTLAND = WorkingCalendar(nation=Nation.SCOTLAND)
NORTHERN_IRELAND = WorkingCalendar(nation=Nation.NORTHERN_IRELAND)
PLAN_COPY_WORKING_DAYS = 5


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the worked examples from DESIGN.md ------------------------------------------------------


@pytest.mark.parametrize("nation", list(Nation))
def test_spring_bank_holiday_moves_plan_deadline_to_wednesday_in_every_nation(nation):
    calendar = WorkingCalendar(nation=nation)
    assert calendar.add_working_days(date(2027, 5, 25), PLAN_COPY_WORKING_DAYS) == date(2027, 6, 2)


def test_english_plan_deadline_after_a_friday_meeting_is_the_next_friday():
    assert ENGLAND.add_working_days(date(2027, 7, 30), PLAN_COPY_WORKING_DAYS) == date(2027, 8, 6)


def test_scottish_summer_holiday_moves_plan_deadline_to_monday():
    assert SCOTLAND.add_working_days(date(2027, 7, 30), PLAN_COPY_WORKING_DAYS) == date(2027, 8, 9)


def test_english_late_summer_holiday_moves_plan_deadline_to_friday():
    assert ENGLAND.add_working_days(date(2027, 8, 26), PLAN_COPY_WORKING_DAYS) == date(2027, 9, 3)


def test_scotland_works_through_the_english_late_summer_holiday():
    assert SCOTLAND.add_working_days(date(2027, 8, 26), PLAN_COPY_WORKING_DAYS) == date(2027, 9, 2)


# --- working days ------------------------------------------------------------------------------


def test_weekends_are_not_working_days():
    assert not ENGLAND.is_working_day(date(2027, 6, 5))  # Saturday
    assert not ENGLAND.is_working_day(date(2027, 6, 6))  # Sunday
    assert ENGLAND.is_working_day(date(2027, 6, 7))  # Monday


def test_substitute_bank_holidays_are_not_working_days():
    # Christmas and Boxing Day 2027 fall at the weekend; Mon 27 and Tue 28 are substitute days.
    assert not ENGLAND.is_working_day(date(2027, 12, 27))
    assert not ENGLAND.is_working_day(date(2027, 12, 28))
    assert ENGLAND.is_working_day(date(2027, 12, 29))


def test_organisation_closure_day_is_skipped():
    closed = WorkingCalendar(nation="england", closure_days=[date(2027, 12, 29)])
    assert not closed.is_working_day(date(2027, 12, 29))
    # Thu 23 Dec: Fri 24 is day 1; the weekend, both substitute days and the closure are skipped.
    assert ENGLAND.add_working_days(date(2027, 12, 23), 2) == date(2027, 12, 29)
    assert closed.add_working_days(date(2027, 12, 23), 2) == date(2027, 12, 30)


def test_closure_days_of_one_organisation_do_not_affect_another():
    WorkingCalendar(nation=Nation.ENGLAND, closure_days=[date(2027, 12, 29)])
    assert WorkingCalendar(nation=Nation.ENGLAND).is_working_day(date(2027, 12, 29))


def test_st_patricks_day_is_a_holiday_only_in_northern_ireland():
    st_patricks = date(2027, 3, 17)  # a Wednesday
    assert not NORTHERN_IRELAND.is_working_day(st_patricks)
    assert ENGLAND.is_working_day(st_patricks)
    assert NORTHERN_IRELAND.add_working_days(date(2027, 3, 16), 1) == date(2027, 3, 18)


def test_battle_of_the_boyne_is_a_holiday_only_in_northern_ireland():
    twelfth = date(2027, 7, 12)  # a Monday
    assert not NORTHERN_IRELAND.is_working_day(twelfth)
    assert SCOTLAND.is_working_day(twelfth)
    assert NORTHERN_IRELAND.next_working_day(date(2027, 7, 9)) == date(2027, 7, 13)


def test_easter_monday_is_a_holiday_except_in_scotland():
    easter_monday = date(2027, 3, 29)
    assert not ENGLAND.is_working_day(easter_monday)
    assert not WALES.is_working_day(easter_monday)
    assert SCOTLAND.is_working_day(easter_monday)


def test_nation_can_be_given_as_its_name():
    assert WorkingCalendar(nation="northern-ireland").nation is Nation.NORTHERN_IRELAND


def test_unknown_nation_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown nation 'kent'.*england"):
        WorkingCalendar(nation="kent")


def test_closure_days_given_as_datetimes_are_refused():
    with pytest.raises(TypeError):
        WorkingCalendar(nation="england", closure_days=[datetime(2027, 12, 29)])


def test_a_datetime_is_refused_where_a_date_is_expected():
    with pytest.raises(TypeError, match="local_date"):
        ENGLAND.is_working_day(datetime(2027, 5, 31, 9, tzinfo=UTC))


def test_zero_working_days_is_the_start_day_itself():
    assert ENGLAND.add_working_days(date(2027, 6, 5), 0) == date(2027, 6, 5)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        ENGLAND.add_working_days(date(2027, 6, 7), -1)
    with pytest.raises(ValueError):
        ENGLAND.subtract_working_days(date(2027, 6, 7), -1)


def test_counting_from_a_saturday_starts_on_monday():
    assert ENGLAND.add_working_days(date(2027, 6, 5), 1) == date(2027, 6, 7)


def test_next_and_previous_working_day_skip_a_bank_holiday_weekend():
    assert ENGLAND.next_working_day(date(2027, 5, 28)) == date(2027, 6, 1)
    assert ENGLAND.previous_working_day(date(2027, 6, 1)) == date(2027, 5, 28)


def test_on_or_before_and_on_or_after_keep_a_working_day():
    wednesday = date(2027, 6, 2)
    assert ENGLAND.on_or_before(wednesday) == wednesday
    assert ENGLAND.on_or_after(wednesday) == wednesday


def test_on_or_before_and_on_or_after_move_off_a_bank_holiday():
    spring_holiday = date(2027, 5, 31)
    assert ENGLAND.on_or_before(spring_holiday) == date(2027, 5, 28)
    assert ENGLAND.on_or_after(spring_holiday) == date(2027, 6, 1)


def test_reminder_two_working_days_before_a_tuesday_meeting_after_a_bank_holiday_is_thursday():
    assert ENGLAND.subtract_working_days(date(2027, 6, 1), 2) == date(2027, 5, 27)


def test_reminder_on_the_day_of_a_saturday_meeting_falls_on_friday():
    assert ENGLAND.subtract_working_days(date(2027, 6, 5), 0) == date(2027, 6, 4)


# --- calendar-day deadlines (the CP9) ---------------------------------------------------------


def test_calendar_deadline_on_a_working_day_stays_put():
    assert ENGLAND.calendar_deadline(date(2027, 6, 2), 7) == date(2027, 6, 9)


def test_calendar_deadline_on_a_sunday_rolls_back_to_friday():
    # Tue 8 June + 5 days = Sun 13 June.
    assert ENGLAND.calendar_deadline(date(2027, 6, 8), 5, roll=Roll.BACK) == date(2027, 6, 11)


def test_calendar_deadline_on_a_sunday_rolls_forward_to_monday():
    assert ENGLAND.calendar_deadline(date(2027, 6, 8), 5, roll=Roll.FORWARD) == date(2027, 6, 14)


def test_calendar_deadline_rolls_forward_past_a_bank_holiday_monday_to_tuesday():
    # Mon 24 May meeting + 6 days = Sun 30 May; Mon 31 May is the Spring bank holiday.
    assert ENGLAND.calendar_deadline(date(2027, 5, 24), 6, roll="forward") == date(2027, 6, 1)


def test_calendar_deadline_rolls_back_by_default():
    assert ENGLAND.calendar_deadline(date(2027, 5, 24), 6) == date(2027, 5, 28)


def test_negative_calendar_days_are_refused():
    with pytest.raises(ValueError):
        ENGLAND.calendar_deadline(date(2027, 6, 2), -1)


# --- instants and time zones ------------------------------------------------------------------


def test_nine_am_in_january_is_nine_utc():
    assert ENGLAND.at_local(date(2027, 1, 12), time(9)) == utc(2027, 1, 12, 9)


def test_nine_am_in_july_is_eight_utc():
    assert ENGLAND.at_local(date(2027, 7, 12), time(9)) == utc(2027, 7, 12, 8)


def test_at_local_returns_utc():
    assert ENGLAND.at_local(date(2027, 7, 12), time(9)).tzinfo is UTC


def test_local_date_of_late_evening_utc_in_summer_is_the_next_day():
    assert ENGLAND.local_date(utc(2027, 7, 12, 23, 30)) == date(2027, 7, 13)
    assert ENGLAND.local_date(utc(2027, 1, 12, 23, 30)) == date(2027, 1, 12)


def test_local_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="tz-aware"):
        ENGLAND.local_date(datetime(2027, 7, 12, 9))


def test_end_of_day_is_the_last_instant_before_local_midnight():
    assert ENGLAND.end_of_day(date(2027, 7, 12)) == utc(2027, 7, 12, 22, 59, 59, 999999)
    assert ENGLAND.end_of_day(date(2027, 1, 12)) == utc(2027, 1, 12, 23, 59, 59, 999999)


def test_end_of_day_is_right_on_the_day_the_clocks_go_back():
    # Sun 31 Oct 2027 is 25 hours long: it ends at 23:59:59.999999 GMT.
    assert ENGLAND.end_of_day(date(2027, 10, 31)) == utc(2027, 10, 31, 23, 59, 59, 999999)
    assert ENGLAND.end_of_day(date(2027, 10, 30)) == utc(2027, 10, 30, 22, 59, 59, 999999)


def test_timezone_is_configurable():
    belfast = WorkingCalendar(nation="northern-ireland", timezone="Europe/Belfast")
    assert str(belfast.tz) == "Europe/Belfast"
    assert str(ENGLAND.tz) == "Europe/London"


# --- working hours ----------------------------------------------------------------------------


def test_two_working_hours_from_friday_four_pm_is_monday_ten_am():
    friday_4pm = ENGLAND.at_local(date(2027, 6, 4), time(16))
    assert ENGLAND.add_working_hours(friday_4pm, 2) == ENGLAND.at_local(date(2027, 6, 7), time(10))


def test_bank_holiday_monday_pushes_working_hours_to_tuesday():
    friday_4pm = ENGLAND.at_local(date(2027, 5, 28), time(16))
    assert ENGLAND.add_working_hours(friday_4pm, 2) == ENGLAND.at_local(date(2027, 6, 1), time(10))


def test_scottish_summer_holiday_pushes_working_hours_but_english_does_not():
    friday_4pm = ENGLAND.at_local(date(2027, 7, 30), time(16))
    tuesday_10am = SCOTLAND.at_local(date(2027, 8, 3), time(10))
    assert SCOTLAND.add_working_hours(friday_4pm, 2) == tuesday_10am
    assert ENGLAND.add_working_hours(friday_4pm, 2) == ENGLAND.at_local(date(2027, 8, 2), time(10))


def test_working_hours_from_before_opening_start_at_opening():
    early = ENGLAND.at_local(date(2027, 6, 7), time(6, 30))
    assert ENGLAND.add_working_hours(early, 2) == ENGLAND.at_local(date(2027, 6, 7), time(11))


def test_working_hours_ending_at_closing_time_stay_on_that_day():
    three_pm = ENGLAND.at_local(date(2027, 6, 7), time(15))
    assert ENGLAND.add_working_hours(three_pm, 2) == ENGLAND.at_local(date(2027, 6, 7), time(17))


def test_working_hours_follow_custom_hours():
    hours = WorkingHours(start=time(8, 30), end=time(16, 30))
    four_pm = ENGLAND.at_local(date(2027, 6, 7), time(16))
    expected = ENGLAND.at_local(date(2027, 6, 8), time(9, 30))
    assert ENGLAND.add_working_hours(four_pm, 1.5, working_hours=hours) == expected


def test_working_hours_across_the_clocks_going_forward_keep_local_time():
    # Clocks go forward on Sun 28 Mar 2027. Thu 25 Mar 16:00 GMT + 2h skips Good Friday and the
    # weekend: Scotland resumes on Easter Monday, England on Tuesday; both at 10:00 BST (09:00Z).
    thursday_4pm = utc(2027, 3, 25, 16)
    assert SCOTLAND.add_working_hours(thursday_4pm, 2) == utc(2027, 3, 29, 9)
    assert ENGLAND.add_working_hours(thursday_4pm, 2) == utc(2027, 3, 30, 9)


def test_zero_working_hours_returns_the_start():
    saturday = utc(2027, 6, 5, 12)
    assert ENGLAND.add_working_hours(saturday, 0) == saturday


def test_negative_working_hours_are_refused():
    with pytest.raises(ValueError):
        ENGLAND.add_working_hours(utc(2027, 6, 7, 9), -1)


def test_working_hours_refuse_a_naive_start():
    with pytest.raises(ValueError):
        ENGLAND.add_working_hours(datetime(2027, 6, 7, 9), 1)


def test_working_hours_between_counts_only_open_hours_on_working_days():
    friday_4pm = ENGLAND.at_local(date(2027, 5, 28), time(16))
    tuesday_10am = ENGLAND.at_local(date(2027, 6, 1), time(10))
    assert ENGLAND.working_hours_between(friday_4pm, tuesday_10am) == 2.0
    assert ENGLAND.working_hours_between(tuesday_10am, friday_4pm) == -2.0


def test_working_hours_between_a_weekend_is_zero():
    assert ENGLAND.working_hours_between(utc(2027, 6, 5, 9), utc(2027, 6, 6, 17)) == 0.0


def test_working_hours_must_end_after_they_start():
    with pytest.raises(ValueError):
        WorkingHours(start=time(17), end=time(9))


def test_one_working_day_of_hours_moves_to_the_same_time_next_working_day():
    start = ENGLAND.at_local(date(2027, 5, 28), time(11))
    later = ENGLAND.add_working_hours(start, 8)
    assert later == ENGLAND.at_local(date(2027, 6, 1), time(11))
    assert later - start > timedelta(days=3)


def test_a_bank_holiday_the_council_works_counts_as_a_working_day():
    # Meeting Thu 26 Aug 2027 in England: the late summer bank holiday (Mon 30 Aug) pushes 5 working days to
    # Fri 3 Sep; a council that works it counts it, so the plan is due Thu 2 Sep.
    worked = WorkingCalendar(nation="england", working_days=[date(2027, 8, 30)])
    assert worked.is_working_day(date(2027, 8, 30)) and worked.is_bank_holiday(date(2027, 8, 30))
    assert worked.add_working_days(date(2027, 8, 26), 5) == date(2027, 9, 2)
    assert WorkingCalendar(nation="england").add_working_days(date(2027, 8, 26), 5) == date(2027, 9, 3)
    # A worked day is never a weekend: Sat 28 Aug stays a rest day even if listed.
    assert not WorkingCalendar(nation="england", working_days=[date(2027, 8, 28)]).is_working_day(date(2027, 8, 28))


def test_worked_days_must_be_dates():
    with pytest.raises(TypeError, match="working_days must be dates"):
        WorkingCalendar(nation="england", working_days=["2027-08-30"])
