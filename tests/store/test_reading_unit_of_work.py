"""A unit of work that only reads (a Teams card's refresh): it never waits behind a writer and cannot commit."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from store.db import make_session_factory
from store.models import Organisation
from store.uow import UnitOfWork

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=timezone.utc)


def _add_organisation(uow_factory, name: str) -> None:
    with uow_factory() as uow:
        uow.session.add(
            Organisation(
                name=name, profile="wales", nation="wales", coordinator="U0COORD", created_at=NOW, updated_at=NOW
            )
        )
        uow.commit()


def test_a_reading_unit_of_work_sees_what_is_saved(uow_factory):
    _add_organisation(uow_factory, "Gwynedd")
    with uow_factory().reading() as uow:
        assert [o.name for o in uow.organisations.list()] == ["Gwynedd"]


def test_a_reading_unit_of_work_cannot_commit_and_saves_nothing(uow_factory):
    with uow_factory().reading() as uow:
        uow.session.add(
            Organisation(
                name="Powys", profile="wales", nation="wales", coordinator="U0C", created_at=NOW, updated_at=NOW
            )
        )
        with pytest.raises(RuntimeError, match="cannot commit"):
            uow.commit()
    with uow_factory() as uow:
        assert uow.organisations.list() == []


def test_a_reading_unit_of_work_does_not_wait_for_the_sweeps_write_lock_on_sqlite(sqlite_only_engine):
    factory = make_session_factory(sqlite_only_engine)
    _add_organisation(lambda: UnitOfWork(factory), "Ceredigion")
    read: list[str] = []
    with sqlite_only_engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: the sweep, mid-batch, holds SQLite's one write lock

        def refresh() -> None:
            with UnitOfWork(factory).reading() as uow:
                read.extend(o.name for o in uow.organisations.list())

        reader = threading.Thread(target=refresh)
        reader.start()
        reader.join(timeout=5)  # a writer's unit of work would wait up to the 30 s busy timeout here
        assert read == ["Ceredigion"]
        writer.rollback()
    reader.join()
