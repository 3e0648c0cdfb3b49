"""Is the bot working, not just up: when the sweep and the dispatcher last completed a pass.

The runtime records each completed pass (`Runtime.sweep` and `Runtime.dispatch`, which the scheduler ticks);
`/healthz` answers 503 when either has not completed one in `STALE_AFTER`, and says which. Until a first pass
completes, the time since start-up counts instead: a process just started is not stale.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from bot.clock import Clock

__all__ = ["PASSES", "STALE_AFTER", "PassTimes"]

#: The passes /healthz watches (also its keys).
PASSES = ("sweep", "dispatcher")
#: The scheduler sweeps every minute and dispatches every second: two minutes without a pass is a stall.
STALE_AFTER = timedelta(minutes=2)


class PassTimes:
    """The last completed pass of each kind, on `clock` (the bot's clock, or the machine's in the sandbox)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started = clock.now()
        self._last: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def completed(self, name: str) -> None:
        """Note that a pass of `name` has just completed."""
        if name not in PASSES:
            raise ValueError(f"unknown pass {name!r}")
        at = self.clock.now()
        with self._lock:
            self._last[name] = max(at, self._last.get(name, at))

    def last(self, name: str) -> datetime | None:
        """When `name` last completed a pass (None: not since start-up)."""
        with self._lock:
            return self._last.get(name)

    def seconds_since(self, name: str) -> float:
        """Seconds since `name` last completed a pass, or since start-up before its first."""
        return max((self.clock.now() - (self.last(name) or self.started)).total_seconds(), 0.0)

    def report(self) -> dict[str, str]:
        """Each pass's state for /healthz: "ok", "starting: no pass yet", or "stale: ..." saying since when."""
        now, states = self.clock.now(), {}
        for name in PASSES:
            last = self.last(name)
            since = now - (last or self.started)
            if since <= STALE_AFTER:
                states[name] = "ok" if last is not None else "starting: no pass yet"
            elif last is None:
                states[name] = f"stale: no pass in the {_duration(since)} since start-up"
            else:
                states[name] = f"stale: last pass {_duration(since)} ago"
        return states

    def healthy(self, states: dict[str, str]) -> bool:
        """Whether none of `report()`'s states is stale."""
        return not any(state.startswith("stale") for state in states.values())


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
