"""Which databases the one-process lock guards: SQLite files, not PostgreSQL or an in-memory SQLite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.single_process import AlreadyRunning, hold_sqlite_database, sqlite_file


def test_a_sqlite_file_is_resolved_as_sqlite_would_resolve_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sqlite_file("sqlite:///coregroup.db") == tmp_path / "coregroup.db"
    assert sqlite_file(f"sqlite:///{tmp_path}/data/x.db") == tmp_path / "data" / "x.db"


def test_postgresql_and_in_memory_sqlite_have_nothing_to_lock():
    assert sqlite_file("postgresql+psycopg://postgres@127.0.0.1:5432/coregroup") is None
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert hold_sqlite_database("sqlite://") is None


def test_the_lock_file_sits_beside_the_database_and_names_the_holder(tmp_path):
    lock = hold_sqlite_database(f"sqlite:///{tmp_path / 'c.db'}")
    assert lock is not None
    try:
        assert lock.path == tmp_path / "c.db.lock"
        assert Path(lock.path).read_text().strip() == str(os.getpid())
    finally:
        lock.release()


def test_a_database_folder_that_does_not_exist_is_said_plainly(tmp_path):
    with pytest.raises(AlreadyRunning, match="cannot create its lock file .*missing.*c.db.lock"):
        hold_sqlite_database(f"sqlite:///{tmp_path / 'missing' / 'c.db'}")
