"""One replica for the replica tests: `coregroup run` in HTTP mode, with its clock starting at a given moment.

    python -m tests.replicas.replica --start 2027-05-20T08:00Z [--claim-seconds 15] [--channel-interval 0.2]

It reads the environment as `coregroup run` does (`DATABASE_URL`, `SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`,
`SLACK_API_URL`) and is built the same way: `build_runtime`, `upgrade`, waitress serving `runtime.wsgi()`, and the
sweep and the dispatcher in a worker child process (`bot.worker`: this module again with `--worker`). Only the
clock (real time moved to `--start`), the lease and the pacer's per-channel spacing (to match a fake Slack whose
limits are scaled up so the test is quick) are given. It prints `listening PORT` once it is migrated and
serving, then starts its worker (a sweep at once, then a dispatcher tick every second) when a line `go` arrives
on its standard input, so the test can start the 09:00 sweep in every replica at the same moment.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from datetime import datetime, timezone

for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)


def _runtime(args, worker_dir: str | None = None):
    from bot.app import build_runtime
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.logs import configure_logging
    from bot.pacing import Pacer
    from sandbox.clock import OffsetClock

    configure_logging(logging.INFO)
    # /healthz times passes on the machine's clock, in both processes (the bot's clock is moved).
    runtime = build_runtime(
        Settings.from_env(), clock=OffsetClock(args.start), health_clock=SystemClock(), worker_dir=worker_dir
    )
    if args.channel_interval is not None:
        runtime.pacer = Pacer(channel_interval=args.channel_interval, channel_burst=1)
    runtime.claim_seconds = args.claim_seconds
    return runtime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True, type=lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")))
    parser.add_argument("--claim-seconds", type=float, default=60.0)
    parser.add_argument("--channel-interval", type=float, default=None, help="default: the runtime's own pacer")
    parser.add_argument("--worker", action="store_true", help="be the worker (as `coregroup worker`)")
    args = parser.parse_args()

    from bot.worker import WorkerProcess, run_worker
    from bot.worker_metrics import WorkerDirectory
    from store.migrate import upgrade

    if args.worker:
        # The scheduler ticks on the machine's clock (its first run is "now" there); the bot's clock is moved.
        return run_worker(_runtime(args), now=datetime.now(timezone.utc))
    shared = WorkerDirectory()  # as `coregroup run`: the worker's metrics reach this process's /metrics, /healthz
    runtime = _runtime(args, worker_dir=shared.path)

    from bot.http_server import make_server

    upgrade(runtime.engine)
    server = make_server(runtime.wsgi(), host="127.0.0.1", port=0, threads=8)
    print(f"listening {server.effective_port}", flush=True)

    def serve() -> None:
        with contextlib.suppress(OSError):  # closed at SIGTERM
            server.run()

    threading.Thread(target=serve, name="waitress", daemon=True).start()
    if sys.stdin.readline().strip() != "go":
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = WorkerProcess(
        [sys.executable, "-m", "tests.replicas.replica", "--worker", *sys.argv[1:]],
        on_exit=lambda _: stop.set(),
        env=shared.environment(),
    )
    stop.wait()
    worker.stop()
    server.close()
    shared.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
