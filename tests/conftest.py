"""Fixtures shared by every layer: databases on both engines, the fake Slack, the running bot."""

from __future__ import annotations

import os

import pytest

from tests.harness import (
    BotHarness,
    clean_database,
    migrated_engine,
    postgres_database,
)

# slack_sdk honours HTTP(S)_PROXY and ignores NO_PROXY: local fakes must never go through a proxy.
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)

PG_SKIP_REASON = (
    "PostgreSQL leg skipped: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run it"
)


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory):
    engine = migrated_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'coregroup-test.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(url) as database_url:
        engine = migrated_engine(database_url)
        yield engine
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request):
    """A migrated database on each engine, emptied after the test."""
    engine = request.getfixturevalue(f"{request.param}_engine")
    clean_database(engine)
    yield engine
    clean_database(engine)


@pytest.fixture
def sqlite_only_engine(sqlite_engine):
    clean_database(sqlite_engine)
    yield sqlite_engine
    clean_database(sqlite_engine)


@pytest.fixture
def uow_factory(engine):
    from store.db import make_session_factory
    from store.uow import UnitOfWork

    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory)


@pytest.fixture
def fake_slack():
    from sandbox.fake_slack import FakeSlack

    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def bot(engine, fake_slack):
    """The real bot over HTTP, on each database engine, talking to the fake Slack."""
    with BotHarness(engine=engine, fake=fake_slack) as harness:
        yield harness
