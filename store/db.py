"""Engine and session factory, with the per-engine settings each database needs."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, Table, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; on SQLite turn on foreign keys and WAL for every connection."""
    # Parameters are what people typed: a database error must not carry them into the log.
    kwargs["hide_parameters"] = True
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    elif url.startswith("postgresql"):
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling defers BEGIN; we emit it ourselves (see _sqlite_on_begin)
    # so that SELECT ... then UPDATE in one unit of work is really one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READ_ONLY = "coregroup_read_only"


def _sqlite_on_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking; a unit of work that only
    # reads (a card's refresh) begins deferred, so it never waits behind the 09:00 sweep's writes.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)


def check_database(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query (used by /healthz)."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (`Session.execute` is typed as returning a plain `Result`)."""
    return cast(CursorResult[Any], result).rowcount


def required(row: T | None, model: type, key: object) -> T:
    """`row`, which the caller knows exists: a missing one is a bug, never a user's mistake."""
    if row is None:
        raise LookupError(f"no {model.__name__} {key}")
    return row


def table_of(model: type) -> Table:
    """A mapped class's table, typed as the `Table` it is (the declarative base declares a `FromClause`)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined] # set by the declarative base
