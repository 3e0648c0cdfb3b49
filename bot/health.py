"""Is the bot working, not just up: when the sweep and the dispatcher last completed a pass.

The runtime records each completed pass (`Runtime.sweep` and `Runtime.dispatch`, which the scheduler ticks);
`/healthz` answers 503 when either has not completed one in `STALE_AFTER`, and says which. Until a first pass
completes, the time since start-up counts instead: a process just started is not stale. A replica standing by
(another holds the dispatcher lock) completes a dispatcher pass at each tick by checking the lock: standing by
is its job, so it is healthy, and /healthz says "standing by". When the passes run in a worker process,
`bot.worker_metrics.WorkerPassTimes` reads them from the worker instead.
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
        self._standing_by = False
        self._lock = threading.Lock()

    def completed(self, name: str, *, standing_by: bool = False) -> datetime:
        """Note that a pass of `name` has just completed (for the dispatcher: or stood by); returns when."""
        if name not in PASSES:
            raise ValueError(f"unknown pass {name!r}")
        at = self.clock.now()
        with self._lock:
            self._last[name] = max(at, self._last.get(name, at))
            if name == "dispatcher":
                self._standing_by = standing_by
        return at

    def last(self, name: str) -> datetime | None:
        """When `name` last completed a pass (None: not since start-up)."""
        return self.snapshot()[0].get(name)

    def snapshot(self) -> tuple[dict[str, datetime], bool]:
        """Each pass's last completion, and whether the dispatcher's last pass stood by."""
        with self._lock:
            return dict(self._last), self._standing_by

    def seconds_since(self, name: str) -> float:
        """Seconds since `name` last completed a pass, or since start-up before its first."""
        return max((self.clock.now() - (self.last(name) or self.started)).total_seconds(), 0.0)

    def report(self) -> dict[str, str]:
        """Each pass's state for /healthz: "ok" (the dispatcher: or "standing by"), "starting: no pass yet", or
        "stale: ..." saying since when."""
        (last_passes, standing_by), now, states = self.snapshot(), self.clock.now(), {}
        for name in PASSES:
            last = last_passes.get(name)
            since = now - (last or self.started)
            if since <= STALE_AFTER:
                fresh = "standing by" if name == "dispatcher" and standing_by else "ok"
                states[name] = fresh if last is not None else "starting: no pass yet"
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
