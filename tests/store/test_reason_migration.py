"""Migration 0011 on both engines: reasons already in the audit move to their records, the audit keeps lengths."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.migrate import upgrade
from tests.conftest import PG_SKIP_REASON
from tests.harness import postgres_database

AT = "2027-05-17 09:00:00"
MOVED_FROM, MOVED_TO = "2027-06-01T09:00:00+00:00", "2027-06-03T13:30:00+00:00"


@contextlib.contextmanager
def database_at_0008(kind: str, tmp_path) -> Iterator:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'at-0008.db'}")
        upgrade(engine, "0008")
        yield engine
        engine.dispose()
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(url) as database_url:
        engine = make_engine(database_url)
        upgrade(engine, "0008")
        yield engine
        engine.dispose()


def old_rows(connection) -> None:
    """A refused-then-upheld request and meetings moved twice, cancelled and erased, as 0008 kept them."""
    run = connection.execute
    run(
        text(
            "INSERT INTO organisation (id, name, profile, nation, timezone, coordinator, policy_overrides, "
            "closure_days, retention_years, admins, created_at, updated_at) VALUES (1, 'Fife', 'fife', 'scotland', "
            "'Europe/London', 'U0COORD', '{}', '[]', 25, '[]', :at, :at)"
        ),
        {"at": AT},
    )
    run(
        text(
            'INSERT INTO "case" (id, organisation_id, reference, channel, registered_on, status, created_at, '
            "updated_at) VALUES (1, 1, 'CP-1', 'C1', '2027-05-03', 'open', :at, :at)"
        ),
        {"at": AT},
    )
    for meeting_id, status, cancel in ((1, "scheduled", None), (2, "cancelled", "Chair off sick")):
        run(
            text(
                "INSERT INTO meeting (id, case_id, kind, status, starts_at, mode, cancel_reason, created_at, "
                "updated_at) VALUES (:id, 1, 'regular', :status, :at, 'in_person', :cancel, :at, :at)"
            ),
            {"id": meeting_id, "status": status, "cancel": cancel, "at": AT},
        )
    run(
        text(
            "INSERT INTO meeting_request (id, case_id, requested_by, requested_at, concern, urgency, details, status, "
            "decider, routed_to, decided_by, decided_at, decision_reason, outcome_by, outcome_at, outcome_reason) "
            "VALUES (1, 1, 'U0HV', :at, 'new', 'routine', 'x', 'upheld', 'U0TL', 'U0TL', 'U0TL', :at, "
            "'Covered at the review', 'U0COORD', :at, NULL)"
        ),
        {"at": AT},
    )
    events = [
        ("request.decided", "U0TL", {"request_id": 1, "decision": "refused", "reason": "Covered at the review"}),
        ("request.outcome", "U0COORD", {"request_id": 1, "outcome": "upheld", "reason": "Next review in a week"}),
        (
            "meeting.rescheduled",
            "U0CHAIR",
            {"meeting_id": 1, "previous": MOVED_FROM, "starts_at": MOVED_TO, "reason": "Venue flooded"},
        ),
        (
            "meeting.rescheduled",
            "U0CHAIR",
            {"meeting_id": 1, "previous": MOVED_TO, "starts_at": MOVED_FROM, "reason": "Back to the first date"},
        ),
        ("meeting.cancelled", "U0CHAIR", {"meeting_id": 2, "starts_at": MOVED_FROM, "reason": "Chair off sick"}),
        (
            "meeting.rescheduled",
            "U0CHAIR",
            {"meeting_id": 99, "previous": MOVED_FROM, "starts_at": MOVED_TO, "reason": "Erased with its case"},
        ),
        ("meeting.scheduled", "U0CHAIR", {"meeting_id": 1, "reason": "additional meeting request 1"}),
    ]
    for n, (action, actor, detail) in enumerate(events, start=1):
        run(
            text(
                "INSERT INTO audit_event (id, at, action, case_id, actor, detail) VALUES (:id, :at, :action, 1, "
                ":actor, :detail)"
            ),
            {"id": n, "at": AT, "action": action, "actor": actor, "detail": json.dumps(detail)},
        )


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_upgrading_moves_each_audited_reason_to_its_record_and_leaves_its_length(kind, tmp_path):
    with database_at_0008(kind, tmp_path) as engine:
        with engine.begin() as connection:
            old_rows(connection)
        upgrade(engine)
        with engine.connect() as connection:
            audit = {
                r.id: (r.action, _json(r.detail))
                for r in connection.execute(text("SELECT id, action, detail FROM audit_event ORDER BY id"))
            }
            request = connection.execute(
                text("SELECT decision_reason, outcome_reason FROM meeting_request WHERE id = 1")
            ).one()
            cancelled = connection.execute(text("SELECT cancel_reason FROM meeting WHERE id = 2")).scalar()
            moves = connection.execute(
                text(
                    "SELECT id, meeting_id, moved_at, moved_by, previous_starts_at, starts_at, reason FROM meeting_move "
                    "ORDER BY id"
                )
            ).all()

    # The requests' and the meetings' words are on their records ...
    assert tuple(request) == ("Covered at the review", "Next review in a week")
    assert cancelled == "Chair off sick"
    assert [(m.meeting_id, m.moved_by, m.reason) for m in moves] == [
        (1, "U0CHAIR", "Venue flooded"),
        (1, "U0CHAIR", "Back to the first date"),
    ]
    first = moves[0]
    assert _utc(first.previous_starts_at) == datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
    assert _utc(first.starts_at) == datetime(2027, 6, 3, 13, 30, tzinfo=timezone.utc)
    assert _utc(first.moved_at) == datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)
    # ... and the audit keeps what happened and how long the reason was, never the words.
    assert audit[1] == ("request.decided", {"request_id": 1, "decision": "refused", "reason_length": 21})
    assert audit[2] == ("request.outcome", {"request_id": 1, "outcome": "upheld", "reason_length": 21})
    assert audit[3][1] == {
        "meeting_id": 1,
        "previous": MOVED_FROM,
        "starts_at": MOVED_TO,
        "reason_length": 13,
        "move_id": moves[0].id,
    }
    assert audit[4][1]["move_id"] == moves[1].id and audit[4][1]["reason_length"] == 22
    assert audit[5] == ("meeting.cancelled", {"meeting_id": 2, "starts_at": MOVED_FROM, "reason_length": 14})
    # A move of a meeting erased with its case keeps only the length: the words went with the record.
    assert audit[6][1] == {"meeting_id": 99, "previous": MOVED_FROM, "starts_at": MOVED_TO, "reason_length": 20}
    # The bot's own words about why a meeting exists are not typed text and stay.
    assert audit[7][1] == {"meeting_id": 1, "reason": "additional meeting request 1"}
    everything = json.dumps([d for _, d in audit.values()])
    for typed in ("Covered", "Next review", "Venue", "first date", "off sick", "Erased"):
        assert typed not in everything


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
