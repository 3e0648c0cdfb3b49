"""Sweep cost against the number of cases, the number of organisations and the number of items due.

Run: .venv/bin/python benchmarks/sweep_scale.py [--cases 5000 50000] [--engines sqlite postgresql]
     [--organisations 1 150] [--fractions 0 0.01]
PostgreSQL needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for each run and dropped after it.

For each engine, organisation count, case count and due fraction (0% and 1%) the data are bulk-inserted
(benchmarks/meeting_data.py): every case has a scheduled meeting with two reminders, a due period (the meeting owed,
on the ledger), an open action and a CP9 owed on the ledger; in 1% of the cases a reminder, a meeting owed with
nothing scheduled and an action are due at the measured moment and their CP9 is overdue, in another 1% the same at an
earlier moment. The first sweep, at the earlier moment, is the "cold" one (the first in a fresh process); the sweep
at the measured moment is a running bot's ("warm"); a third sweep at the same moment has nothing left to do.
Both moments are 09:00 local on a working day, so each sweep includes every organisation's digest (one
organisation, or the cases dealt round 150: 150 digests), read from the ledger.
Goal: the whole sweep under 1 s for 50,000 cases with 1% due (under 50 ms with nothing due), and a cost that
follows the number due, not the number of cases.
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

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=timezone.utc)  # Tue 15 Jun 2027, 09:00 BST
WARM_UP = NOW - timedelta(days=1)  # Mon 14 Jun, 09:00 BST: the cold sweep sends Monday's digests
MEETINGS = ("meeting reminders", "obligations")  # the meetings owed and actions are the ledger's (obligations)
DIGEST = "coordinator digest"


def timed_sweep(uow_factory, now: datetime) -> tuple[float, float, int, float, int]:
    """(whole sweep seconds, the reminder and ledger sweepers' seconds, notices they enqueued, the digests' seconds,
    digests enqueued)."""
    total = ours = digest = 0.0
    enqueued = digests = 0
    for name, sweeper in sweepers():
        start = time.perf_counter()
        count = sweeper(uow_factory=uow_factory, now=now)
        spent = time.perf_counter() - start
        total += spent
        if name in MEETINGS:
            ours += spent
            enqueued += count
        if name == DIGEST:
            digest, digests = spent, count
    return total, ours, enqueued, digest, digests


def run(kind: str, cases: int, fraction: float, tmp: str, pg_url: str | None, organisations: int = 1) -> dict:
    with database(kind, tmp, pg_url) as engine:
        due_cases = build(
            engine, cases=cases, due_fraction=fraction, now=NOW, warm_up=WARM_UP, organisations=organisations
        )
        factory = make_session_factory(engine)
        uow_factory = partial(UnitOfWork, factory)
        cold = timed_sweep(uow_factory, WARM_UP)
        warm = timed_sweep(uow_factory, NOW)
        again = timed_sweep(uow_factory, NOW)
        assert again[2] == 0 and again[4] == 0
        assert warm[4] == organisations  # every organisation's digest went
    return {
        "engine": kind,
        "cases": cases,
        "organisations": organisations,
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
    parser.add_argument("--organisations", type=int, nargs="+", default=[1, 150])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.0, 0.01])
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    print(
        "engine      cases orgs  due | cold sweep: all / reminders+ledger (notices) | "
        "warm sweep at 09:00: all / reminders+ledger (notices) / digests (n) | again"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for organisations in args.organisations:
                for cases in args.cases:
                    for fraction in args.fractions:
                        r = run(kind, cases, fraction, tmp, pg_url, organisations)
                        ms = lambda t: f"{t * 1000:7.1f} ms"  # noqa: E731 - a one-line local helper
                        print(
                            f"{r['engine']:<11}{r['cases']:>6} {organisations:>4} {r['due']:>4} | "
                            f"{ms(r['cold'][0])} / {ms(r['cold'][1])} ({r['cold'][2]:>4}) | "
                            f"{ms(r['warm'][0])} / {ms(r['warm'][1])} ({r['warm'][2]:>4}) / "
                            f"{ms(r['warm'][3])} ({r['warm'][4]:>3}) | {ms(r['again'][0])}",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
