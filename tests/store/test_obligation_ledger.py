"""The ledger on both engines: opening is idempotent, a discharge or a waiver happens once, two sweeps (or one run
twice) take each step once, and a chase not yet sent when its obligation is discharged is never sent."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.obligation_sweep import sweep_obligations
from bot.services.obligations import discharge_obligation, open_obligation, waive_obligation
from store.models import Delegate, OutboxStatus
from tests.harness import CASE, organisation_file

UTC = timezone.utc
NOW = datetime(2027, 5, 17, 9, 0, tzinfo=UTC)  # Mon 17 May 2027
MEETING = datetime(2027, 5, 24, 9, 0, tzinfo=UTC)  # Mon 24 May, 10:00 BST: the case record's first meeting
CHASE = datetime(2027, 5, 25, 8, 0, tzinfo=UTC)  # Tue 25 May, 09:00 BST: the next working day


def imported(uow_factory, cases=None) -> list[int]:
    with uow_factory() as uow:
        import_organisation(parse_organisation_file(organisation_file(cases=cases or [dict(CASE)])), uow=uow, now=NOW)
        uow.commit()
    with uow_factory() as uow:
        return [c.id for c in uow.cases.list()]


def owe(uow_factory, case_id: int, subject_id: int, **extra) -> int | None:
    with uow_factory() as uow:
        opened = open_obligation(
            uow=uow,
            case=uow.cases.get(case_id),
            kind="meeting_record",
            subject_type="meeting",
            subject_id=subject_id,
            owner_role="chair",
            owner="U0CHAIR",
            due_at=MEETING,
            now=NOW,
            **extra,
        )
        uow.commit()
        return opened


def rows(uow_factory, case_id):
    """The case's obligations but the meeting owed for its due period (tests/slack/test_meetings_owed.py)."""
    with uow_factory() as uow:
        return [r for r in uow.obligations.for_case(case_id) if r.kind not in ("first_meeting", "next_meeting")]


def obligation_notices(uow_factory):
    with uow_factory() as uow:
        return [m for m in uow.outbox.list() if m.idempotency_key.startswith("obligation:")]


def test_opening_the_same_obligation_twice_keeps_one_row(uow_factory):
    (case_id,) = imported(uow_factory)
    (meeting_row,) = rows(uow_factory, case_id)  # scheduling the first meeting opened its record's obligation
    assert (meeting_row.kind, meeting_row.status, meeting_row.due_at) == ("meeting_record", "open", MEETING)
    assert owe(uow_factory, case_id, meeting_row.subject_id) is None
    assert owe(uow_factory, case_id, 999) is not None
    assert owe(uow_factory, case_id, 999) is None
    assert owe(uow_factory, case_id, 999, recipient="U0HV") is not None  # another recipient is another obligation
    assert len(rows(uow_factory, case_id)) == 3


def test_an_obligation_is_discharged_once_and_then_can_be_owed_afresh(uow_factory):
    (case_id,) = imported(uow_factory)
    opened = owe(uow_factory, case_id, 999)
    with uow_factory() as uow:
        row = uow.obligations.get(opened)
        assert discharge_obligation(uow=uow, row=row, by="U0CHAIR", now=NOW)
        assert not discharge_obligation(uow=uow, row=row, by="U0TL", now=NOW)
        assert not waive_obligation(uow=uow, row=row, by="U0TL", reason="late", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        row = uow.obligations.get(opened)
        assert (row.status, row.discharged_by, row.discharged_at, row.next_step_at) == (
            "discharged",
            "U0CHAIR",
            NOW,
            None,
        )
        assert [e.actor for e in uow.audit.list(action="obligation.discharged")] == ["U0CHAIR"]
    assert owe(uow_factory, case_id, 999) not in (None, opened)


def test_a_waiver_keeps_its_reason_on_the_row_and_only_its_length_in_the_audit(uow_factory):
    (case_id,) = imported(uow_factory)
    opened = owe(uow_factory, case_id, 999)
    with uow_factory() as uow:
        assert waive_obligation(
            uow=uow, row=uow.obligations.get(opened), by="U0CHAIR", reason="Held as a review", now=NOW
        )
        assert not waive_obligation(uow=uow, row=uow.obligations.get(opened), by="U0CHAIR", reason="again", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        row = uow.obligations.get(opened)
        assert (row.status, row.waived_by, row.waive_reason) == ("waived", "U0CHAIR", "Held as a review")
        (event,) = uow.audit.list(action="obligation.waived")
        assert event.detail["reason_length"] == len("Held as a review")
        assert "Held as a review" not in str(event.detail)


def test_sweeping_twice_enqueues_nothing_new(uow_factory):
    imported(uow_factory)
    assert sweep_obligations(uow_factory=uow_factory, now=CHASE - timedelta(seconds=1)) == 0
    assert sweep_obligations(uow_factory=uow_factory, now=CHASE) == 1
    assert sweep_obligations(uow_factory=uow_factory, now=CHASE) == 0
    assert sweep_obligations(uow_factory=uow_factory, now=CHASE + timedelta(hours=3)) == 0
    (notice,) = obligation_notices(uow_factory)
    assert (notice.kind, notice.recipient, notice.payload["stage"]) == ("meeting_to_record", "U0CHAIR", "overdue")


def test_a_discharge_between_sweep_and_dispatch_withdraws_the_chase(uow_factory):
    (case_id,) = imported(uow_factory)
    sweep_obligations(uow_factory=uow_factory, now=CHASE)
    (row,) = rows(uow_factory, case_id)
    with uow_factory() as uow:
        discharge_obligation(uow=uow, row=uow.obligations.get(row.id), by="U0CHAIR", now=CHASE)
        uow.commit()
    (notice,) = obligation_notices(uow_factory)
    assert notice.status == OutboxStatus.WITHDRAWN
    with uow_factory() as uow:
        ready = uow.outbox.ready(now=CHASE + timedelta(days=1), limit=100)
        assert [m.kind for m in ready if m.kind == "meeting_to_record"] == []


def test_the_chase_goes_to_the_chairs_delegate_on_their_behalf(uow_factory):
    imported(uow_factory)
    with uow_factory() as uow:  # the chair's delegation (its own form is the delegates feature's)
        uow.delegates.add(
            Delegate(
                organisation_id=uow.organisations.list()[0].id,
                principal="U0CHAIR",
                delegate="U0TL",
                until=CHASE.date(),
                created_at=NOW,
                scope="chairing",
            )
        )
        uow.commit()
    sweep_obligations(uow_factory=uow_factory, now=CHASE)
    (notice,) = obligation_notices(uow_factory)
    assert (notice.recipient, notice.payload["on_behalf_of"]) == ("U0TL", "U0CHAIR")


@pytest.mark.postgres
def test_two_sessions_claiming_at_once_take_each_row_once(uow_factory, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers")
    imported(uow_factory, cases=[dict(CASE, reference=f"CP-2027-{i:04d}", channel=f"C0C{i:04d}") for i in range(4)])
    with uow_factory() as first, uow_factory() as second:
        taken_first = {r.id for r in first.obligations.claim_due(now=CHASE, limit=2)}
        taken_second = {r.id for r in second.obligations.claim_due(now=CHASE, limit=10)}
        assert len(taken_first) == 2 and len(taken_second) == 2
        assert taken_first.isdisjoint(taken_second)


def test_two_sweeps_at_once_chase_each_meeting_once(uow_factory):
    imported(uow_factory, cases=[dict(CASE, reference=f"CP-2027-{i:04d}", channel=f"C0C{i:04d}") for i in range(30)])
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        barrier.wait()
        try:
            results.append(sweep_obligations(uow_factory=uow_factory, now=CHASE, batch=5))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == 30
    assert len(obligation_notices(uow_factory)) == 30


def test_moving_a_meeting_moves_its_record_obligation_and_cancelling_it_waives_it_with_the_reason(uow_factory):
    from bot.services.meetings import cancel_meeting, reschedule_meeting

    (case_id,) = imported(uow_factory)
    moved = datetime(2027, 5, 27, 13, 0, tzinfo=UTC)  # Thu 27 May, 14:00 BST
    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        (meeting,) = uow.meetings.for_case(case_id)
        reschedule_meeting(
            uow=uow, case=case, meeting=meeting, starts_at=moved, actor="U0CHAIR", now=NOW, reason="room unavailable"
        )
        uow.commit()
    (row,) = rows(uow_factory, case_id)
    assert (row.generation, row.due_at, row.overdue_at) == (2, moved, datetime(2027, 5, 28, 8, 0, tzinfo=UTC))
    sweep_obligations(uow_factory=uow_factory, now=CHASE)
    # The old time's chase is void; moved past its due date (Mon 24 May), the first meeting is owed again: the chair
    # hears that, and nothing of the record.
    assert [n.kind for n in obligation_notices(uow_factory)] == ["meeting_not_scheduled"]
    with uow_factory() as uow:
        cancel_meeting(
            uow=uow,
            case=uow.cases.get(case_id),
            meeting=uow.meetings.get(row.subject_id),
            actor="U0CHAIR",
            now=NOW,
            reason="the family moved away",
        )
        uow.commit()
    (row,) = rows(uow_factory, case_id)
    assert (row.status, row.waived_by, row.waive_reason, row.next_step_at) == (
        "waived",
        "U0CHAIR",
        "the family moved away",
        None,
    )
    assert sweep_obligations(uow_factory=uow_factory, now=datetime(2027, 6, 30, 8, 0, tzinfo=UTC)) == 0


def test_what_is_overdue_is_read_per_organisation_and_per_owner(uow_factory):
    imported(uow_factory, cases=[dict(CASE, reference=f"CP-2027-{i:04d}", channel=f"C0C{i:04d}") for i in range(3)])
    with uow_factory() as uow:
        organisation_id = uow.organisations.list()[0].id
        assert uow.obligations.count_cases_overdue(organisation_id) == 0
        # Each case's first meeting (booked, so quiet) and its record, both owed by the chair.
        assert sorted(r.kind for r in uow.obligations.open_for_owner("U0CHAIR")) == (
            ["first_meeting"] * 3 + ["meeting_record"] * 3
        )
    sweep_obligations(uow_factory=uow_factory, now=CHASE)
    with uow_factory() as uow:
        assert uow.obligations.count_cases_overdue(organisation_id) == 3
        assert uow.obligations.count_cases_overdue(organisation_id + 1) == 0
        assert uow.obligations.overdue_for_organisation(organisation_id, stages=("breached",)) == []
        overdue = uow.obligations.overdue_for_organisation(organisation_id, kinds=("meeting_record",))
        assert {r.stage for r in overdue} == {"overdue"} and len(overdue) == 3
        assert uow.obligations.open_for_owner("U0HV") == []


def test_a_meeting_cancelled_by_deregistration_is_no_longer_owed_its_record(uow_factory):
    (case_id,) = imported(uow_factory)
    with uow_factory() as uow:  # as stopping the core group does: the meeting cancelled directly, not by the chair
        (meeting,) = uow.meetings.for_case(case_id)
        uow.meetings.set_status(
            meeting.id, expected="scheduled", status="cancelled", now=NOW, cancel_reason="the child was deregistered"
        )
        uow.commit()
    assert sweep_obligations(uow_factory=uow_factory, now=CHASE) == 0
    (row,) = rows(uow_factory, case_id)
    assert (row.status, row.waived_by, row.waive_reason) == ("waived", "coregroup", "the child was deregistered")
