"""Working-day calendar: weekends, UK bank holidays by nation, closure days and working hours.

Pure: no clock. Every "now" is passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays


class Nation(StrEnum):
    """A UK nation, which decides the bank holidays."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


class Roll(StrEnum):
    """Which way a calendar-day deadline moves when it falls on a non-working day."""

    BACK = "back"
    FORWARD = "forward"


@dataclass(frozen=True)
class WorkingHours:
    """The local wall-clock window in which working hours accrue."""

    start: time = time(9)
    end: time = time(17)

    def __post_init__(self) -> None:
        # A window crossing midnight would make "a working day" ambiguous; nobody needs it.
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times and must be naive")
        if not self.start < self.end:
            raise ValueError("working hours must end after they start")


_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@cache
def _bank_holidays(subdiv: str, year: int) -> frozenset[date]:
    """Bank holidays (including substitute days) of one nation in one year."""
    # One immutable set per (nation, year), shared by every calendar: a lookup is a set
    # membership test, and scheduler threads never mutate a lazily-expanding holidays dict.
    return frozenset(holidays.UK(subdiv=subdiv, years=year))


class WorkingCalendar:
    """Working days and working hours for one organisation."""

    def __init__(
        self,
        *,
        nation: Nation | str,
        closure_days: Iterable[date] = (),
        timezone: str = "Europe/London",
        working_days: Iterable[date] = (),
    ) -> None:
        try:
            self.nation = Nation(nation)
        except ValueError:
            known = ", ".join(n.value for n in Nation)
            raise ValueError(f"unknown nation {nation!r} (known: {known})") from None
        days = frozenset(closure_days)
        # datetime is a date subclass but never equals a date, so it would silently never match.
        if any(isinstance(d, datetime) or not isinstance(d, date) for d in days):
            raise TypeError("closure_days must be dates, not datetimes or strings")
        self.closure_days: frozenset[date] = days
        worked = frozenset(working_days)
        if any(isinstance(d, datetime) or not isinstance(d, date) for d in worked):
            raise TypeError("working_days must be dates, not datetimes or strings")
        #: Bank holidays the organisation works: they count as working days.
        self.working_days: frozenset[date] = worked
        self._tz = ZoneInfo(timezone)
        self._subdiv = _SUBDIVISIONS[self.nation]

    @property
    def tz(self) -> ZoneInfo:
        """The organisation's time zone."""
        return self._tz

    # --- days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True unless the day is a weekend, a bank holiday of the nation (one the organisation does not work) or a
        closure day."""
        if isinstance(day, datetime):
            # A datetime never equals a date, so every holiday lookup would silently miss.
            raise TypeError("expected a date; use local_date() to turn an instant into one")
        return (
            day.weekday() < 5
            and day not in self.closure_days
            and (day in self.working_days or not self.is_bank_holiday(day))
        )

    def is_bank_holiday(self, day: date) -> bool:
        """True when the day is a bank holiday (or substitute day) of the nation, worked or not."""
        return day in _bank_holidays(self._subdiv, day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """The first working day strictly before `day`."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the previous working day."""
        return day if self.is_working_day(day) else self.previous_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The date "within n working days of start": start is day 0, count n working days on."""
        if n < 0:
            raise ValueError("n must not be negative")
        for _ in range(n):
            start = self.next_working_day(start)
        return start

    def subtract_working_days(self, day: date, n: int) -> date:
        """The date n working days before `day`; n=0 gives `day` or the working day before it."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return self.on_or_before(day)
        for _ in range(n):
            day = self.previous_working_day(day)
        return day

    def calendar_deadline(self, start: date, days: int, *, roll: Roll | str = Roll.BACK) -> date:
        """start + days, moved to the nearest working day in the `roll` direction if needed."""
        if days < 0:
            raise ValueError("days must not be negative")
        due = start + timedelta(days=days)
        return self.on_or_before(due) if Roll(roll) is Roll.BACK else self.on_or_after(due)

    # --- instants -------------------------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        """The date of a tz-aware instant in the organisation's zone."""
        return self._to_local(moment).date()

    def at_local(self, day: date, at: time) -> datetime:
        """The instant (tz-aware UTC) at which the org's clocks read `at` on `day`."""
        if at.tzinfo is not None:
            raise ValueError("`at` is a local wall-clock time and must be naive")
        # fold=0: an ambiguous autumn time means its first (BST) occurrence; a skipped spring
        # time is read with the pre-change (GMT) offset. Both only happen overnight on Sundays.
        return datetime.combine(day, at, tzinfo=self._tz).astimezone(UTC)

    def end_of_day(self, day: date) -> datetime:
        """The last instant of `day` in the org's zone (next local midnight minus 1 µs), as UTC."""
        # Inclusive, so "overdue" is simply `now > end_of_day(due)`, and 23:59:59.9 is on time.
        return self.at_local(day + timedelta(days=1), time(0)) - timedelta(microseconds=1)

    def add_working_hours(
        self, start: datetime, hours: float, *, working_hours: WorkingHours = WorkingHours()
    ) -> datetime:
        """The UTC instant `hours` of working time after `start` (Fri 16:00 + 2h = Mon 10:00)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        cursor = self._to_local(start).replace(tzinfo=None)
        if hours == 0:
            return start.astimezone(UTC)
        remaining = timedelta(hours=hours)
        while True:
            day = cursor.date()
            if self.is_working_day(day):
                opens = datetime.combine(day, working_hours.start)
                closes = datetime.combine(day, working_hours.end)
                cursor = max(cursor, opens)
                if cursor < closes:
                    if remaining <= closes - cursor:
                        # Ending exactly at closing time stays today rather than next morning.
                        return self._from_local(cursor + remaining)
                    remaining -= closes - cursor
            cursor = datetime.combine(self.next_working_day(day), working_hours.start)

    def working_hours_between(
        self, start: datetime, end: datetime, *, working_hours: WorkingHours = WorkingHours()
    ) -> float:
        """Working hours from `start` to `end` (negative if `end` is earlier)."""
        if end < start:
            return -self.working_hours_between(end, start, working_hours=working_hours)
        lo = self._to_local(start).replace(tzinfo=None)
        hi = self._to_local(end).replace(tzinfo=None)
        total = timedelta()
        day = lo.date()
        while day <= hi.date():
            if self.is_working_day(day):
                opens = max(lo, datetime.combine(day, working_hours.start))
                closes = min(hi, datetime.combine(day, working_hours.end))
                if closes > opens:
                    total += closes - opens
            day += timedelta(days=1)
        return total / timedelta(hours=1)

    # --- helpers --------------------------------------------------------------------------

    def _to_local(self, moment: datetime) -> datetime:
        """A tz-aware instant in the org's zone; naive input is refused, never guessed."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("expected a tz-aware datetime, got a naive one")
        return moment.astimezone(self._tz)

    def _from_local(self, wall: datetime) -> datetime:
        """A naive local wall-clock datetime as a tz-aware UTC instant."""
        # Wall-clock arithmetic is exact inside working hours: UK clocks change at 01:00 UTC on a
        # Sunday, which is never inside a (same-day, weekday) working window.
        return wall.replace(tzinfo=self._tz).astimezone(UTC)
