"""Upgrading to 0017 keeps what was owed and what was sent: actions, institution letters and post-deregistration
meetings backfilled parked by 0012 are chased by the ledger from their next step, nobody already told is told
again, and the features' own timing columns are gone. A database at 0008 with rows in every table is upgraded on
each engine, then swept."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import inspect, select

from bot.services.obligation_sweep import sweep_obligations
from store.db import make_session_factory
from store.migrate import upgrade
from store.models import Base
from store.uow import UnitOfWork
from tests.store.test_migration_0012 import ROWS, at, fill

#: Beside 0012's rows: an action already reminded (its DM is known), whose overdue rung is still to come.
REMINDED = (
    "meeting_action",
    dict(
        id=3,
        record_id=1,
        case_id=1,
        description="Share the report",
        owner_user_id="U0HV",
        due_on=at(2, 6).date(),
        remind_at=at(2, 6, 8),
        reminder_status="sent",
        reminded_at=at(2, 6, 8),
    ),
)
#: A letter to send already chased once, its next reminder Thu 27 May.
CHASED = (
    "institution_letter",
    dict(
        id=2,
        case_id=1,
        record_id=1,
        status="to_send",
        requested_by="U0CHAIR",
        requested_at=at(24),
        details_by="U0CHAIR",
        details_at=at(25),
        remind_at=at(27),
        reminders_sent=1,
        message_keys=["letter_to_write:2:U0COORD:reminder1"],
        created_at=at(24),
    ),
)


def upgraded(engine, *extra: tuple[str, dict]):
    upgrade(engine, "0008")
    fill(engine, [*ROWS, *extra])
    upgrade(engine, "0012")
    with engine.begin() as connection:  # 0013 added the reminder DM's key
        connection.exec_driver_sql("UPDATE meeting_action SET reminder_key = 'action_due:3:U0HV' WHERE id = 3")
    upgrade(engine)
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory)


def ledger_rows(engine, kind: str) -> dict[int, dict]:
    with engine.connect() as connection:
        table = Base.metadata.tables["obligation"]
        found = connection.execute(select(table).where(table.c.kind == kind)).mappings()
        return {r["subject_id"]: dict(r) for r in found}


def test_actions_are_unparked_with_what_was_sent_kept_and_their_timing_columns_dropped(old_database):
    upgraded(old_database, REMINDED)
    rows = ledger_rows(old_database, "action")
    assert (rows[1]["generation"], rows[1]["stage"], rows[1]["next_step_at"], rows[1]["last_step_at"]) == (
        0,
        "pending",
        at(4, 6, 8),
        None,
    )
    assert (rows[3]["stage"], rows[3]["last_step_at"], rows[3]["notice_keys"]) == (
        "reminded",
        at(2, 6, 8),
        ["action_due:3:U0HV"],
    )
    columns = {c["name"] for c in inspect(old_database).get_columns("meeting_action")}
    assert not columns & {"remind_at", "reminder_status", "reminded_at", "reminder_key"}


def test_after_the_upgrade_an_action_already_reminded_is_not_reminded_again_and_each_rung_goes_once(old_database):
    uow_factory = upgraded(old_database, REMINDED)

    def actions_after(moment) -> list[tuple[str, int, str]]:
        sweep_obligations(uow_factory=uow_factory, now=moment)
        with uow_factory() as uow:
            return sorted(
                (m.recipient, m.payload["action_id"], m.payload["stage"])
                for m in uow.outbox.list()
                if m.kind == "action_due"
            )

    assert actions_after(at(2, 6, 12)) == []  # reminded already: nothing again
    overdue = [("U0CHAIR", 3, "overdue"), ("U0HV", 3, "overdue")]  # the owner and the chair
    assert actions_after(at(3, 6, 8)) == overdue
    assert actions_after(at(3, 6, 8)) == overdue
    assert actions_after(at(4, 6, 8)) == sorted([*overdue, ("U0HV", 1, "reminded")])  # the other's own reminder
    assert actions_after(at(4, 6, 9)) == sorted([*overdue, ("U0HV", 1, "reminded")])


def test_a_letter_already_chased_is_chased_next_when_its_old_reminder_was_due_and_once(old_database):
    uow_factory = upgraded(old_database, CHASED)
    owed = ledger_rows(old_database, "letter_sent")[2]
    assert (owed["generation"], owed["next_step_at"], owed["owner"]) == (0, at(27), None)
    columns = {c["name"] for c in inspect(old_database).get_columns("institution_letter")}
    assert not columns & {"remind_at", "reminders_sent"}
    for moment in (at(27, 5, 7), at(27), at(27, 5, 10)):  # before its time, at it, and again after
        sweep_obligations(uow_factory=uow_factory, now=moment)
    with uow_factory() as uow:
        (chase,) = [m for m in uow.outbox.list() if m.kind == "letter_to_write"]
        letter = uow.letters.get(2)
        after = uow.obligations.find_open(kind="letter_sent", subject_type="letter", subject_id=2)
    assert (chase.recipient, chase.payload["occasion"], chase.payload["letter_id"]) == ("U0COORD", "reminder", 2)
    assert letter.message_keys == ["letter_to_write:2:U0COORD:reminder1", chase.idempotency_key]
    assert after.next_step_at == at(1, 6, 8)  # 2 working days on (Mon 31 May is a bank holiday), at 09:00


#: Beside 0012's window (case 2, waiting to open Mon 14 Jun): one missed, with a meeting chair besides the convener.
MISSED = (
    "deregistration",
    dict(
        id=2,
        case_id=2,
        review_conference_on=at(3).date(),
        convener="U0CHAIR",
        meeting_chair="U0HV",
        agreed_by="consensus",
        target_on=at(21, 6).date(),
        window_opens_on=at(14, 6).date(),
        window_closes_on=at(28, 6).date(),
        recorded_by="U0CHAIR",
        recorded_at=at(3),
        missed_at=at(28, 6, 23),
    ),
)


def test_post_deregistration_windows_owe_one_row_per_organiser_and_a_missed_one_stays_missed(old_database):
    upgraded(old_database, MISSED)
    rows = {(r["subject_id"], r["recipient"]): r for r in _all(old_database, "post_dereg_meeting")}
    assert set(rows) == {(1, "convener"), (2, "convener"), (2, "meeting_chair")}
    waiting = rows[1, "convener"]
    assert (waiting["owner"], waiting["generation"], waiting["next_step_at"], waiting["due_at"]) == (
        "U0CHAIR",
        0,
        at(14, 6, 8),
        datetime(2027, 6, 28, 22, 59, 59, 999999, tzinfo=timezone.utc),
    )
    assert {(r["owner"], r["stage"], r["next_step_at"], r["last_step_at"]) for k, r in rows.items() if k[0] == 2} == {
        ("U0CHAIR", "overdue", None, at(28, 6, 23)),
        ("U0HV", "overdue", None, at(28, 6, 23)),
    }
    columns = {c["name"] for c in inspect(old_database).get_columns("deregistration")}
    assert not columns & {"next_step", "next_at", "missed_at"}


def test_after_the_upgrade_the_window_reminds_once_at_each_moment_and_names_it(old_database):
    uow_factory = upgraded(old_database, MISSED)

    def reminders_after(moment) -> list[tuple[str, str, str]]:
        sweep_obligations(uow_factory=uow_factory, now=moment)
        with uow_factory() as uow:
            return [
                (m.recipient, m.payload["step"], m.payload["role"])
                for m in uow.outbox.list()
                if m.kind == "post_dereg_reminder"
            ]

    assert reminders_after(at(14, 6, 7)) == []
    opens = [("U0CHAIR", "opens", "both")]
    assert reminders_after(at(14, 6, 8)) == opens
    assert reminders_after(at(14, 6, 9)) == opens
    assert reminders_after(at(21, 6, 8)) == [*opens, ("U0CHAIR", "week_left", "both")]
    with uow_factory() as uow:
        assert [d.id for d in uow.deregistrations.missed_windows()] == [2]


def _all(engine, kind: str) -> list[dict]:
    with engine.connect() as connection:
        table = Base.metadata.tables["obligation"]
        return [dict(r) for r in connection.execute(select(table).where(table.c.kind == kind)).mappings()]
