"""Peak memory of `coregroup run` with 50,000 cases, while it sweeps and dispatches.

Run: .venv/bin/python benchmarks/run_memory.py [--cases 50000] [--seconds 150] [--engine sqlite|postgresql]
     [--no-worker]

The database gets `cases` cases (benchmarks/meeting_data.py; 1% of them with a reminder, a due date and an
action due when it starts, by the real clock), a fake Slack is started, and `coregroup run` (HTTP mode) runs in
its own process for `seconds` seconds: its scheduler sweeps at start-up and every minute and dispatches
continuously (the 4,000 notices of the first sweep go out while it is measured). `coregroup run` is two processes:
the one answering HTTP and its worker (the sweep and the dispatcher). Each one's resident memory is read from
/proc/<pid>/status (VmRSS, and VmHWM, its peak); the two are reported apart and together (the largest sum of samples
taken at the same moment, and the sum of the peaks, which no moment can exceed). Goal: under 150 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.meeting_data import build, database
from sandbox.fake_slack import FakeSlack


def memory_kb(pid: int) -> dict[str, int]:
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found


def worker_of(pid: int) -> int | None:
    """The child `coregroup run` started (its worker), from /proc."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                return int(entry.name)
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-worker", action="store_true", help="`coregroup run --no-worker`: one process")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.engine, tmp, os.environ.get("TEST_DATABASE_URL")) as engine,
        FakeSlack(validate_blocks=False) as fake,
    ):
        now = datetime.now(timezone.utc)
        due = build(engine, cases=args.cases, due_fraction=0.01, now=now + timedelta(seconds=30))
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL")) and "proxy" not in k.lower()
        }
        env.update(
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET="bench-secret",
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=url,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--port", "0", "--host", "127.0.0.1"]
            + (["--no-worker"] if args.no_worker else []),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        samples: list[tuple[float, dict[str, int], dict[str, int]]] = []
        started = time.monotonic()
        worker = None
        try:
            while time.monotonic() - started < args.seconds and process.poll() is None:
                worker = worker or worker_of(process.pid)
                samples.append(
                    (time.monotonic() - started, memory_kb(process.pid), memory_kb(worker) if worker else {})
                )
                time.sleep(0.5)
        finally:
            peaks = [memory_kb(p).get("VmHWM", 0) if p and process.poll() is None else 0 for p in (process.pid, worker)]
            process.terminate()
            process.wait(timeout=20)
        posted = len([c for c in fake.calls_to("chat.postMessage") if c.ok])
    print(
        f"coregroup run, {args.engine}, {args.cases} cases ({due} with something due when it starts): "
        f"{len(samples)} samples over {samples[-1][0]:.0f} s"
    )
    for label, index, peak in (("request process", 1, peaks[0]), ("worker", 2, peaks[1])):
        early = next((s[index]["VmRSS"] for s in samples if s[0] >= 5 and "VmRSS" in s[index]), 0)
        late = max((s[index].get("VmRSS", 0) for s in samples), default=0)
        print(
            f"  {label}: 5 s after start {early / 1024:.1f} MB; largest sample {late / 1024:.1f} MB; "
            f"peak (VmHWM) {peak / 1024:.1f} MB"
        )
    together = max((s[1].get("VmRSS", 0) + s[2].get("VmRSS", 0) for s in samples), default=0)
    print(
        f"  together: largest sum at one moment {together / 1024:.1f} MB; sum of the peaks {sum(peaks) / 1024:.1f} MB. "
        f"Messages Slack took meanwhile: {posted}"
    )


if __name__ == "__main__":
    main()
