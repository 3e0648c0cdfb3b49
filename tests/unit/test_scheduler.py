"""`coregroup run`'s scheduler: it sweeps at start-up and every interval, and dispatches continuously without
ever running two dispatch passes at once."""

from __future__ import annotations

import threading
import time

from bot.scheduler import start_scheduler


class CountingRuntime:
    """Records when the scheduler calls it; a dispatch pass takes a while, as one with work does."""

    def __init__(self, pass_seconds: float) -> None:
        self.pass_seconds = pass_seconds
        self.sweeps: list[float] = []
        self.passes = 0
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def sweep(self) -> None:
        self.sweeps.append(time.monotonic())

    def dispatch(self) -> None:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.passes += 1
        time.sleep(self.pass_seconds)
        with self.lock:
            self.running -= 1

    def failing(self) -> None:
        raise RuntimeError("database unavailable")


def test_the_sweep_runs_at_start_up_and_then_every_interval():
    runtime = CountingRuntime(pass_seconds=0)
    started = time.monotonic()
    scheduler = start_scheduler(runtime, sweep_seconds=0.4, dispatch_seconds=0.1)
    try:
        time.sleep(1.0)
    finally:
        scheduler.shutdown(wait=True)
    assert runtime.sweeps and runtime.sweeps[0] - started < 0.3
    assert 2 <= len(runtime.sweeps) <= 4


def test_dispatch_passes_follow_each_other_without_overlapping(caplog):
    runtime = CountingRuntime(pass_seconds=0.35)
    scheduler = start_scheduler(runtime, sweep_seconds=60, dispatch_seconds=0.05)
    try:
        time.sleep(1.2)
    finally:
        scheduler.shutdown(wait=True)
    assert runtime.most_at_once == 1
    assert runtime.passes >= 3  # a new pass starts as soon as the last one ends
    assert not [r for r in caplog.records if "skipped" in r.getMessage()]


def test_a_failing_tick_is_logged_and_the_next_one_still_runs(caplog):
    runtime = CountingRuntime(pass_seconds=0)
    runtime.sweep = runtime.failing
    scheduler = start_scheduler(runtime, sweep_seconds=0.2, dispatch_seconds=0.1)
    try:
        time.sleep(0.7)
    finally:
        scheduler.shutdown(wait=True)
    failures = [r for r in caplog.records if r.getMessage() == "sweep tick failed"]
    assert len(failures) >= 2 and runtime.passes >= 3
