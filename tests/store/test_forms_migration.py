"""Revision 0010 on a database at the previous head, on both engines: letters written twice about the same person
before it are all kept (the earliest becomes that person's letter), and every recorded attendance stays invited."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.migrate import upgrade
from tests.conftest import PG_SKIP_REASON
from tests.harness import postgres_database

AT = datetime(2027, 8, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_at_0008(request, tmp_path):
    """A new database migrated to revision 0008, with one case, a record, and two letters about one Father."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'at-0008.db'}"
        else:
            if not os.environ.get("TEST_DATABASE_URL"):
                pytest.skip(PG_SKIP_REASON)
            url = stack.enter_context(postgres_database(os.environ["TEST_DATABASE_URL"]))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        upgrade(engine, "0008")
        with engine.begin() as db:
            db.execute(
                text(
                    "INSERT INTO organisation (id, name, profile, nation, timezone, coordinator, closure_days, "
                    "policy_overrides, retention_years, admins, created_at, updated_at) VALUES (1, 'Fife', "
                    "'fife', 'scotland', 'Europe/London', 'U0COORD', '[]', '{}', 7, '[]', :at, :at)"
                ),
                {"at": AT},
            )
            db.execute(
                text(
                    'INSERT INTO "case" (id, organisation_id, reference, channel, registered_on, status, '
                    "created_at, updated_at) VALUES (1, 1, 'CP-1', 'C1', '2027-07-01', 'open', :at, :at)"
                ),
                {"at": AT},
            )
            db.execute(
                text(
                    "INSERT INTO meeting (id, case_id, kind, status, starts_at, mode, created_at, updated_at) "
                    "VALUES (1, 1, 'regular', 'held', :at, 'in_person', :at, :at)"
                ),
                {"at": AT},
            )
            db.execute(
                text(
                    "INSERT INTO meeting_record (id, meeting_id, case_id, held_at, recorded_by, recorded_at, "
                    "supports, monitoring, outcomes, contingency, extra_checklist, significant_amendment, "
                    "institution) VALUES (1, 1, 1, :at, 'U0CHAIR', :at, 's', 'm', 'o', 'c', '{}', false, true)"
                ),
                {"at": AT},
            )
            db.execute(
                text(
                    "INSERT INTO meeting_attendance (record_id, user_id, attended) VALUES "
                    "(1, 'U0HV', true), (1, 'U0POL', false)"
                )
            )
            for letter_id, relationship in ((1, "Father"), (2, " father"), (3, "Mother")):
                db.execute(
                    text(
                        "INSERT INTO institution_letter (id, case_id, status, relationship, requested_by, "
                        "requested_at, reminders_sent, message_keys, created_at) VALUES (:id, 1, 'to_send', "
                        ":relationship, 'U0CHAIR', :at, 0, '[]', :at)"
                    ),
                    {"id": letter_id, "relationship": relationship, "at": AT},
                )
        yield engine


def test_upgrading_keeps_every_letter_and_keys_the_earliest_about_each_person(database_at_0008):
    upgrade(database_at_0008)
    with database_at_0008.connect() as db:
        letters = db.execute(text("SELECT id, person_key FROM institution_letter ORDER BY id")).all()
        attendance = db.execute(text("SELECT user_id, attended, invited FROM meeting_attendance ORDER BY id")).all()
    assert [tuple(row) for row in letters] == [(1, "father"), (2, None), (3, "mother")]
    assert [tuple(row) for row in attendance] == [("U0HV", True, True), ("U0POL", False, True)]
