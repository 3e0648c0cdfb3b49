"""Fixtures for the store tests: a new, empty database of each kind for the upgrade tests."""

from __future__ import annotations

import os

import pytest

from store.db import make_engine
from tests.conftest import PG_SKIP_REASON
from tests.harness import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_database(request, tmp_path):
    """An engine on a new, empty database of each kind (the upgrade tests build an old schema in it)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(url) as database_url:
        engine = make_engine(database_url)
        yield engine
        engine.dispose()
