"""Migration 0009: delegations made before scopes existed keep the meaning they had when they were made."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.migrate import upgrade
from tests.conftest import PG_SKIP_REASON
from tests.harness import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty database on each engine, for building up to a chosen revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before-0009.db'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(url) as fresh:
        yield fresh


def test_an_existing_coordinators_delegation_covers_their_work_and_a_team_leaders_covers_request_decisions(
    database_url,
):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0008")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, profile, nation, timezone, coordinator, closure_days, "
                    "policy_overrides, retention_years, admins, created_at, updated_at) VALUES (1, "
                    "'South Ayrshire Council', 'south-ayrshire', 'scotland', 'Europe/London', 'U0COORD', '[]', '{}', 7, '[]', :now, :now)"
                ),
                {"now": "2027-08-02 09:00:00+00:00"},
            )
            for id_, principal, delegate in ((1, "U0COORD", "U0DEPC"), (2, "U0TL", "U0DEP"), (3, "U0CHAIR", "U0X")):
                connection.execute(
                    text(
                        "INSERT INTO delegate (id, organisation_id, principal, delegate, until, created_at) "
                        "VALUES (:id, 1, :principal, :delegate, '2027-08-13', :now)"
                    ),
                    {"id": id_, "principal": principal, "delegate": delegate, "now": "2027-08-02 09:00:00+00:00"},
                )
        upgrade(engine)
        with engine.connect() as connection:
            scopes = dict(connection.execute(text("SELECT principal, scope FROM delegate ORDER BY id")).all())
        # Before scopes, a delegation was made with `/core-group delegate`, "about requests" for a team leader
        # (a chair could not make one): so nobody's existing delegate chairs after the upgrade.
        assert scopes == {"U0COORD": "coordination", "U0TL": "request_decisions", "U0CHAIR": "request_decisions"}
    finally:
        engine.dispose()
