"""APScheduler only ticks the sweep and the dispatcher; durable state lives in the database."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("coregroup.scheduler")

SWEEP_SECONDS = 60
DISPATCH_SECONDS = 1


def start_scheduler(
    runtime, *, now: datetime, sweep_seconds: float = SWEEP_SECONDS, dispatch_seconds: float = DISPATCH_SECONDS
) -> BackgroundScheduler:
    """Sweep at start-up (`now`) and then every minute; dispatch continuously: a pass starts every second unless
    one is still sending (a pass keeps going while there is work), and two never overlap."""
    scheduler = build_scheduler(runtime, now=now, sweep_seconds=sweep_seconds, dispatch_seconds=dispatch_seconds)
    scheduler.start()
    return scheduler


def build_scheduler(
    runtime, *, now: datetime, sweep_seconds: float = SWEEP_SECONDS, dispatch_seconds: float = DISPATCH_SECONDS
) -> BackgroundScheduler:
    """The scheduler `start_scheduler` starts, not yet started: both jobs first run at `now`."""
    scheduler = BackgroundScheduler(timezone="UTC")
    started = now
    scheduler.add_job(
        _safely(runtime.sweep, "sweep"),
        "interval",
        seconds=sweep_seconds,
        id="sweep",
        next_run_time=started,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    # A long pass is not overlapped: the next tick sees the lock taken and returns at once (max_instances=2
    # lets that tick run, so APScheduler does not log a "skipped" warning every second meanwhile).
    scheduler.add_job(
        _one_at_a_time(_safely(runtime.dispatch, "dispatch")),
        "interval",
        seconds=dispatch_seconds,
        id="dispatch",
        next_run_time=started,
        max_instances=2,
        coalesce=True,
        misfire_grace_time=30,
    )
    return scheduler


def _one_at_a_time(fn):
    running = threading.Lock()

    def tick() -> None:
        if not running.acquire(blocking=False):
            return
        try:
            fn()
        finally:
            running.release()

    return tick


def _safely(fn, name: str):
    def tick() -> None:
        try:
            fn()
        except Exception:  # a failed tick is logged and retried on the next one, not fatal
            log.exception("%s tick failed", name)

    return tick
