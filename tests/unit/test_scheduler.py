"""`coregroup run`'s scheduler: it sweeps at start-up and every interval, and dispatches continuously without
ever running two dispatch passes at once.

Time is injected: the scheduler's jobs are replayed on a clock moved by hand, each at the times its own
APScheduler trigger gives, so nothing here waits for the wall clock or depends on how fast the machine is.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from bot.clock import FixedClock
from bot.scheduler import build_scheduler, start_scheduler

START = datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)


class CountingRuntime:
    """Records what the scheduler calls, at the injected clock's time."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.sweeps: list[datetime] = []
        self.passes: list[datetime] = []
        self.swept = threading.Event()

    def sweep(self) -> None:
        self.sweeps.append(self.clock.now())
        self.swept.set()

    def dispatch(self) -> None:
        self.passes.append(self.clock.now())


def replay(scheduler, clock: FixedClock, *, until: datetime) -> list[str]:
    """Run the scheduler's jobs as APScheduler fires them, in time order up to `until`, moving `clock` to each
    firing; every next time comes from the job's own trigger. Returns the job ids in the order they ran."""
    jobs = {job.id: job for job in scheduler.get_jobs()}
    due = {job_id: job.next_run_time for job_id, job in jobs.items()}
    ran = []
    while True:
        job_id, at = min(due.items(), key=lambda item: (item[1], item[0]))
        if at > until:
            return ran
        clock.set(at)
        jobs[job_id].func()
        ran.append(job_id)
        due[job_id] = jobs[job_id].trigger.get_next_fire_time(at, at)


def seconds_after_start(moments: list[datetime]) -> list[float]:
    return [(moment - START).total_seconds() for moment in moments]


def test_the_sweep_runs_at_start_up_and_then_every_interval():
    clock = FixedClock(START)
    runtime = CountingRuntime(clock)
    scheduler = build_scheduler(runtime, now=START, sweep_seconds=60, dispatch_seconds=1)
    replay(scheduler, clock, until=START + timedelta(seconds=150))
    assert seconds_after_start(runtime.sweeps) == [0.0, 60.0, 120.0]


def test_a_dispatch_pass_starts_every_interval_from_start_up():
    clock = FixedClock(START)
    runtime = CountingRuntime(clock)
    scheduler = build_scheduler(runtime, now=START, sweep_seconds=60, dispatch_seconds=1)
    replay(scheduler, clock, until=START + timedelta(seconds=5))
    assert seconds_after_start(runtime.passes) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_dispatch_tick_while_a_pass_is_still_sending_returns_without_starting_another():
    clock = FixedClock(START)
    runtime = CountingRuntime(clock)
    sending, finish = threading.Event(), threading.Event()

    def slow_pass() -> None:  # a pass with work: it keeps sending until told to finish
        runtime.passes.append(clock.now())
        sending.set()
        assert finish.wait(timeout=30)

    runtime.dispatch = slow_pass
    tick = build_scheduler(runtime, now=START).get_job("dispatch").func
    first = threading.Thread(target=tick)
    first.start()
    assert sending.wait(timeout=30)
    tick()  # the next tick comes while the first pass is still sending
    assert len(runtime.passes) == 1
    finish.set()
    first.join(timeout=30)
    assert not first.is_alive()
    runtime.dispatch = lambda: runtime.passes.append(clock.now())
    tick()  # the pass has ended: the next tick starts a new one at once
    assert len(runtime.passes) == 2


def test_a_failing_tick_is_logged_and_the_next_one_still_runs(caplog):
    clock = FixedClock(START)
    runtime = CountingRuntime(clock)

    def failing() -> None:
        runtime.sweeps.append(clock.now())
        raise RuntimeError("database unavailable")

    runtime.sweep = failing
    scheduler = build_scheduler(runtime, now=START, sweep_seconds=60, dispatch_seconds=1)
    replay(scheduler, clock, until=START + timedelta(seconds=150))
    failures = [r for r in caplog.records if r.getMessage() == "sweep tick failed"]
    assert len(failures) == 3 and seconds_after_start(runtime.sweeps) == [0.0, 60.0, 120.0]
    assert len(runtime.passes) == 151  # the dispatcher went on every second throughout


def test_the_started_scheduler_sweeps_at_start_up():
    clock = FixedClock(START)
    runtime = CountingRuntime(clock)
    # The real scheduler fires on the wall clock: its first run is now, or APScheduler would count it missed.
    scheduler = start_scheduler(runtime, now=datetime.now(timezone.utc), sweep_seconds=3600, dispatch_seconds=3600)
    try:
        assert runtime.swept.wait(timeout=30)  # an event, not a timing: APScheduler ran the start-up sweep
    finally:
        scheduler.shutdown(wait=True)
    assert runtime.sweeps == [START]
