"""What a Prometheus scrape of GET /metrics costs the database: the outbox and ledger reads at scale.

Run: TEST_DATABASE_URL=... .venv/bin/python benchmarks/metrics_scrape.py [--cases 50000] [--sent 200000]
     [--pending 4000] [--scrapes 50] [--engines sqlite postgresql]

The data: `cases` cases with an open obligation each (1% overdue, `benchmarks/meeting_data.py`), an outbox
history of `sent` delivered notices and `pending` waiting ones. Each scrape renders the whole registry
(`Metrics.exposition()`, what /metrics answers), so the figure includes the text format, not only SQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from benchmarks.meeting_data import build, chunks, database
from bot.clock import FixedClock
from bot.health import PassTimes
from bot.metrics import Metrics
from store.db import make_session_factory
from store.models import OutboxMessage
from store.uow import UnitOfWork

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)


def outbox_rows(*, sent: int, pending: int) -> list[dict]:
    rows = []
    for i in range(sent + pending):
        waiting = i >= sent
        created = NOW - timedelta(minutes=(sent + pending - i) // 100)
        rows.append(
            dict(
                idempotency_key=f"bench:{i}",
                kind="meeting_reminder",
                recipient=f"C{i % 100:07d}",
                payload={},
                status="pending" if waiting else "sent",
                created_at=created,
                next_attempt_at=created,
                attempts=0 if waiting else 1,
                sent_at=None if waiting else created,
                message_channel=None if waiting else f"C{i % 100:07d}",
                message_ts=None if waiting else f"{i}.000100",
            )
        )
    return rows


def run(kind: str, args, tmp: str, pg_url: str | None) -> dict:
    with database(kind, tmp, pg_url) as engine:
        build(engine, cases=args.cases, due_fraction=0.01, now=NOW)
        with engine.begin() as db:
            for part in chunks(outbox_rows(sent=args.sent, pending=args.pending)):
                db.execute(insert(OutboxMessage), part)
        with engine.begin() as db:
            db.exec_driver_sql("ANALYZE")
        factory = make_session_factory(engine)
        clock = FixedClock(NOW)
        metrics = Metrics(uow_factory=lambda: UnitOfWork(factory), clock=clock, passes=PassTimes(clock))
        metrics.exposition()  # the first scrape opens the connection
        times = []
        for _ in range(args.scrapes):
            started = time.perf_counter()
            body = metrics.exposition()
            times.append((time.perf_counter() - started) * 1000)
        assert f"coregroup_outbox_pending {float(args.pending)}".encode() in body
        if kind == "postgresql":
            with engine.connect() as db:
                for sql in (
                    "EXPLAIN SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'",
                    "EXPLAIN SELECT kind, count(*) FROM obligation WHERE status = 'open' AND overdue_at <= now() "
                    "GROUP BY kind",
                ):
                    print("\n".join(row[0] for row in db.exec_driver_sql(sql)), file=sys.stderr)
        times.sort()
        return {
            "engine": kind,
            "p50": statistics.median(times),
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--sent", type=int, default=200_000)
    parser.add_argument("--pending", type=int, default=4_000)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    print(f"{args.cases} cases (1% overdue), {args.sent} sent + {args.pending} pending outbox rows")
    print("| engine | scrape p50 | scrape p99 |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("| postgresql | skipped: set TEST_DATABASE_URL | |")
                continue
            result = run(kind, args, tmp, pg_url)
            print(f"| {result['engine']} | {result['p50']:.1f} ms | {result['p99']:.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
