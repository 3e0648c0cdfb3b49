"""SQLite serves one `coregroup run`: an OS lock on `<database>.lock`, held for the life of the process.

Two processes on one SQLite file would each sweep and each dispatch, and SQLite's single writer would make
them queue behind each other; several replicas need PostgreSQL. The lock is the operating system's (flock on
POSIX, msvcrt on Windows), so it goes when the process dies, however it dies: no stale lock to clear by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

__all__ = ["AlreadyRunning", "DatabaseLock", "hold_sqlite_database"]


class AlreadyRunning(Exception):
    """Another process holds the SQLite database's lock (or the lock file cannot be made)."""


class DatabaseLock:
    """A held lock; `release()` gives it back (the end of the process does too)."""

    def __init__(self, handle: IO[str], path: Path) -> None:
        self.handle, self.path = handle, path

    def release(self) -> None:
        self.handle.close()  # closing the descriptor releases the OS lock


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file `database_url` names, resolved as SQLite would; None for other databases and
    for an in-memory SQLite (nothing to share)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return Path(database).expanduser().resolve()


def hold_sqlite_database(database_url: str, *, unless_held_by: int | None = None) -> DatabaseLock | None:
    """Take the lock beside a SQLite database file for this process (None: not SQLite, nothing to hold; or
    held already by the process `unless_held_by`, this one's parent: `coregroup run` and its worker are one).

    Raises `AlreadyRunning` with a message for the operator when another process holds it.
    """
    database = sqlite_file(database_url)
    if database is None:
        return None
    path = database.with_name(database.name + ".lock")
    try:
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held open for the life of the process
    except OSError as exc:
        raise AlreadyRunning(
            f"coregroup cannot create its lock file {path} beside the SQLite database ({exc.strerror or exc})."
        ) from None
    try:
        _lock(handle)
    except OSError:
        holder = _holder(path)
        handle.close()
        if unless_held_by is not None and holder == str(unless_held_by):
            return None
        raise AlreadyRunning(
            f"Another coregroup is already running on the SQLite database {database}"
            + (f" (process {holder} holds {path})" if holder else f" (it holds {path})")
            + ". SQLite serves one coregroup process: stop the other one first, or use PostgreSQL "
            "(DATABASE_URL=postgresql+psycopg://...) to run several."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return DatabaseLock(handle, path)


def _holder(path: Path) -> str | None:
    """The process id the holder wrote into the lock file, when it can be read."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.isdigit() else None


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # raises OSError when another process holds it

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises OSError (EWOULDBLOCK) when held
