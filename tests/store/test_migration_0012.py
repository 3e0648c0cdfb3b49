"""Upgrading keeps data (issue 13, point 8): a database at the previous head (0008) with rows in every table is
upgraded on each engine; each open obligation is then in the ledger with its due date, nothing closed is, and no
other row changed."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, MetaData, Table, select

from store.migrate import upgrade
from store.models import Base

UTC = timezone.utc
T0 = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)


def at(day: int, month: int = 5, hour: int = 9) -> datetime:
    return datetime(2027, month, day, hour, 0, tzinfo=UTC)


ROWS: list[tuple[str, dict]] = [
    (
        "organisation",
        dict(
            id=1,
            name="South Ayrshire Council",
            profile="south-ayrshire",
            nation="scotland",
            coordinator="U0COORD",
            created_at=T0,
            updated_at=T0,
        ),
    ),
    (
        "case",
        dict(
            id=1,
            organisation_id=1,
            reference="CP-2027-0142",
            channel="C0CASE142",
            registered_on=date(2027, 5, 10),
            created_at=T0,
            updated_at=T0,
        ),
    ),
    (
        "case",
        dict(
            id=2,
            organisation_id=1,
            reference="CP-2027-0143",
            channel="C0CASE143",
            registered_on=date(2027, 1, 4),
            status="deregistered",
            created_at=T0,
            updated_at=T0,
        ),
    ),
    *[
        ("case_role", dict(id=i, case_id=1, role=role, user_id=user))
        for i, (role, user) in enumerate((("chair", "U0CHAIR"), ("team_leader", "U0TL"), ("member", "U0HV")), start=1)
    ],
    ("case_role", dict(id=4, case_id=1, role="participant", label="Mother")),
    (
        "delegate",
        dict(id=1, organisation_id=1, principal="U0TL", delegate="U0COORD", until=date(2027, 6, 1), created_at=T0),
    ),
    ("meeting", dict(id=1, case_id=1, kind="first", status="held", starts_at=at(24), created_at=T0, updated_at=T0)),
    ("meeting", dict(id=2, case_id=1, status="scheduled", starts_at=at(21, 6), created_at=T0, updated_at=T0)),
    (
        "meeting",
        dict(
            id=3,
            case_id=1,
            status="cancelled",
            starts_at=at(14, 6),
            cancel_reason="moved",
            created_at=T0,
            updated_at=T0,
        ),
    ),
    (
        "meeting_reminder",
        dict(id=1, meeting_id=2, case_id=1, working_days_before=2, meeting_starts_at=at(21, 6), due_at=at(17, 6)),
    ),
    (
        "meeting_due",
        dict(
            id=1,
            case_id=1,
            basis="first",
            due_on=date(2027, 5, 24),
            flag_at=at(24, 5, 8),
            status="met",
            resolved_by_meeting_id=1,
            created_at=T0,
        ),
    ),
    (
        "meeting_due",
        dict(
            id=2,
            case_id=1,
            basis="after_meeting",
            after_meeting_id=1,
            due_on=date(2027, 6, 24),
            flag_at=at(24, 6, 8),
            status="scheduled",
            created_at=at(24),
        ),
    ),
    (
        "meeting_record",
        dict(
            id=1,
            meeting_id=1,
            case_id=1,
            held_at=at(24),
            recorded_by="U0CHAIR",
            recorded_at=at(24),
            supports="s",
            monitoring="m",
            outcomes="o",
            contingency="c",
        ),
    ),
    ("meeting_attendance", dict(id=1, record_id=1, user_id="U0HV", attended=True)),
    ("meeting_attendance", dict(id=2, record_id=1, label="Mother", attended=False)),
    (
        "meeting_action",
        dict(
            id=1,
            record_id=1,
            case_id=1,
            description="Refer to CAMHS",
            owner_user_id="U0HV",
            due_on=date(2027, 6, 4),
            remind_at=at(4, 6, 8),
        ),
    ),
    (
        "meeting_action",
        dict(
            id=2,
            record_id=1,
            case_id=1,
            description="Book the room",
            owner_user_id="U0CHAIR",
            due_on=date(2027, 5, 28),
            status="done",
            remind_at=at(28, 5, 8),
        ),
    ),
    (
        "meeting_request",
        dict(
            id=1,
            case_id=1,
            requested_by="U0HV",
            requested_at=at(26),
            concern="new",
            urgency="routine",
            details="d",
            decider="U0TL",
            routed_to="U0TL",
            remind_at=at(27),
            escalate_at=at(28),
        ),
    ),
    (
        "meeting_request",
        dict(
            id=2,
            case_id=1,
            requested_by="U0HV",
            requested_at=at(20),
            concern="new",
            urgency="routine",
            details="d",
            decider="U0TL",
            routed_to="U0TL",
            status="approved",
            decided_at=at(20, 5, 11),
        ),
    ),
    (
        "meeting_request",
        dict(
            id=3,
            case_id=1,
            requested_by="U0HV",
            requested_at=at(19),
            concern="deepening",
            urgency="urgent",
            details="d",
            decider="U0TL",
            routed_to="U0TL",
            status="with_coordinator",
            coordinator_asked_at=at(21),
            coordinator="U0COORD",
            coordinator_routed_to="U0COORD",
        ),
    ),
    (
        "plan_receipt",
        dict(
            id=1,
            record_id=1,
            case_id=1,
            meeting_id=1,
            held_on=date(2027, 5, 24),
            due_on=date(2027, 6, 1),
            due_at=at(1, 6, 22),
            created_at=at(24),
        ),
    ),
    ("plan_copy", dict(id=1, receipt_id=1, case_id=1, label="Mother", attended=False, due_at=at(1, 6, 22))),
    (
        "plan_copy",
        dict(
            id=2,
            receipt_id=1,
            case_id=1,
            user_id="U0HV",
            attended=True,
            status="sent",
            due_at=at(1, 6, 22),
            sent_at=at(25),
        ),
    ),
    (
        "plan_copy",
        dict(
            id=3,
            receipt_id=1,
            case_id=1,
            user_id="U0TL",
            attended=True,
            status="received",
            due_at=at(1, 6, 22),
            received_at=at(26),
        ),
    ),
    (
        "cp9",
        dict(
            id=1,
            record_id=1,
            case_id=1,
            meeting_id=1,
            form_name="CP9",
            held_on=date(2027, 5, 24),
            nominal_due_on=date(2027, 5, 31),
            due_on=date(2027, 5, 28),
            due_at=at(28, 5, 22),
            created_at=at(24),
        ),
    ),
    (
        "institution_letter",
        dict(id=1, case_id=1, record_id=1, requested_by="U0CHAIR", requested_at=at(24), created_at=at(24)),
    ),
    (
        "deregistration",
        dict(
            id=1,
            case_id=2,
            review_conference_on=date(2027, 5, 3),
            convener="U0CHAIR",
            meeting_chair="U0CHAIR",
            agreed_by="consensus",
            target_on=date(2027, 6, 21),
            window_opens_on=date(2027, 6, 14),
            window_closes_on=date(2027, 6, 28),
            recorded_by="U0CHAIR",
            recorded_at=at(3),
            next_step="opens",
            next_at=at(14, 6, 8),
        ),
    ),
    ("audit_event", dict(at=T0, action="case.imported", case_id=1, actor="U0ADMIN")),
    (
        "outbox",
        dict(
            idempotency_key="meeting_scheduled:2",
            kind="meeting_scheduled",
            recipient="C0CASE142",
            case_id=1,
            created_at=T0,
            next_attempt_at=T0,
        ),
    ),
    ("processed_event", dict(event_id="Ev1", received_at=T0)),
    ("home_tab", dict(user_id="U0COORD", opened_at=T0)),
]

#: Defaults of 0008 columns that later revisions dropped (the models no longer supply them).
OLD_DEFAULTS = {
    "meeting_action": {"reminder_status": "pending"},
    "institution_letter": {"reminders_sent": 0},
    "plan_copy": {"reminder_step": 0, "reminders_sent": 0},
    "cp9": {"reminder_step": 0, "reminders_sent": 0},
}

#: (kind, subject_type, subject_id, recipient, owner, due_at): every open obligation above, and nothing closed.
EXPECTED = {
    ("meeting_record", "meeting", 2, "", "U0CHAIR", at(21, 6)),
    ("next_meeting", "meeting_due", 2, "", "U0CHAIR", at(24, 6, 8)),
    ("action", "action", 1, "", "U0HV", at(4, 6, 8)),
    ("request_decision", "request", 1, "", "U0TL", at(26)),
    ("coordinator_decision", "request", 3, "", "U0COORD", at(21)),
    ("plan_copy_sent", "plan_copy", 1, "Mother", "U0CHAIR", at(1, 6, 22)),
    ("plan_copy_received", "plan_copy", 2, "U0HV", "U0HV", at(1, 6, 22)),
    ("cp9_sent", "cp9", 1, "", "U0CHAIR", at(28, 5, 22)),
    ("letter_details", "letter", 1, "", "U0CHAIR", at(24)),
    ("post_dereg_meeting", "deregistration", 1, "", "U0CHAIR", at(14, 6, 8)),
}


def tables_at_0008(engine) -> MetaData:
    """The schema as revision 0008 left it (later revisions add columns and tables the rows must not need)."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def insertable(name: str, old: MetaData) -> Table:
    """The model's columns that 0008 has (their types and defaults), with the columns 0008 had that a later revision
    dropped (0008's types, `OLD_DEFAULTS` for those the rows must fill)."""
    model = Base.metadata.tables[name].columns
    dropped = (
        Column(c.name, c.type, default=OLD_DEFAULTS.get(name, {}).get(c.name))
        for c in old.tables[name].columns
        if c.name not in model
    )
    return Table(name, MetaData(), *(c._copy() for c in model if c.name in old.tables[name].columns), *dropped)


def fill(engine, rows: list[tuple[str, dict]] = ROWS) -> MetaData:
    """Rows in every table that exists at 0008, through `insertable`; returns that schema."""
    old = tables_at_0008(engine)
    with engine.begin() as connection:
        for table, values in rows:
            connection.execute(insertable(table, old).insert().values(**values))
    return old


def snapshot(engine, old: MetaData) -> dict[str, list[tuple]]:
    """Every row of every table of 0008, its 0008 columns still in the models (0016 drops timing columns), in key
    order."""

    def kept(t):
        return [c for c in t.columns if c.name in Base.metadata.tables[t.name].c]

    with engine.connect() as connection:
        return {
            t.name: [tuple(r) for r in connection.execute(select(*kept(t)).order_by(*t.primary_key.columns))]
            for t in old.sorted_tables
        }


def test_upgrading_moves_every_open_obligation_into_the_ledger_and_changes_nothing_else(old_database):
    upgrade(old_database, "0008")
    old = fill(old_database)
    before = snapshot(old_database, old)
    assert all(before[t.name] for t in old.sorted_tables)  # every table has rows

    upgrade(old_database, "0012")  # later revisions drop old columns (0015, 0016, 0017: their own tests)

    assert snapshot(old_database, old) == before
    ledger = Base.metadata.tables["obligation"]
    with old_database.connect() as connection:
        rows = connection.execute(select(ledger)).mappings().all()
    assert {
        (r["kind"], r["subject_type"], r["subject_id"], r["recipient"], r["owner"], r["due_at"]) for r in rows
    } == EXPECTED
    assert all(r["status"] == "open" for r in rows)
    by_kind = {r["kind"]: r for r in rows}
    # Past rungs are marked, nobody is told: features still chase their own kinds (parked: no next step), while
    # the record of the scheduled meeting waits for the ledger sweep to snapshot its ladder at its start.
    assert (by_kind["request_decision"]["stage"], by_kind["request_decision"]["breach_at"]) == ("pending", at(28))
    assert all(r["next_step_at"] is None for r in rows if r["kind"] != "meeting_record")
    record = by_kind["meeting_record"]
    assert (record["generation"], record["next_step_at"]) == (0, at(21, 6))
    assert (by_kind["next_meeting"]["due_local_date"], by_kind["cp9_sent"]["due_local_date"]) == (
        date(2027, 6, 24),
        date(2027, 5, 28),
    )


def test_after_the_upgrade_the_ledger_sweep_chases_the_backfilled_record_once(old_database):
    from bot.services.obligation_sweep import sweep_obligations
    from store.db import make_session_factory
    from store.uow import UnitOfWork

    upgrade(old_database, "0008")
    fill(old_database)
    # Today's code needs today's schema (0021 added columns every sweep reads): the backfilled row must still be
    # chased once after every later revision.
    upgrade(old_database)
    factory = make_session_factory(old_database)
    uow_factory = lambda: UnitOfWork(factory)  # noqa: E731 (a factory, as the fixtures give one)

    def records(now) -> int:  # the pending request is chased too since 0015 (test_migration_0015.py)
        sweep_obligations(uow_factory=uow_factory, now=now)
        with uow_factory() as uow:
            return len([m for m in uow.outbox.list() if m.kind == "meeting_to_record"])

    assert records(at(21, 6, 12)) == 0  # its ladder snapshotted, nothing due
    assert records(at(22, 6, 8)) == 1  # Tue 22 Jun, 09:00 BST
    assert records(at(22, 6, 8)) == 1
    with uow_factory() as uow:
        (notice,) = [m for m in uow.outbox.list() if m.kind == "meeting_to_record"]
        record = uow.obligations.find_open(kind="meeting_record", subject_type="meeting", subject_id=2)
    assert (notice.recipient, notice.payload["meeting_id"]) == ("U0CHAIR", 2)
    assert (record.generation, record.stage, record.breach_at) == (1, "overdue", at(28, 6, 8))
