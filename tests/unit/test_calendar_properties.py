"""Properties of the working-day calendar that hold for any date, nation and closure days."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import Nation, Roll, WorkingCalendar, WorkingHours

# Modest, so the unit suite stays fast; no deadline because the first lookup of a year is slower.
CALENDAR_SETTINGS = settings(max_examples=200, deadline=None)

# Org calendars are built once per nation and closure set: hypothesis draws from a small pool.
CLOSURES = (frozenset(), frozenset({date(2027, 12, 29), date(2028, 1, 4)}))
CALENDARS = [WorkingCalendar(nation=n, closure_days=c) for n in Nation for c in CLOSURES]

calendars = st.sampled_from(CALENDARS)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=40)
positive_counts = st.integers(min_value=1, max_value=40)
rolls = st.sampled_from(list(Roll))
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
quarter_hours = st.integers(min_value=1, max_value=200).map(lambda q: q / 4)
working_hours = st.sampled_from([WorkingHours(), WorkingHours(time(8, 30), time(16, 30))])


@CALENDAR_SETTINGS
@given(calendars, days, positive_counts)
def test_adding_working_days_lands_on_a_working_day_after_the_start(calendar, start, n):
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due)
    assert due > start


@CALENDAR_SETTINGS
@given(calendars, days, counts, counts)
def test_more_working_days_never_give_an_earlier_date(calendar, start, n, m):
    low, high = sorted((n, m))
    assert calendar.add_working_days(start, low) <= calendar.add_working_days(start, high)


@CALENDAR_SETTINGS
@given(calendars, days, counts)
def test_adding_working_days_skips_exactly_n_working_days(calendar, start, n):
    due = calendar.add_working_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(calendar.is_working_day(d) for d in between) == n


@CALENDAR_SETTINGS
@given(calendars, days, st.integers(min_value=0, max_value=60), rolls)
def test_calendar_deadline_is_always_a_working_day(calendar, start, n, roll):
    assert calendar.is_working_day(calendar.calendar_deadline(start, n, roll=roll))


@CALENDAR_SETTINGS
@given(calendars, days, st.integers(min_value=0, max_value=60))
def test_calendar_deadline_rolled_back_is_never_after_the_nominal_day(calendar, start, n):
    assert calendar.calendar_deadline(start, n, roll=Roll.BACK) <= start + timedelta(days=n)


@CALENDAR_SETTINGS
@given(calendars, days, st.integers(min_value=0, max_value=60))
def test_calendar_deadline_rolled_forward_is_never_before_the_nominal_day(calendar, start, n):
    assert calendar.calendar_deadline(start, n, roll=Roll.FORWARD) >= start + timedelta(days=n)


@CALENDAR_SETTINGS
@given(calendars, days)
def test_next_working_day_is_a_later_working_day(calendar, day):
    following = calendar.next_working_day(day)
    assert following > day
    assert calendar.is_working_day(following)


@CALENDAR_SETTINGS
@given(calendars, days)
def test_previous_working_day_is_an_earlier_working_day(calendar, day):
    preceding = calendar.previous_working_day(day)
    assert preceding < day
    assert calendar.is_working_day(preceding)


@CALENDAR_SETTINGS
@given(calendars, days, counts)
def test_subtracting_working_days_undoes_adding_them_from_a_working_day(calendar, day, n):
    start = calendar.on_or_after(day)
    assert calendar.subtract_working_days(calendar.add_working_days(start, n), n) == start


@CALENDAR_SETTINGS
@given(calendars, instants, quarter_hours, working_hours)
def test_adding_working_hours_lands_inside_working_hours_no_earlier_than_start(calendar, start, hours, window):
    due = calendar.add_working_hours(start, hours, working_hours=window)
    local = due.astimezone(calendar.tz)
    assert due >= start
    assert due.tzinfo is UTC
    assert calendar.is_working_day(local.date())
    assert window.start <= local.time().replace(tzinfo=None) <= window.end


@CALENDAR_SETTINGS
@given(calendars, instants, quarter_hours)
def test_working_hours_between_measures_what_was_added(calendar, start, hours):
    due = calendar.add_working_hours(start, hours)
    assert abs(calendar.working_hours_between(start, due) - hours) < 1e-6


@CALENDAR_SETTINGS
@given(calendars, instants)
def test_an_instant_falls_on_its_local_date_before_that_days_end(calendar, moment):
    day = calendar.local_date(moment)
    assert calendar.at_local(day, time(0)) <= moment <= calendar.end_of_day(day)


@CALENDAR_SETTINGS
@given(calendars, days, st.times(min_value=time(6), max_value=time(23, 59)))
def test_a_local_wall_clock_time_reads_back_on_the_same_day_and_time(calendar, day, at):
    moment = calendar.at_local(day, at)
    assert calendar.local_date(moment) == day
    assert moment.astimezone(calendar.tz).time() == at
