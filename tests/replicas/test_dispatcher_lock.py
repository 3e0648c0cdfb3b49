"""One replica dispatches at a time (a PostgreSQL advisory lock), another takes over when it goes; SQLite's one
process always dispatches; replicas started together migrate one after the other, and a current schema is left
alone."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, text

from bot.notices import NoticeKind
from store.db import make_engine
from store.dispatcher_lock import DispatcherLock
from store.migrate import current_revision, upgrade
from tests.conftest import PG_SKIP_REASON
from tests.harness import BotHarness, clean_database, postgres_database

UTC = timezone.utc
NOW = datetime(2027, 5, 20, 8, 0, tzinfo=UTC)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def pg_engine(postgresql_engine):
    clean_database(postgresql_engine)
    yield postgresql_engine
    clean_database(postgresql_engine)


def enqueue(harness: BotHarness, count: int, prefix: str = "N") -> None:
    with harness.services.uow_factory() as uow:
        for i in range(count):
            uow.outbox.enqueue(
                key=f"{prefix}{i}",
                kind=NoticeKind.DELIVERY_FAILED,
                recipient=f"C0LOCK{i}",
                now=NOW,
                payload={
                    "kind": "meeting_scheduled",
                    "recipient": "C0X",
                    "error": "channel_not_found",
                    "reference": None,
                },
            )
        uow.commit()


def next_tick_taking_over(harness: BotHarness, ticks: int = 50):
    """The first dispatcher tick that is not standing by: PostgreSQL lets a lock go once the closed connection's
    server process has ended, a moment after the client closed it (a replica ticks every second)."""
    for _ in range(ticks):
        report = harness.dispatch()
        if not report.standing_by:
            return report
        time.sleep(0.1)
    return report


def posts(fake) -> list[str]:
    return [c.params["channel"] for c in fake.calls_to("chat.postMessage") if c.ok]


def test_on_sqlite_the_one_process_always_dispatches(sqlite_only_engine):
    lock = DispatcherLock(sqlite_only_engine)
    assert lock.held() and lock.held()


@pytest.mark.postgres
def test_of_two_replicas_only_the_lock_holder_sends_and_the_other_takes_over_once_it_stops(pg_engine, fake_slack):
    with (
        BotHarness(engine=pg_engine, fake=fake_slack, now=NOW) as first,
        BotHarness(engine=pg_engine, fake=fake_slack, now=NOW) as second,
    ):
        enqueue(first, 3)
        sent = first.dispatch()
        idle = second.dispatch()
        assert len(sent.sent) == 3 and not sent.standing_by
        assert idle.standing_by and idle.sent == []
        assert sorted(posts(fake_slack)) == ["C0LOCK0", "C0LOCK1", "C0LOCK2"]

        enqueue(second, 2, prefix="M")
        first.runtime.close()  # as `coregroup run` does when it stops
        taken = next_tick_taking_over(second)
        assert len(taken.sent) == 2 and not taken.standing_by
        assert first.dispatch().standing_by  # the first, were it still running, now stands by
        assert len(posts(fake_slack)) == 5  # nothing sent twice


@pytest.mark.postgres
def test_a_dispatcher_whose_connection_dies_loses_the_lock_and_another_replica_takes_it(pg_engine):
    first, second = DispatcherLock(pg_engine, name="first"), DispatcherLock(pg_engine, name="second")
    try:
        assert first.held() and not second.held()
        with pg_engine.connect() as connection:  # what PostgreSQL does when the replica's host goes away
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '%first'")
            )
        assert any(second.held() or time.sleep(0.1) for _ in range(50))  # once the ended backend has gone
        assert not first.held()  # its next tick finds the connection gone and stands by
        assert not first.held() and second.held()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_the_dispatcher_is_named_in_postgresql_for_the_operator(pg_engine):
    lock = DispatcherLock(pg_engine, name="host-a:4242")
    try:
        assert lock.held()
        with pg_engine.connect() as connection:
            names = connection.execute(text("SELECT application_name FROM pg_stat_activity")).scalars().all()
        assert "coregroup dispatcher host-a:4242" in names
    finally:
        lock.release()


@pytest.mark.postgres
def test_replicas_started_together_on_an_empty_database_migrate_it_once():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(url) as database_url:
        engines = [make_engine(database_url) for _ in range(3)]
        errors: list[Exception] = []
        barrier = threading.Barrier(3)

        def migrate(engine) -> None:
            barrier.wait()
            try:
                upgrade(engine)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=migrate, args=(e,)) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        try:
            assert errors == []
            assert {current_revision(e) for e in engines} == {current_revision(engines[0])} != {None}
        finally:
            for engine in engines:
                engine.dispose()


def test_starting_on_a_current_database_changes_no_schema(engine):
    """`coregroup run` upgrades at start: on a database `coregroup migrate` already brought up, that is a no-op."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement.strip().split()[0].upper())

    before = current_revision(engine)
    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert current_revision(engine) == before
    assert not {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"} & set(statements)


@pytest.mark.postgres
def test_a_standby_replica_is_healthy_and_its_healthz_says_it_stands_by_while_it_keeps_ticking(pg_engine, fake_slack):
    with (
        BotHarness(engine=pg_engine, fake=fake_slack, now=NOW) as first,
        BotHarness(engine=pg_engine, fake=fake_slack, now=NOW) as second,
    ):
        first.sweep(NOW)
        second.sweep(NOW)
        assert second.dispatch().standing_by
        assert healthz(second) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "standing by"})
        assert healthz(first) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})
        second.at(NOW + timedelta(minutes=3))
        second.runtime.sweep()
        assert healthz(second) == (
            503,
            {"status": "error", "database": "ok", "sweep": "ok", "dispatcher": "stale: last pass 3 min ago"},
        )
        assert second.dispatch().standing_by  # its next tick: standing by again, and fresh
        assert healthz(second)[0] == 200 and healthz(second)[1]["dispatcher"] == "standing by"


def healthz(harness: BotHarness) -> tuple[int, dict]:
    try:
        with OPENER.open(f"{harness.url}/healthz", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
