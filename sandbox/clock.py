"""The sandbox's movable clock: real time plus an offset that only grows.

The bot is built with it (``build_runtime(settings, clock=OffsetClock(...))``), so time passes as
usual between clicks and a trainer can jump ahead to watch a week of reminders in a minute. It never
goes back: the outbox, the sweep and the audit log all assume time moves forward.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = ["OffsetClock", "next_local_time", "sweep_moments"]


class OffsetClock:
    """The machine's clock moved forward by an offset (tz-aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            if start.tzinfo is None:
                raise ValueError("OffsetClock needs a tz-aware start")
            self._offset = start - _real_now()

    def now(self) -> datetime:
        with self._lock:
            return _real_now() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new time."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += delta
            return _real_now() + self._offset

    def move_to(self, moment: datetime) -> datetime:
        """Move forward to ``moment`` (tz-aware); a moment already passed is refused."""
        if moment.tzinfo is None:
            raise ValueError("the sandbox clock needs a tz-aware time")
        with self._lock:
            now = _real_now()
            if moment < now + self._offset:
                raise ValueError("the sandbox clock only moves forward")
            self._offset = moment - now
            return moment.astimezone(timezone.utc)


def next_local_time(now: datetime, at: time, zone: str) -> datetime:
    """The next moment after ``now`` when the clock in ``zone`` reads ``at`` (today or tomorrow), UTC."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=tz)
    return candidate.astimezone(timezone.utc)


def sweep_moments(
    after: datetime, until: datetime, zone: str, *, hourly: bool, is_working_day: Callable[[date], bool]
) -> Iterator[datetime]:
    """When a running bot's sweep would have found something new between ``after`` and ``until`` (UTC).

    ``hourly``: every full hour from 08:00 to 18:00 on working days (reminders, deadlines and chasers are
    due in working hours), else only 09:00 each day. A jump in time then delivers each notice near the
    time it was due, instead of all of them at the end of the jump.
    """
    tz = ZoneInfo(zone)
    hour = after.astimezone(tz).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while hour.astimezone(timezone.utc) < until:
        local = hour.astimezone(tz)
        if (hourly and 8 <= local.hour <= 18 and is_working_day(local.date())) or (not hourly and local.hour == 9):
            yield local.astimezone(timezone.utc)
        hour = (hour.astimezone(timezone.utc) + timedelta(hours=1)).astimezone(tz)


def _real_now() -> datetime:
    return datetime.now(timezone.utc)
