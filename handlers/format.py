"""Dates and times as people in the organisation read them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_datetime(moment: datetime | None, timezone: str) -> str:
    """'Mon 24 May 2027, 10:00' in the organisation's zone, or 'not set'."""
    if moment is None:
        return "not set"
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %-d %b %Y, %H:%M")


def local_date(day: date | None) -> str:
    """'Mon 24 May 2027', or 'not set'."""
    return day.strftime("%a %-d %b %Y") if day else "not set"
