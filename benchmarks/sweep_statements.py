"""What each sweeper of one warm 09:00 sweep costs: its time and the SQL statements it sends, by kind of statement.

Run: .venv/bin/python benchmarks/sweep_statements.py [--engine sqlite|postgresql] [--cases 50000]
     [--organisations 1] [--profile obligations] [--due 0.01]
The data are `benchmarks/sweep_scale.py`'s with 1% due (or `--due`) (benchmarks/meeting_data.py). The statements are counted by an
event listener on the engine (an executemany or a bulk insert is one). `--profile NAME` prints cProfile's busiest
functions for that sweeper. PostgreSQL needs TEST_DATABASE_URL. A sweeper whose statements grow with the rows due
(rather than with the batches: 200 rows a batch for the ledger) is doing a query per row.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from benchmarks.meeting_data import build, database
from benchmarks.sweep_scale import NOW, WARM_UP
from bot.sweep import sweepers
from store.db import make_session_factory
from store.uow import UnitOfWork


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--organisations", type=int, default=1)
    parser.add_argument("--profile", default=None, help="a sweeper's name, e.g. obligations")
    parser.add_argument("--due", type=float, default=0.01, help="the fraction of cases with something due")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.engine, tmp, os.environ.get("TEST_DATABASE_URL")) as engine,
    ):
        build(
            engine, cases=args.cases, due_fraction=args.due, now=NOW, warm_up=WARM_UP, organisations=args.organisations
        )
        uow_factory = partial(UnitOfWork, make_session_factory(engine))
        for _, sweeper in sweepers():  # the cold sweep, the day before: the process warms up
            sweeper(uow_factory=uow_factory, now=WARM_UP)
        statements: Counter[str] = Counter()

        @event.listens_for(engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            statements[" ".join(statement.split()[:3])[:60]] += 1

        for name, sweeper in sweepers():
            statements.clear()
            profile = cProfile.Profile() if name == args.profile else None
            start = time.perf_counter()
            if profile:
                profile.enable()
            enqueued = sweeper(uow_factory=uow_factory, now=NOW)
            if profile:
                profile.disable()
            spent = time.perf_counter() - start
            print(f"{name}: {spent * 1000:.1f} ms, {enqueued} enqueued, {sum(statements.values())} statements")
            for text, n in statements.most_common(12):
                print(f"  {n:6d}  {text}")
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
