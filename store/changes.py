"""Whether anything a request card's answer depends on may have changed, without asking the database each time.

A Teams request card is refreshed each time a decider looks at it. Reading the database for every look cost more than
the rest of the answer, so an answer is kept with a *token* and given again only while the token is unchanged:

- **PostgreSQL:** triggers on the tables who-may-act is decided from (`meeting_request`, `delegate`, `organisation`,
  "case"; migration 0024) `NOTIFY coregroup_decisions` when a change commits, from any replica, the worker or the
  CLI. A thread holds a listening connection and moves the token on for each notification; it trusts that path only
  while its own heartbeat comes back through it. A notification arrives just after the commit (well under a
  millisecond on one host): a look in that moment can be answered as before.
- **SQLite:** `PRAGMA data_version` on a connection of its own, which moves on when any other connection commits
  anything (another process too). It is read on each look, so nothing is ever missed, at the price of forgetting
  answers on every commit.
- **PostgreSQL, this process:** a commit through its own sessions moves the token on at once (`after_commit`),
  without waiting for the notification.

The token is None whenever that cannot be known (listener not yet or no longer connected, database busy): the caller
then reads, and keeps nothing. Decisions never come from here: every click is checked in the database.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Hashable
from typing import Any, Protocol

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("coregroup.changes")

#: The channel the 0024 triggers notify on.
CHANNEL = "coregroup_decisions"


class Changes(Protocol):
    """A token that moves on whenever something a kept answer depends on may have changed."""

    def token(self) -> Hashable | None:
        """The current token; None when it cannot be known (then read, and keep nothing)."""
        ...

    def close(self) -> None: ...


class Unknown:
    """No signal: every look reads."""

    def token(self) -> Hashable | None:
        return None

    def close(self) -> None:
        pass


class _LocalCommits:
    """Moves on after each commit of this process's sessions: its own writes show at once, not a notification later."""

    def __init__(self, sessions: sessionmaker[Session] | None) -> None:
        self._count = itertools.count()
        self.value = next(self._count)
        self._sessions = sessions
        if sessions is not None:
            event.listen(sessions, "after_commit", self._committed)

    def _committed(self, _session: Session) -> None:
        self.value = next(self._count)

    def close(self) -> None:
        if self._sessions is not None and event.contains(self._sessions, "after_commit", self._committed):
            event.remove(self._sessions, "after_commit", self._committed)


class SqliteChanges:
    """`PRAGMA data_version` on a connection that only ever asks that: it moves on with every other connection's
    commit, in this process or another."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None

    def _dbapi(self) -> Any:
        if self._connection is None:
            # Ours alone (data_version is per connection) and not the pool's, so the event loop never waits for a
            # free one; timeout=0: a busy database just means "read".
            self._connection = sqlite3.connect(
                self._engine.url.database or "", timeout=0, isolation_level=None, check_same_thread=False
            )
        return self._connection

    def token(self) -> Hashable | None:
        try:
            with self._lock:
                (version,) = self._dbapi().execute("PRAGMA data_version").fetchone()
        except Exception as error:  # any failure means "cannot tell": the caller reads
            log.warning(
                "could not read SQLite's data_version (%s): refresh answers are read, not kept", type(error).__name__
            )
            self._reset()
            return None
        return version

    def _reset(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken; a new one is opened at the next look
                connection.close()

    def close(self) -> None:
        self._reset()


class PostgresChanges:
    """A thread listening on `CHANNEL`, started at the first look (a worker, which never answers looks, holds no
    connection for it).

    The token is None until it listens, whenever its connection is lost, and whenever its own heartbeat has not come
    back lately: every `HEARTBEAT_SECONDS` it notifies a channel of its own from a pooled connection, as another
    replica would, and trusts what it has heard only while that arrives. So a path that does not carry notifications
    (PgBouncer in transaction mode, a half-open connection after a failover) means reading, never stale answers."""

    HEARTBEAT_SECONDS = 1.0
    TRUST_SECONDS = 3.0  # since the last heartbeat heard: after that, every look reads
    DEAF_SECONDS = 10.0  # nothing heard for this long on a connection: make a new one
    RECONNECT_SECONDS = (0.5, 1, 2, 5, 10, 30)

    def __init__(self, engine: Engine, *, sessions: sessionmaker[Session] | None = None) -> None:
        self._engine = engine
        self._local = _LocalCommits(sessions)
        self._heard = itertools.count()
        self._generation = next(self._heard)
        self._alive_at = -math.inf  # when this listener last heard its own heartbeat (time.monotonic)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def token(self) -> Hashable | None:
        if self._thread is None:
            self._start()
        # The generation first: a connection lost after this moves it on and stops the heartbeat being recent.
        generation = self._generation
        if time.monotonic() - self._alive_at > self.TRUST_SECONDS:
            return None
        return (generation, self._local.value)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="coregroup-changes", daemon=True)
                self._thread.start()

    def _moved(self) -> None:
        self._generation = next(self._heard)

    def _send_heartbeat(self, channel: str) -> None:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})
            connection.commit()

    def _run(self) -> None:
        failures = 0
        heartbeat = f"coregroup_alive_{uuid.uuid4().hex}"  # this listener's alone
        while not self._stop.is_set():
            connection: Any = None
            try:
                pooled = self._engine.raw_connection()
                pooled.detach()  # held for as long as it listens: not the pool's
                connection = pooled.dbapi_connection
                connection.autocommit = True
                connection.execute(f"LISTEN {CHANNEL}")
                connection.execute(f"LISTEN {heartbeat}")
                # Whatever changed while nobody listened: everything kept before this point is forgotten.
                self._moved()
                self._listen(connection, heartbeat)
                failures = 0
            except Exception as error:
                if not self._stop.is_set():
                    log.warning(
                        "lost the database's change notifications (%s): refresh answers are read", type(error).__name__
                    )
            finally:
                self._alive_at = -math.inf
                self._moved()
                if connection is not None:
                    with contextlib.suppress(Exception):  # already broken
                        connection.close()
            if self._stop.wait(self.RECONNECT_SECONDS[min(failures, len(self.RECONNECT_SECONDS) - 1)]):
                break
            failures += 1

    def _listen(self, connection: Any, heartbeat: str) -> None:
        connected_at = sent_at = time.monotonic()
        self._send_heartbeat(heartbeat)
        while not self._stop.is_set():
            for notification in connection.notifies(timeout=0.2):
                if notification.channel == heartbeat:
                    # Notifications come in commit order: every change committed before the heartbeat was heard.
                    self._alive_at = time.monotonic()
                else:
                    self._moved()
            now = time.monotonic()
            if now - max(self._alive_at, connected_at) > self.DEAF_SECONDS:
                raise TimeoutError("the listener's own heartbeat did not come back")
            if now - sent_at >= self.HEARTBEAT_SECONDS:
                self._send_heartbeat(heartbeat)
                sent_at = now

    def close(self) -> None:
        self._stop.set()
        self._local.close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def changes_for(engine: Engine, *, sessions: sessionmaker[Session] | None = None) -> Changes:
    """The signal this engine can give."""
    if engine.dialect.name == "postgresql":
        return PostgresChanges(engine, sessions=sessions)
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return SqliteChanges(engine)  # its data_version sees this process's commits too: they are other connections
    return Unknown()
