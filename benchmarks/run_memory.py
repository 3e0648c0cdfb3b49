"""Peak memory of `coregroup run` with 50,000 cases, while it sweeps and dispatches.

Run: .venv/bin/python benchmarks/run_memory.py [--cases 50000] [--seconds 150] [--engine sqlite|postgresql]

The database gets `cases` cases (benchmarks/meeting_data.py; 1% of them with a reminder, a due date and an
action due when it starts, by the real clock), a fake Slack is started, and `coregroup run` (HTTP mode) runs in
its own process for `seconds` seconds: its scheduler sweeps at start-up and every minute and dispatches
continuously (the 4,000 notices of the first sweep go out while it is measured). The process's resident
memory is read from /proc/<pid>/status (VmRSS, and VmHWM, the peak). Goal: under 150 MB.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
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
            [sys.executable, "-m", "bot.cli", "run", "--port", "0", "--host", "127.0.0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        samples = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.seconds and process.poll() is None:
                samples.append((time.monotonic() - started, memory_kb(process.pid)))
                time.sleep(0.5)
        finally:
            peak = memory_kb(process.pid).get("VmHWM", 0) if process.poll() is None else 0
            process.terminate()
            process.wait(timeout=20)
        posted = len([c for c in fake.calls_to("chat.postMessage") if c.ok])
    early = next((s["VmRSS"] for t, s in samples if t >= 5 and "VmRSS" in s), 0)
    late = max((s["VmRSS"] for t, s in samples if "VmRSS" in s), default=0)
    print(
        f"coregroup run, {args.engine}, {args.cases} cases ({due} with something due when it starts): "
        f"{len(samples)} samples over {samples[-1][0]:.0f} s"
    )
    print(
        f"  resident memory: 5 s after start {early / 1024:.1f} MB; largest sample {late / 1024:.1f} MB; "
        f"peak (VmHWM) {peak / 1024:.1f} MB. Messages Slack took meanwhile: {posted}"
    )


if __name__ == "__main__":
    main()
