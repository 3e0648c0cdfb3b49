"""APScheduler only ticks the sweep and the dispatcher; durable state lives in the database."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("coregroup.scheduler")

SWEEP_SECONDS = 60
DISPATCH_SECONDS = 2


def start_scheduler(runtime) -> BackgroundScheduler:
    """Tick `runtime.sweep` every minute and `runtime.dispatch` every two seconds, never overlapping."""
    scheduler = BackgroundScheduler(timezone="UTC")
    options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    scheduler.add_job(_safely(runtime.sweep, "sweep"), "interval", seconds=SWEEP_SECONDS, id="sweep", **options)
    scheduler.add_job(
        _safely(runtime.dispatch, "dispatch"), "interval", seconds=DISPATCH_SECONDS, id="dispatch", **options
    )
    scheduler.start()
    return scheduler


def _safely(fn, name: str):
    def tick() -> None:
        try:
            fn()
        except Exception:  # a failed tick is logged and retried on the next one, not fatal
            log.exception("%s tick failed", name)

    return tick
