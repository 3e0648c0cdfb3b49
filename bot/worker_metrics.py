"""The worker's figures where /metrics and /healthz are served: `coregroup run` answers HTTP, its worker passes.

The worker process runs in prometheus_client's multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, a directory
`coregroup run` creates for this replica alone and removes when it stops): its counters, histograms and gauges
are written to memory-mapped files there. The serving process shows them on /metrics with a
`MultiProcessCollector` (`Metrics(worker_dir=...)`), and /healthz reads the worker's last-pass gauges from the
same files (`WorkerPassTimes`), so both tell the truth about the process that sweeps and dispatches.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from datetime import datetime, timezone

from prometheus_client.multiprocess import MultiProcessCollector

from bot.clock import Clock
from bot.health import PassTimes

__all__ = ["MULTIPROC_DIR_VARIABLE", "WorkerDirectory", "WorkerPassTimes"]

#: The variable that puts prometheus_client in multiprocess mode; it must be set before the worker starts.
MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LAST_PASS = "coregroup_last_pass_timestamp_seconds"
STANDING_BY = "coregroup_dispatcher_standing_by"


class WorkerDirectory:
    """A private, empty directory for one replica's worker files; `remove()` when the replica stops."""

    def __init__(self) -> None:
        self.path = tempfile.mkdtemp(prefix="coregroup-worker-metrics-")  # mode 0700: this user's alone

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The worker's environment: `base` (default: this process's) in multiprocess mode on this directory."""
        return {**(os.environ if base is None else base), MULTIPROC_DIR_VARIABLE: self.path}

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class WorkerPassTimes(PassTimes):
    """The worker's passes as its files say, on `clock` (this process's, the machine's in `coregroup run`)."""

    def __init__(self, clock: Clock, directory: str) -> None:
        super().__init__(clock)
        self.directory = directory

    def completed(self, name: str, *, standing_by: bool = False) -> datetime:
        raise RuntimeError("the worker completes the passes; this process only reads them")

    def snapshot(self) -> tuple[dict[str, datetime], bool]:
        files = glob.glob(os.path.join(self.directory, "gauge_*.db"))
        last: dict[str, datetime] = {}
        standing_by = False
        for metric in MultiProcessCollector.merge(files, accumulate=False):
            for sample in metric.samples:
                if sample.name == LAST_PASS and sample.value > 0:
                    last[sample.labels["pass"]] = datetime.fromtimestamp(sample.value, timezone.utc)
                elif sample.name == STANDING_BY:
                    standing_by = sample.value == 1
        return last, standing_by
