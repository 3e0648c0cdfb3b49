"""Plan copies and the CP9 move to the ledger sweep (0016): a database holding copies and CP9s part-way through
their chases is upgraded on each engine; the ledger then sends each chase still to come once, and nothing the
feature's sweeper already sent (or skipped) again; the old timing columns are gone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import MetaData, inspect

from bot.services.obligation_sweep import sweep_obligations
from store.db import make_session_factory
from store.migrate import upgrade
from store.uow import UnitOfWork
from tests.store.test_migration_0012 import T0, at, insertable

BST = timedelta(hours=1)  # 09:00 in London in August is 08:00 UTC
DUE = datetime(2027, 8, 9, 23, 0, tzinfo=T0.tzinfo) - timedelta(microseconds=1)  # the end of Mon 9 Aug, London


def nine(day: int) -> datetime:
    """09:00 in London on `day` August 2027."""
    return at(day, 8, 9) - BST


# Meeting 1 held Fri 30 Jul 2027 (Scotland): plan copies due Mon 9 Aug; its CP9 due Fri 6 Aug. The database is
# as the features' sweepers left it on Fri 6 Aug at 10:00: the chair was reminded of the plan on Thu 5 Aug, U0HV
# on Thu 5 Aug too; U0TEACH's copy went on Fri 6 Aug (their day-3 reminder skipped); both CP9 reminders went.
# Meeting 2's CP9 was marked sent, and nothing ever chased the coordinator to mark it received.
MODEL_ROWS: list[tuple[str, dict]] = [
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
            registered_on=date(2027, 7, 20),
            created_at=T0,
            updated_at=T0,
        ),
    ),
    ("case_role", dict(id=1, case_id=1, role="chair", user_id="U0CHAIR")),
    ("meeting", dict(id=1, case_id=1, status="held", starts_at=at(30, 7), created_at=T0, updated_at=T0)),
    ("meeting", dict(id=2, case_id=1, status="held", starts_at=at(26, 7), created_at=T0, updated_at=T0)),
    *[
        (
            "meeting_record",
            dict(
                id=i,
                meeting_id=i,
                case_id=1,
                held_at=at(day, 7),
                recorded_by="U0CHAIR",
                recorded_at=at(day, 7),
                supports="s",
                monitoring="m",
                outcomes="o",
                contingency="c",
            ),
        )
        for i, day in ((1, 30), (2, 26))
    ],
]
COPY = dict(receipt_id=1, case_id=1, attended=True, due_at=DUE, message_keys=[], reminder_step=0, reminders_sent=0)
CP9 = dict(
    case_id=1,
    form_name="CP9",
    chair_message_keys=[],
    coordinator_message_keys=[],
    reminder_step=2,
    reminders_sent=2,
    created_at=at(30, 7),
)
OLD_ROWS: list[tuple[str, dict]] = [
    (
        "plan_receipt",
        dict(
            id=1,
            record_id=1,
            case_id=1,
            meeting_id=1,
            held_on=date(2027, 7, 30),
            due_on=date(2027, 8, 9),
            due_at=DUE,
            chair_remind_at=None,
            overdue_at=nine(10),
            message_keys=[],
            created_at=at(30, 7),
        ),
    ),
    ("plan_copy", dict(COPY, id=1, label="Mother", status="pending")),
    (
        "plan_copy",
        dict(
            COPY,
            id=2,
            user_id="U0HV",
            status="sent",
            sent_at=at(3, 8),
            remind_at=nine(9),
            reminder_step=1,
            reminders_sent=1,
        ),
    ),
    (
        "plan_copy",
        dict(COPY, id=3, user_id="U0TEACH", status="sent", sent_at=at(6, 8), remind_at=nine(9), reminder_step=1),
    ),
    (
        "cp9",
        dict(
            CP9,
            id=1,
            record_id=1,
            meeting_id=1,
            held_on=date(2027, 7, 30),
            nominal_due_on=date(2027, 8, 6),
            due_on=date(2027, 8, 6),
            due_at=at(6, 8, 22),
            status="pending",
            remind_at=None,
            overdue_at=nine(9),
        ),
    ),
    (
        "cp9",
        dict(
            CP9,
            id=2,
            record_id=2,
            meeting_id=2,
            held_on=date(2027, 7, 26),
            nominal_due_on=date(2027, 8, 2),
            due_on=date(2027, 7, 30),
            due_at=at(30, 7, 22),
            status="sent",
            sent_at=at(28, 7),
            sent_on=date(2027, 7, 28),
            sent_by="U0CHAIR",
        ),
    ),
]


def upgraded(engine) -> UnitOfWork:
    """Fill the database at 0008, upgrade it through 0012 (the backfill) to the head; a unit-of-work factory."""
    upgrade(engine, "0008")
    old = MetaData()
    old.reflect(engine)  # the tables as they were, with the timing columns 0016 drops
    with engine.begin() as connection:
        for table, values in MODEL_ROWS:
            connection.execute(insertable(table, old).insert().values(**values))
        for table, values in OLD_ROWS:
            connection.execute(old.tables[table].insert().values(**values))
    upgrade(engine, "0012")
    upgrade(engine)
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory)


def sent(uow_factory) -> list[tuple[str, str, str | None]]:
    """Every notice enqueued so far: (kind, recipient, occasion)."""
    with uow_factory() as uow:
        return [(m.kind, m.recipient, m.payload.get("occasion")) for m in uow.outbox.list()]


def test_the_old_timing_columns_are_gone(old_database):
    upgraded(old_database)
    tables = ("plan_receipt", "plan_copy", "cp9")
    columns = {t: {c["name"] for c in inspect(old_database).get_columns(t)} for t in tables}
    assert not columns["plan_receipt"] & {"chair_remind_at", "overdue_at"}
    assert not columns["plan_copy"] & {"remind_at", "reminder_step", "reminders_sent"}
    assert not columns["cp9"] & {"remind_at", "reminder_step", "reminders_sent", "overdue_at"}
    assert {"overdue_since", "message_keys"} <= columns["plan_copy"]


def test_each_backfilled_copy_and_cp9_is_chased_from_where_the_feature_stopped(old_database):
    uow_factory = upgraded(old_database)
    with uow_factory() as uow:
        rows = {(r.kind, r.recipient): r for r in uow.obligations.open_for_case(1)}
    assert {k: (r.next_step_at, r.overdue_at) for k, r in rows.items() if k[0] != "cp9_received"} == {
        ("plan_copy_sent", "Mother"): (nine(10), nine(10)),
        ("plan_copy_received", "U0HV"): (nine(9), nine(10)),
        ("plan_copy_received", "U0TEACH"): (nine(9), nine(10)),
        ("cp9_sent", ""): (nine(9), nine(9)),
    }
    received = rows[("cp9_received", "")]
    assert (received.subject_id, received.generation, received.next_step_at) == (2, 0, at(30, 7, 22))


def test_after_the_upgrade_nothing_already_sent_is_sent_again_and_each_chase_to_come_goes_once(old_database):
    uow_factory = upgraded(old_database)
    # Fri 6 Aug, 10:00: the reminders of Thu 5 Aug and the CP9's of Wed 4 and Fri 6 Aug went before: not again.
    # Only the coordinator, never chased before, hears of the CP9 sent on 28 Jul and not marked received.
    assert sweep_obligations(uow_factory=uow_factory, now=at(6, 8, 9)) == 1
    assert sent(uow_factory) == [("cp9_due", "U0COORD", "overdue")]
    # Mon 9 Aug, 09:00: the deadline-day reminders, and the chair hears the CP9 is overdue; a second sweep adds nothing.
    assert sweep_obligations(uow_factory=uow_factory, now=nine(9)) == 3
    assert sweep_obligations(uow_factory=uow_factory, now=nine(9)) == 0
    assert sent(uow_factory)[1:] == [
        ("plan_copy", "U0HV", "deadline"),
        ("plan_copy", "U0TEACH", "deadline"),
        ("cp9_to_send", "U0CHAIR", "overdue"),
    ]
    # Tue 10 Aug, 09:00: one message to the chair lists the three copies still owed.
    assert sweep_obligations(uow_factory=uow_factory, now=nine(10)) == 1
    (overdue,) = [m for m in sent(uow_factory) if m[0] == "plan_overdue"]
    assert overdue == ("plan_overdue", "U0CHAIR", "overdue")
    with uow_factory() as uow:
        (notice,) = uow.outbox.list(kind="plan_overdue")
        assert sorted(notice.payload["overdue"]) == [1, 2, 3]
        assert len(uow.audit.list(action="plan.overdue")) == 3
