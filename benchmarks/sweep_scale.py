"""Sweep cost against the number of cases and the number of items due.

Run: .venv/bin/python benchmarks/sweep_scale.py [--cases 5000 50000] [--engines sqlite postgresql]
PostgreSQL needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for each run and dropped after it.

For each engine, case count and due fraction (0% and 1%) the data are bulk-inserted (benchmarks/meeting_data.py),
then one `sweep(now)` is timed (every feature's sweepers; the meetings' three are also timed alone on a second,
identical data set), then a second sweep at the same moment (nothing left to do). The goal: under 1 s for
50,000 cases with 1% due, and a cost that follows the number due, not the number of cases.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.meeting_data import build, database  # noqa: E402
from bot.services.meeting_sweep import (  # noqa: E402
    sweep_action_reminders,
    sweep_meeting_reminders,
    sweep_unscheduled_meetings,
)
from bot.sweep import sweep  # noqa: E402
from store.db import make_session_factory  # noqa: E402
from store.uow import UnitOfWork  # noqa: E402

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=timezone.utc)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(kind: str, cases: int, fraction: float, tmp: str, pg_url: str | None) -> dict:
    out = {"engine": kind, "cases": cases, "due": f"{fraction:.0%}"}
    with database(kind, tmp, pg_url) as engine:
        out["due_cases"] = build(engine, cases=cases, due_fraction=fraction, now=NOW)
        factory = make_session_factory(engine)
        uow_factory = lambda: UnitOfWork(factory)  # noqa: E731
        out["sweep_s"], report = timed(lambda: sweep(uow_factory=uow_factory, now=NOW))
        out["enqueued"] = report.total
        out["again_s"], again = timed(lambda: sweep(uow_factory=uow_factory, now=NOW))
        assert again.total == 0, again.enqueued
    with database(kind, tmp, pg_url) as engine:
        build(engine, cases=cases, due_fraction=fraction, now=NOW)
        factory = make_session_factory(engine)
        uow_factory = lambda: UnitOfWork(factory)  # noqa: E731

        def meetings_only() -> int:
            return sum(fn(uow_factory=uow_factory, now=NOW) for fn in
                       (sweep_meeting_reminders, sweep_unscheduled_meetings, sweep_action_reminders))

        out["meetings_s"], enqueued = timed(meetings_only)
        assert enqueued == out["enqueued"] or fraction == 0, (enqueued, out["enqueued"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for cases in args.cases:
                for fraction in (0.0, 0.01):
                    row = run(kind, cases, fraction, tmp, pg_url)
                    rows.append(row)
                    print(f"{row['engine']:<11}{row['cases']:>7} cases {row['due']:>3} due ({row['due_cases']:>4} cases): "
                          f"sweep {row['sweep_s'] * 1000:8.1f} ms, {row['enqueued']:>5} notices; meeting sweepers alone "
                          f"{row['meetings_s'] * 1000:8.1f} ms; sweep again {row['again_s'] * 1000:6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
