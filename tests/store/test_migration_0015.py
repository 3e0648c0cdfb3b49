"""Migration 0015 (issue 13): requests for an additional meeting move from their own timing columns to the ledger.
A database at 0012 with requests at every step is upgraded on each engine: each decision is owed on the ledger with
its next rung, the steps already taken are not taken again, and the requests' columns are gone."""

from __future__ import annotations

from sqlalchemy import inspect, select

from store.db import make_session_factory
from store.migrate import upgrade
from store.models import Base
from store.uow import UnitOfWork
from tests.store.test_migration_0012 import at, fill

#: Pending requests at each step the old sweeper knew, beside 0012's (1: routine, due a reminder at(27) and an
#: escalation at(28); 3: with the coordinator).
REQUESTS = [
    dict(id=4, urgency="urgent", reminded_at=at(26, 5, 11), reminded_to="U0TL", escalate_at=at(28, 5, 8)),
    dict(id=5, urgency="routine", reminded_at=at(25), reminded_to="U0TL", escalated_at=at(26), escalated_to="U0COORD"),
]


def at_0012(engine) -> None:
    upgrade(engine, "0008")
    old = fill(engine)
    table = old.tables["meeting_request"]
    with engine.begin() as connection:
        for values in REQUESTS:
            connection.execute(
                table.insert().values(
                    case_id=1,
                    requested_by="U0HV",
                    requested_at=at(24),
                    concern="new",
                    details="d",
                    status="pending",
                    decider="U0TL",
                    routed_to="U0TL",
                    **values,
                )
            )
    upgrade(engine, "0012")


def ledger(engine) -> dict[tuple[str, int], dict]:
    table = Base.metadata.tables["obligation"]
    with engine.connect() as connection:
        rows = connection.execute(select(table).where(table.c.subject_type == "request")).mappings().all()
    return {(r["kind"], r["subject_id"]): dict(r) for r in rows}


def test_upgrading_unparks_each_request_at_its_next_rung_and_drops_the_requests_timing_columns(old_database):
    at_0012(old_database)
    upgrade(old_database)
    rows = ledger(old_database)
    assert set(rows) == {
        ("request_decision", 1),
        ("request_decision_urgent", 4),
        ("request_decision", 5),
        ("coordinator_decision", 3),
        ("coordinator_decision", 5),
    }
    step = {key: (r["stage"], r["next_step_at"], r["last_step_at"], r["owner"]) for key, r in rows.items()}
    assert step[("request_decision", 1)] == ("pending", at(27), None, "U0TL")  # the reminder comes next
    assert step[("request_decision_urgent", 4)] == ("overdue", at(28, 5, 8), at(26, 5, 11), "U0TL")  # escalation
    assert step[("request_decision", 5)] == ("breached", None, at(26), "U0TL")  # escalated: nothing left
    assert rows[("request_decision", 5)]["breached_at"] == at(26)
    # The coordinator's decisions (asked about a refusal; escalated to them) wait for their ladder's snapshot.
    assert {
        (r["generation"], r["next_step_at"], r["owner"]) for k, r in rows.items() if k[0] == "coordinator_decision"
    } == {(0, at(21), "U0COORD"), (0, at(26), "U0COORD")}
    columns = {c["name"] for c in inspect(old_database).get_columns("meeting_request")}
    assert {"remind_at", "escalate_at"}.isdisjoint(columns) and {"reminded_at", "escalated_at"} <= columns


def test_after_the_upgrade_the_ledger_takes_each_rung_not_taken_once_and_no_other(old_database):
    from bot.services.obligation_sweep import sweep_obligations

    at_0012(old_database)
    upgrade(old_database)
    factory = make_session_factory(old_database)
    uow_factory = lambda: UnitOfWork(factory)  # noqa: E731 (a factory, as the fixtures give one)

    def chased() -> list[tuple[int, str, str]]:
        with uow_factory() as uow:
            return sorted(
                (m.payload["request_id"], m.payload.get("occasion") or "review", m.recipient)
                for m in uow.outbox.list()
                if m.kind.startswith("request_")
            )

    for moment in (at(27, 5, 10), at(27, 5, 10), at(28, 5, 10), at(28, 5, 10), at(2, 6, 10)):
        sweep_obligations(uow_factory=uow_factory, now=moment)
    # U0TL's delegate until 1 June is the coordinator: the reminder and both escalations go to them for U0TL.
    assert chased() == [(1, "escalated", "U0COORD"), (1, "reminder", "U0COORD"), (4, "escalated", "U0COORD")]
    with uow_factory() as uow:
        request = uow.requests.get(4)
        assert (request.reminded_to, request.escalated_to, request.escalated_on_behalf_of) == (
            "U0TL",
            "U0COORD",
            "U0TL",
        )
        (why,) = [e.detail["why"] for e in uow.audit.list(action="request.escalated") if e.detail["request_id"] == 4]
        assert why == "not decided within 4 working hours"
