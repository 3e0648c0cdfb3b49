"""Sweep cost against the number of cases and the number of items due.

Run: .venv/bin/python benchmarks/sweep_scale.py [--cases 5000 50000] [--engines sqlite postgresql]
PostgreSQL needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for each run and dropped after it.

For each engine, case count and due fraction (0% and 1%) the data are bulk-inserted (benchmarks/meeting_data.py):
every case has a scheduled meeting with two reminders, a due period and an open action; in 1% of the cases all
three are due at the measured moment (a reminder to the channel and 5 people, a due date with nothing scheduled,
an action due today), in another 1% at an earlier moment. The first sweep, at the earlier moment, is the "cold"
one (the first in a fresh process); the sweep at the measured moment is a running bot's ("warm"); a third sweep
at the same moment has nothing left to do. Each feature's sweeper is timed as `bot.sweep.sweep` runs them.
Goal: under 1 s for 50,000 cases with 1% due, and a cost that follows the number due, not the number of cases.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.meeting_data import build, database
from bot.sweep import sweepers
from store.db import make_session_factory
from store.uow import UnitOfWork

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=timezone.utc)
WARM_UP = NOW - timedelta(days=2)
MEETINGS = ("meeting reminders", "meetings not scheduled")  # actions: the ledger (obligations)


def timed_sweep(uow_factory, now: datetime) -> tuple[float, float, int]:
    """(whole sweep seconds, the meeting sweepers' seconds, notices the meeting sweepers enqueued)."""
    total = ours = 0.0
    enqueued = 0
    for name, sweeper in sweepers():
        start = time.perf_counter()
        count = sweeper(uow_factory=uow_factory, now=now)
        spent = time.perf_counter() - start
        total += spent
        if name in MEETINGS:
            ours += spent
            enqueued += count
    return total, ours, enqueued


def run(kind: str, cases: int, fraction: float, tmp: str, pg_url: str | None) -> dict:
    with database(kind, tmp, pg_url) as engine:
        due_cases = build(engine, cases=cases, due_fraction=fraction, now=NOW, warm_up=WARM_UP)
        factory = make_session_factory(engine)
        uow_factory = partial(UnitOfWork, factory)
        cold = timed_sweep(uow_factory, WARM_UP)
        warm = timed_sweep(uow_factory, NOW)
        again = timed_sweep(uow_factory, NOW)
        assert again[2] == 0
    return {
        "engine": kind,
        "cases": cases,
        "due": f"{fraction:.0%}",
        "due_cases": due_cases,
        "cold": cold,
        "warm": warm,
        "again": again,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    print(
        "engine      cases  due | cold sweep: all / meetings (notices) | warm sweep: all / meetings (notices) | again"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for cases in args.cases:
                for fraction in (0.0, 0.01):
                    r = run(kind, cases, fraction, tmp, pg_url)
                    ms = lambda t: f"{t * 1000:7.1f} ms"  # noqa: E731 - a one-line local helper
                    print(
                        f"{r['engine']:<11}{r['cases']:>6} {r['due']:>4} | {ms(r['cold'][0])} / {ms(r['cold'][1])} "
                        f"({r['cold'][2]:>4}) | {ms(r['warm'][0])} / {ms(r['warm'][1])} ({r['warm'][2]:>4}) | "
                        f"{ms(r['again'][0])}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
