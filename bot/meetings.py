"""Meeting rules: pure functions of dates and the calendar."""

from __future__ import annotations

from datetime import datetime

from bot.calendar import WorkingCalendar


def non_working_day_warning(starts_at: datetime, *, calendar: WorkingCalendar) -> str | None:
    """A warning when a meeting falls on a weekend, bank holiday or closure day; None otherwise."""
    day = calendar.local_date(starts_at)
    if calendar.is_working_day(day):
        return None
    return f"{day.strftime('%A %-d %B %Y')} is not a working day (weekend, bank holiday or closure day)."
