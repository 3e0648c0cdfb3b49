"""The worker: the sweep and the dispatcher in a process of their own, beside the one answering Slack.

`coregroup run` serves HTTP (or Socket Mode) in its own process and starts `coregroup worker` as its child: the
09:00 sweep (the digest reads every open case) and a dispatch of thousands of notices are Python work that would
otherwise hold the interpreter lock the request threads need, and Slack shows people an error when an answer
takes over 3 s. In its own process the worker's work runs on another core, and at a lower priority (`nice`), so
when the cores are busy the operating system serves requests first. The two stop together: the worker ends
when its parent does (even a parent killed outright), and `coregroup run` stops when its worker dies, so a
supervisor restarts the replica whole. The worker's metrics and pass times reach the serving process's
/metrics and /healthz through files in a directory private to the replica (`bot.worker_metrics`). On SQLite
the worker shares its parent's one-process lock (`bot.single_process`).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

log = logging.getLogger("coregroup.worker")

#: How much lower the worker's priority is than the request process's (`nice` increment).
WORKER_NICENESS = 19


def run_worker(runtime, *, now: datetime, niceness: int = WORKER_NICENESS) -> int:
    """The worker's body: the scheduler (sweep, dispatcher ticks) until SIGTERM/SIGINT or the parent goes."""
    from bot.scheduler import start_scheduler

    if niceness:
        os.nice(niceness)
    parent = os.getppid()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = start_scheduler(runtime, now=now)
    log.info("worker started: the sweep every minute, the dispatcher every second")
    try:
        while not stop.wait(1.0):
            if os.getppid() != parent:  # the request process is gone (even SIGKILLed): go with it
                log.warning("the request process has gone: the worker stops")
                break
    finally:
        scheduler.shutdown(wait=False)
        runtime.close()  # another replica takes over dispatching at once
    return 0


class WorkerProcess:
    """The worker as a child process; `on_exit` is called if it ends without being asked to."""

    def __init__(
        self, argv: list[str], *, on_exit: Callable[[int], None], env: Mapping[str, str] | None = None
    ) -> None:
        self._stopping = False
        self._on_exit = on_exit
        self.process = subprocess.Popen(argv, env=env)
        self._watch = threading.Thread(target=self._wait, name="worker-watch", daemon=True)
        self._watch.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        self._stopping = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)

    def _wait(self) -> None:
        status = self.process.wait()
        if not self._stopping:
            log.error("the worker (sweep and dispatcher) exited with status %s: stopping this replica", status)
            self._on_exit(status)
