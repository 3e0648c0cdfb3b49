"""Which replica dispatches the outbox: on PostgreSQL, the one holding a session advisory lock.

Several `coregroup run` replicas share one PostgreSQL. Each sweeps (every sweep step is a conditional update or
a `SKIP LOCKED` claim, and notices have idempotency keys, so each step is taken once whoever runs it), but only
one dispatches, so Slack's rate state (`bot.pacing.Pacer`: per-channel spacing, `Retry-After`, the learnt
workspace gap) lives in one process and N replicas never send N times the rate.

The lock is a session-level advisory lock held on a connection of its own for as long as the replica
dispatches. When the process dies its connection closes and PostgreSQL lets the lock go; the others try to take
it on each dispatcher tick (every second), so one of them takes over at once. TCP keepalives on that connection
(server and client side) make PostgreSQL notice a peer that vanished without closing its socket (a host that
lost power) within about half a minute. On SQLite there is one process (a second is refused), so it always
dispatches.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("coregroup.dispatcher")

#: The advisory lock's key (one bigint; advisory locks are per database, so two deployments on one server
#: with their own databases never contend).
DISPATCHER_LOCK_KEY = int.from_bytes(b"coregrp!", "big")
#: Keepalives on the lock's connection: a dead peer is noticed after idle + interval x count seconds (25 s).
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 10, 5, 3


def replica_name() -> str:
    """This process as an operator finds it: host and pid (shown in `pg_stat_activity.application_name`)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class DispatcherLock:
    """Whether this process is the one that dispatches; `held()` keeps the lock or tries to take it."""

    def __init__(self, engine: Engine, *, key: int = DISPATCHER_LOCK_KEY, name: str | None = None) -> None:
        self._postgresql = engine.dialect.name == "postgresql"
        self._url = engine.url
        self._key = key
        self._name = name or replica_name()
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._held = False
        self._announced: bool | None = None
        self._mutex = threading.Lock()

    @property
    def is_held(self) -> bool:
        """What the last `held()` found, without asking the database."""
        return self._held or not self._postgresql

    def held(self) -> bool:
        """True when this process dispatches: it holds the lock (its connection still answers) or just took it."""
        if not self._postgresql:
            return True
        with self._mutex:
            try:
                self._held = self._check() if self._held else self._try()
            except Exception as exc:  # the database or the connection went: give the lock up, try again next tick
                log.warning("dispatcher lock connection lost (%s): standing by", exc.__class__.__name__)
                self._drop()
            self._announce()
            return self._held

    def release(self) -> None:
        """Give the lock up (at shutdown): closing the connection lets PostgreSQL hand it to another replica."""
        with self._mutex:
            self._drop()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _check(self) -> bool:
        assert self._connection is not None  # held implies a connection
        self._connection.execute(text("SELECT 1"))
        return True

    def _try(self) -> bool:
        connection = self._connection or self._connect()
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar()
        if taken:
            role = f"coregroup dispatcher {self._name}"
            connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": role[:63]})
        return bool(taken)

    def _connect(self) -> Connection:
        if self._engine is None:
            # Its own engine without a pool: closing the connection really closes it, so the lock never
            # lingers on a pooled connection.
            self._engine = create_engine(
                self._url,
                poolclass=NullPool,
                hide_parameters=True,
                isolation_level="AUTOCOMMIT",  # never idle in a transaction while holding the lock
                connect_args={
                    "keepalives": 1,
                    "keepalives_idle": KEEPALIVE_IDLE,
                    "keepalives_interval": KEEPALIVE_INTERVAL,
                    "keepalives_count": KEEPALIVE_COUNT,
                    "application_name": f"coregroup standby {self._name}"[:63],
                },
            )
        connection = self._engine.connect()
        for setting, value in (
            ("tcp_keepalives_idle", KEEPALIVE_IDLE),
            ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
            ("tcp_keepalives_count", KEEPALIVE_COUNT),
        ):
            connection.execute(
                text("SELECT set_config(:setting, :value, false)"), {"setting": setting, "value": str(value)}
            )
        self._connection = connection
        return connection

    def _drop(self) -> None:
        self._held = False
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()
                connection.close()
            except Exception:  # already gone: nothing to give back
                log.debug("dispatcher lock connection was already closed")

    def _announce(self) -> None:
        if self._announced is self._held:
            return
        self._announced = self._held
        if self._held:
            log.info("this replica (%s) dispatches the outbox: it holds the dispatcher lock", self._name)
        else:
            log.info("this replica (%s) stands by: another one dispatches the outbox", self._name)
