"""Publishing the coordinator's Home tab (its digest, live) for an organisation of N cases.

Run: .venv/bin/python benchmarks/home_publish.py [--cases 1000 5000 50000] [--engines sqlite postgresql] [--runs 20]
PostgreSQL needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for each run and dropped after it.

The data are benchmarks/meeting_data.py's (1% of the cases with something due, their CP9 overdue on the ledger).
`handlers.home.publish_home` runs as the bot runs it: the Home built from the database, turned into Block Kit, handed
to `views.publish` (here a stand-in that keeps the view: Slack's own time is not ours), and the publish recorded.
The first publish warms the process up; the figures are over the next `--runs`. Goal: under 100 ms at 1,000 cases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.meeting_data import build, database
from benchmarks.sweep_scale import NOW
from handlers.home import publish_home
from store.db import make_session_factory
from store.uow import UnitOfWork

COORDINATOR = "U0COORD"


class _Slack:
    """Takes the published view and keeps it, as Slack would (without the network)."""

    def __init__(self) -> None:
        self.views: list[dict[str, Any]] = []

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> None:
        self.views.append(view)


def run(kind: str, cases: int, runs: int, tmp: str, pg_url: str | None) -> dict[str, Any]:
    with database(kind, tmp, pg_url) as engine:
        build(engine, cases=cases, due_fraction=0.01, now=NOW)
        factory = make_session_factory(engine)
        services: Any = SimpleNamespace(
            clock=SimpleNamespace(now=lambda: NOW), uow_factory=partial(UnitOfWork, factory)
        )
        slack = _Slack()
        assert publish_home(slack, services, COORDINATOR)  # warm-up
        spent = []
        for _ in range(runs):
            start = time.perf_counter()
            publish_home(slack, services, COORDINATOR)
            spent.append(time.perf_counter() - start)
        blocks = len(slack.views[-1]["blocks"])
    return {"engine": kind, "cases": cases, "p50": statistics.median(spent), "max": max(spent), "blocks": blocks}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 5000, 50000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    print("engine      cases | publish p50 | max | blocks")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for cases in args.cases:
                r = run(kind, cases, args.runs, tmp, pg_url)
                print(
                    f"{r['engine']:<11}{r['cases']:>6} | {r['p50'] * 1000:8.1f} ms | {r['max'] * 1000:6.1f} ms | "
                    f"{r['blocks']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
