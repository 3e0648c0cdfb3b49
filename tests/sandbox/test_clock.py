"""The sandbox clock: it only moves forward, and a jump sweeps when the running bot would have."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from sandbox.clock import OffsetClock, next_local_time, sweep_moments

LONDON = "Europe/London"


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_the_clock_starts_where_it_is_told_and_keeps_running():
    clock = OffsetClock(datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc))
    first = clock.now()
    assert timedelta(0) <= first - datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc) < timedelta(seconds=5)
    assert clock.now() >= first


def test_the_clock_refuses_to_go_back():
    clock = OffsetClock(datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.move_to(datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(hours=-1))
    assert clock.now() > datetime(2027, 6, 8, 7, 29, tzinfo=timezone.utc)


def test_next_nine_oclock_follows_british_summer_time():
    summer = next_local_time(datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc), time(9), LONDON)
    winter = next_local_time(datetime(2027, 12, 8, 9, 30, tzinfo=timezone.utc), time(9), LONDON)
    assert summer == datetime(2027, 6, 8, 8, 0, tzinfo=timezone.utc)
    assert winter == datetime(2027, 12, 9, 9, 0, tzinfo=timezone.utc)


def test_a_jump_over_a_weekend_sweeps_in_working_hours_only():
    friday_evening = datetime(2027, 6, 11, 17, 30, tzinfo=timezone.utc)  # 18:30 in London
    monday_ten = datetime(2027, 6, 14, 9, 0, tzinfo=timezone.utc)  # 10:00 in London

    moments = list(sweep_moments(friday_evening, monday_ten, LONDON, hourly=True, is_working_day=weekdays))

    assert moments == [
        datetime(2027, 6, 14, 7, 0, tzinfo=timezone.utc),
        datetime(2027, 6, 14, 8, 0, tzinfo=timezone.utc),
    ]


def test_replaying_history_sweeps_at_nine_each_day():
    moments = list(
        sweep_moments(
            datetime(2027, 6, 11, 12, 0, tzinfo=timezone.utc),
            datetime(2027, 6, 14, 12, 0, tzinfo=timezone.utc),
            LONDON,
            hourly=False,
            is_working_day=weekdays,
        )
    )
    assert [m.isoformat() for m in moments] == [
        "2027-06-12T08:00:00+00:00",
        "2027-06-13T08:00:00+00:00",
        "2027-06-14T08:00:00+00:00",
    ]
