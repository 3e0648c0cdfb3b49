"""The change token a kept card answer is checked against (store/changes.py) moves on whenever something who-may-act
depends on is committed, by this process or any other; and it is None, so every look reads, whenever that cannot be
known. On both engines, with the real database."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, text, update

from bot.services.delegates import set_delegate
from store.changes import PostgresChanges, SqliteChanges, Unknown, changes_for
from store.db import make_engine, make_session_factory, table_of
from store.models import Organisation
from store.uow import UnitOfWork
from tests.harness import clean_database


def _eventually(check: Callable[[], bool], *, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def _listening(changes) -> object:
    """The first token once the signal can be trusted (PostgreSQL's listener connects in the background)."""
    assert _eventually(lambda: changes.token() is not None), "the change signal never became known"
    return changes.token()


NOW = datetime(2027, 5, 17, 9, tzinfo=timezone.utc)


def _organisation_id(engine) -> int:
    with UnitOfWork(make_session_factory(engine)) as uow:
        organisation = Organisation(
            name="Ceredigion", profile="wales", nation="wales", coordinator="U0COORD", created_at=NOW, updated_at=NOW
        )
        uow.session.add(organisation)
        uow.commit()
        return organisation.id


def _another_process(engine):
    """A separate engine on the same database: another replica, the worker or the CLI, as far as the signal knows."""
    return make_engine(engine.url.render_as_string(hide_password=False))


@pytest.fixture
def changes(engine):
    signal = changes_for(engine, sessions=make_session_factory(engine))
    yield signal
    signal.close()


def test_the_signal_suits_the_engine(engine, changes):
    assert isinstance(changes, PostgresChanges if engine.dialect.name == "postgresql" else SqliteChanges)


def test_a_new_coordinator_committed_by_another_process_moves_the_token_on(engine, changes):
    organisation_id = _organisation_id(engine)
    before = _listening(changes)
    assert changes.token() == before  # nothing committed: the kept answers hold

    other = _another_process(engine)
    with other.begin() as connection:
        organisation = table_of(Organisation)
        connection.execute(
            update(organisation).where(organisation.c.id == organisation_id).values(coordinator="U0NEWCOORD")
        )
    other.dispose()

    assert _eventually(lambda: changes.token() not in (before, None))


def test_a_commit_through_this_process_s_sessions_moves_the_token_on_at_once(engine):
    sessions = make_session_factory(engine)
    changes = changes_for(engine, sessions=sessions)
    try:
        organisation_id = _organisation_id(engine)
        before = _listening(changes)
        with UnitOfWork(sessions) as uow:
            uow.organisations.get(organisation_id).coordinator = "U0NEWCOORD"
            uow.commit()
        assert changes.token() != before  # no waiting: the next look already reads
    finally:
        changes.close()


def test_a_delegation_committed_elsewhere_moves_the_token_on(engine, changes):
    _organisation_id(engine)
    before = _listening(changes)
    with UnitOfWork(make_session_factory(engine)) as uow:  # a session factory the signal was not told about
        set_delegate(
            uow=uow,
            now=NOW,
            principal="U0COORD",
            delegate="U0CHAIR",
            until=date(2027, 5, 24),
        )
        uow.commit()
    assert _eventually(lambda: changes.token() not in (before, None))


def test_sqlite_reads_the_token_without_waiting_behind_a_writer(sqlite_engine):
    changes = SqliteChanges(sqlite_engine)
    clean_database(sqlite_engine)
    try:
        _organisation_id(sqlite_engine)
        before = changes.token()
        assert before is not None
        with sqlite_engine.begin() as connection:  # BEGIN IMMEDIATE: holds the write lock until the block ends
            connection.execute(text("UPDATE organisation SET name = name"))
            started = time.monotonic()
            assert changes.token() == before  # not committed yet: nothing to forget
            assert time.monotonic() - started < 1.0
        assert changes.token() != before
    finally:
        changes.close()
        clean_database(sqlite_engine)


def test_postgresql_says_unknown_while_its_listener_is_cut_off_and_forgets_everything_when_back(postgresql_engine):
    changes = PostgresChanges(postgresql_engine)
    try:
        before = _listening(changes)
        admin = create_engine(postgresql_engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            cut = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN coregroup%'"
                )
            ).all()
        admin.dispose()
        assert cut == [(True,)]

        assert _eventually(lambda: changes.token() is None), "a listener without its connection must say unknown"
        back = _listening(changes)  # it reconnects on its own
        assert back != before  # what changed while nobody listened is not trusted: every kept answer is forgotten
    finally:
        changes.close()


def _listeners(engine) -> int:
    """Connections of this database whose last statement was one of the signal's LISTENs."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN coregroup%'"
            )
        ).scalar_one()


def test_postgresql_listens_only_once_asked_and_stops_when_closed(postgresql_engine):
    changes = PostgresChanges(postgresql_engine)

    def listeners() -> int:
        return _listeners(postgresql_engine)

    assert listeners() == 0  # a worker, which never answers a look, holds no connection for it
    _listening(changes)
    assert listeners() == 1
    changes.close()
    assert _eventually(lambda: listeners() == 0)
    assert changes.token() is None


class _NoHeartbeatComesBack(PostgresChanges):
    """As behind PgBouncer in transaction mode: LISTEN succeeds, but nothing notified reaches this connection."""

    def _send_heartbeat(self, channel: str) -> None:
        super()._send_heartbeat("coregroup_nobody_listens")


def test_postgresql_trusts_nothing_while_its_own_heartbeat_does_not_come_back(postgresql_engine):
    changes = _NoHeartbeatComesBack(postgresql_engine)
    try:
        assert changes.token() is None
        deadline = time.monotonic() + 3 * PostgresChanges.HEARTBEAT_SECONDS
        while time.monotonic() < deadline:  # listening all along, heartbeats sent: still every look reads
            assert changes.token() is None
            time.sleep(0.05)
        assert _listeners(postgresql_engine) == 1  # it did connect and LISTEN: only the heartbeat is missing
    finally:
        changes.close()


def test_without_a_signal_every_look_reads():
    assert Unknown().token() is None
