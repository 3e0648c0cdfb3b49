"""The meetings owed move to the ledger sweep (0019): a database holding due periods part-way through their chases
(Wales, with its breach) is upgraded on each engine; the ledger then tells each person what is still to come once,
and nothing the meetings sweepers already told again; the old timing columns are gone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import MetaData, inspect, text

from bot.services.obligation_sweep import sweep_obligations
from store.db import make_session_factory
from store.migrate import upgrade
from store.uow import UnitOfWork
from tests.store.test_migration_0012 import T0, at, insertable

DUE = at(7, 7, 8)  # 09:00 in London on Wed 7 Jul 2027: the next meeting is due, a month after Mon 7 Jun
BREACH = at(20, 7, 8)  # 09:00 on Tue 20 Jul: the 6 weeks' last day (Mon 19 Jul) has passed with none held

MODEL_ROWS: list[tuple[str, dict]] = [
    (
        "organisation",
        dict(
            id=1,
            name="Cardiff Council",
            profile="wales",
            nation="wales",
            coordinator="U0COORD",
            created_at=T0,
            updated_at=T0,
        ),
    ),
    *[
        (
            "case",
            dict(
                id=i,
                organisation_id=1,
                reference=f"CP-2027-014{i}",
                channel=f"C0CASE14{i}",
                registered_on=date(2027, 5, 10),
                created_at=T0,
                updated_at=T0,
            ),
        )
        for i in range(1, 6)
    ],
    *[("case_role", dict(id=i, case_id=i, role="chair", user_id="U0CHAIR")) for i in range(1, 6)],
    *[
        ("meeting", dict(id=i, case_id=i, status="held", starts_at=at(7, 6), created_at=T0, updated_at=T0))
        for i in range(1, 6)
    ],
    ("meeting", dict(id=6, case_id=4, status="scheduled", starts_at=at(5, 7), created_at=T0, updated_at=T0)),
]
PERIOD = dict(basis="after_meeting", due_on=date(2027, 7, 7), flag_at=DUE, created_at=at(7, 6))
#: 1: waiting, nobody told yet; 2: the chair told; 3: the chair and the coordinator told; 4: a meeting booked in time.
DUES = [
    ("meeting_due", dict(PERIOD, id=i, case_id=i, after_meeting_id=i, status=status))
    for i, status in ((1, "open"), (2, "flagged"), (3, "flagged"), (4, "scheduled"))
]
TOLD = {2: (DUE, None), 3: (DUE, BREACH)}  # flagged_at, breached_at


def upgraded(engine):
    """Fill the database at 0008, upgrade it through 0012 (the backfill) and 0016; the meetings sweepers' state is
    set as they left it (breach columns came in 0014), one period opened after 0012; then upgrade to the head."""
    upgrade(engine, "0008")
    old = MetaData()
    old.reflect(engine)
    with engine.begin() as connection:
        for table, values in [*MODEL_ROWS, *DUES]:
            connection.execute(insertable(table, old).insert().values(**values))
    upgrade(engine, "0016")
    old = MetaData()
    old.reflect(engine)
    due = old.tables["meeting_due"]
    with engine.begin() as connection:
        # Opened by code of 0016, which kept no ledger row for it: waiting, nobody told.
        connection.execute(due.insert().values(**PERIOD, id=5, case_id=5, after_meeting_id=5, status="open"))
        for i in range(1, 6):
            flagged, breached = TOLD.get(i, (None, None))
            connection.execute(
                due.update()
                .where(due.c.id == i)
                .values(breach_on=date(2027, 7, 19), breach_at=BREACH, flagged_at=flagged, breached_at=breached)
            )
    upgrade(engine)
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory)


def owed(uow_factory) -> dict[int, tuple]:
    with uow_factory() as uow:
        rows = [
            r
            for i in range(1, 6)
            for r in uow.obligations.open_for_case(i)
            if r.kind in ("first_meeting", "next_meeting")
        ]
        return {r.subject_id: (r.kind, r.stage, r.next_step_at, r.last_step_at, r.breach_at) for r in rows}


def sent(uow_factory) -> list[tuple[str, str, int]]:
    """The notices about meetings owed (the booked meeting's record is chased too, and is not these tests' subject)."""
    with uow_factory() as uow:
        return [
            (m.kind, m.recipient, m.case_id)
            for m in uow.outbox.list()
            if m.kind in ("meeting_not_scheduled", "meeting_breach")
        ]


def test_the_old_timing_columns_are_gone(old_database):
    upgraded(old_database)
    columns = {c["name"] for c in inspect(old_database).get_columns("meeting_due")}
    assert not columns & {"flag_at", "flagged_at", "breach_at", "breached_at"}
    assert {"due_on", "status", "breach_on", "days_late"} <= columns


def test_each_period_is_owed_on_the_ledger_from_where_the_meetings_sweepers_stopped(old_database):
    uow_factory = upgraded(old_database)
    assert owed(uow_factory) == {
        1: ("next_meeting", "pending", DUE, None, BREACH),
        2: ("next_meeting", "overdue", BREACH, DUE, BREACH),
        3: ("next_meeting", "breached", None, BREACH, BREACH),
        4: ("next_meeting", "pending", None, None, BREACH),  # parked: a meeting is booked by the due date
        5: ("next_meeting", "pending", DUE, None, BREACH),  # opened by the upgrade
    }
    with old_database.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM obligation WHERE kind = 'next_meeting'")).scalar() == 5


def test_after_the_upgrade_nobody_already_told_is_told_again_and_each_chase_to_come_goes_once(old_database):
    uow_factory = upgraded(old_database)
    sweep_obligations(uow_factory=uow_factory, now=DUE - timedelta(minutes=1))
    assert sent(uow_factory) == []
    sweep_obligations(uow_factory=uow_factory, now=DUE)
    assert sweep_obligations(uow_factory=uow_factory, now=DUE) == 0  # a second sweep sends nothing twice
    assert sent(uow_factory) == [("meeting_not_scheduled", "U0CHAIR", 1), ("meeting_not_scheduled", "U0CHAIR", 5)]
    sweep_obligations(uow_factory=uow_factory, now=BREACH)
    sweep_obligations(uow_factory=uow_factory, now=BREACH + timedelta(days=1))
    assert sorted(sent(uow_factory)[2:]) == [("meeting_breach", "U0COORD", i) for i in (1, 2, 5)]
