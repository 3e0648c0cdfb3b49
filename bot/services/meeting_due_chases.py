"""The meetings the group owes, on the ledger: one `first_meeting` or `next_meeting` obligation per due period.

The chair owes the period's meeting, due by its due date (09:00 that day is when they are told it is overdue, as
before); where the profile sets a breach after the last meeting (Wales: 6 weeks), its breach rung tells the
coordinator and the digest lists it. While a meeting is booked in time the row is parked (`next_step_at` NULL) so
the sweep never reads it; cancelling that meeting, moving it too late or saying it did not take place brings the
row back (it goes overdue at once if its date has passed). A recorded meeting discharges it and opens the next
period's (bot/services/meeting_plan.py). The period itself (`meeting_due`) keeps the domain's view: met, late,
flagged, ended.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bot.meetings import flag_time
from bot.notices import NoticeKind
from bot.obligations import ObligationKind, RungTimes, Stage, ladder_for, next_after, rung_times
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from bot.services.obligations import discharge_obligation, open_obligation, waive_obligation
from store.models import Case, DueStatus, MeetingDue, MeetingRecord, Obligation
from store.uow import UnitOfWork

SUBJECT = "meeting_due"
MEETING_KINDS = (ObligationKind.FIRST_MEETING, ObligationKind.NEXT_MEETING)
_LATE = (Stage.OVERDUE, Stage.BREACHED)


def kind_of(due: MeetingDue) -> ObligationKind:
    return ObligationKind.FIRST_MEETING if due.basis == "first" else ObligationKind.NEXT_MEETING


def meeting_obligation(uow: UnitOfWork, due: MeetingDue) -> Obligation | None:
    """The open obligation of a due period, if it is still owed."""
    return uow.obligations.find_open(kind=kind_of(due), subject_type=SUBJECT, subject_id=due.id)


def owed_meeting(uow: UnitOfWork, case_id: int) -> Obligation | None:
    """The meeting the case owes now (what status and Home show as "next meeting due by"), from the ledger."""
    return next((r for r in uow.obligations.open_for_case(case_id) if r.kind in MEETING_KINDS), None)


def owed_state(row: Obligation) -> str:
    """flagged: its date came with none scheduled; scheduled: parked, a meeting is booked in time; else open."""
    if row.stage in _LATE:
        return DueStatus.FLAGGED
    return DueStatus.SCHEDULED if row.next_step_at is None else DueStatus.OPEN


def owe_meeting(uow: UnitOfWork, case: Case, due: MeetingDue, *, now: datetime) -> None:
    """Open the period's obligation: the chair owes a meeting by the due date; the breach, where the profile has
    one, counts from the last meeting (a month is not a fixed number of days), not from the due date."""
    calendar = calendar_for(case.organisation)
    ladder = ladder_for(policy_for(case.organisation).obligations, kind_of(due))
    times: dict[str, datetime | None] | None = None
    if due.breach_on is not None and ladder.breach is not None:
        times = {"breach_at": flag_time(due.breach_on + timedelta(days=1), calendar=calendar)}
    open_obligation(
        uow=uow,
        case=case,
        kind=kind_of(due),
        subject_type=SUBJECT,
        subject_id=due.id,
        owner_role="chair",
        owner=case.chair,
        due_at=flag_time(due.due_on, calendar=calendar),
        now=now,
        times=times,
    )


def park_or_resume(uow: UnitOfWork, case: Case, due: MeetingDue, *, now: datetime) -> Obligation | None:
    """Quiet the period's obligation while a meeting is booked in time for its next rung; bring it back when none
    is (cancelled, moved too late, not held). Its row, if open."""
    row = meeting_obligation(uow, due)
    if row is None:
        return None
    booked = _booked(uow, case, due, row, now=now)
    if booked and row.next_step_at is not None:
        _set_next(uow, row, None)
    elif not booked and row.next_step_at is None:
        calendar = calendar_for(case.organisation)
        ladder = ladder_for(policy_for(case.organisation).obligations, row.kind)
        times = RungTimes(rung_times(ladder, row.due_at, calendar).remind_at, row.overdue_at, row.breach_at)
        later = next_after(ladder, times, stage=Stage(row.stage), last_step_at=row.last_step_at, calendar=calendar)
        if later is not None:
            _set_next(uow, row, later)
    return row


def _set_next(uow: UnitOfWork, row: Obligation, next_step_at: datetime | None) -> None:
    uow.obligations.advance(
        row.id,
        stage=row.stage,
        generation=row.generation,
        expected_stage=row.stage,
        expected_step_at=row.next_step_at,
        next_step_at=next_step_at,
    )
    uow.obligations.reload(row)


def _booked(uow: UnitOfWork, case: Case, due: MeetingDue, row: Obligation, *, now: datetime) -> bool:
    """A meeting is scheduled after the period's last one, by the due date (or, once overdue or the breach's time has
    come, by the breach's limit: a meeting held by then and not yet recorded is no breach, its record is late)."""
    calendar = calendar_for(case.organisation)
    breach_next = row.breach_at is not None and (row.stage == Stage.OVERDUE or now >= row.breach_at)
    by: date = due.breach_on if breach_next and due.breach_on else due.due_on
    after = uow.meetings.get(due.after_meeting_id) if due.after_meeting_id else None
    return (
        uow.meetings.first_scheduled_by(
            case.id, until=calendar.end_of_day(by), since=after.starts_at if after else None
        )
        is not None
    )


def end_meeting_obligation(uow: UnitOfWork, due: MeetingDue, *, reason: str, now: datetime) -> None:
    """The core group stopped before the meeting was due: nothing is owed any more."""
    row = meeting_obligation(uow, due)
    if row is not None:
        waive_obligation(uow=uow, row=row, by=SYSTEM_ACTOR, reason=reason, now=now)


def discharge_meeting_due(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> None:
    """A recorded meeting discharges the period it closed (a MEETING_RECORDED_HOOKS entry; the next is open)."""
    for due in uow.meetings.dues_for(case.id):
        row = meeting_obligation(uow, due) if due.resolved_by_meeting_id == record.meeting_id else None
        if row is not None:
            discharge_obligation(
                uow=uow, row=row, by=record.recorded_by, now=now, on_behalf_of=record.on_behalf_of, outcome="held"
            )


# --- how the ledger sweep chases them -----------------------------------------------------------------


def meeting_due_settled(uow: UnitOfWork, row: Obligation, *, now: datetime) -> bool:
    """Before a step: a period no longer waiting is closed; one with a meeting booked in time is parked."""
    due = uow.meetings.get_due(row.subject_id)
    if due is None or due.status not in DueStatus.current():
        waive_obligation(uow=uow, row=row, by=SYSTEM_ACTOR, reason="the due period was closed", now=now)
        return True
    case = uow.cases.require(row.case_id)
    if _booked(uow, case, due, row, now=now):
        _set_next(uow, row, None)
        return True
    return False


def meeting_due_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict[str, Any]] | None:
    """The chair: the meeting is due and none is scheduled (the period is flagged for the digest). The coordinator,
    at the breach: no meeting held within the profile's limit after the last one."""
    due = uow.meetings.get_due(row.subject_id)
    if due is None:
        return None
    if due.status == DueStatus.OPEN:
        due.status = DueStatus.FLAGGED
    payload = {"reference": case.reference, "channel": case.channel, "due_id": due.id}
    after = uow.meetings.get(due.after_meeting_id) if due.after_meeting_id else None
    if row.stage == Stage.BREACHED and due.breach_on and after is not None:
        held_on = calendar_for(case.organisation).local_date(after.starts_at)
        return NoticeKind.MEETING_BREACH, {
            **payload,
            "held_on": held_on.isoformat(),
            "breach_on": due.breach_on.isoformat(),
            "weeks": (due.breach_on - held_on).days // 7,
            "chair": case.chair,
        }
    return NoticeKind.MEETING_NOT_SCHEDULED, {**payload, "due_on": due.due_on.isoformat(), "basis": due.basis}


def meeting_due_sent(
    uow: UnitOfWork, case: Case, row: Obligation, key: str, to: str, payload: dict, now: datetime
) -> None:
    """Each chase is audited as the meetings feature always did (the chair told; the coordinator told of a breach)."""
    if "breach_on" in payload:
        uow.audit.record(
            action="meeting.breach",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            due_id=payload["due_id"],
            breach_on=payload["breach_on"],
            to=to,
            on_behalf_of=payload.get("on_behalf_of"),
        )
    else:
        uow.audit.record(
            action="meeting.due_not_scheduled",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            due_id=payload["due_id"],
            due_on=payload["due_on"],
            to=to,
            on_behalf_of=payload.get("on_behalf_of"),
        )


NOTICES: dict[str, Callable[[UnitOfWork, Case, Obligation], tuple[NoticeKind, dict] | None]] = {
    kind: meeting_due_notice for kind in MEETING_KINDS
}
SETTLED: dict[str, Callable[..., bool]] = {kind: meeting_due_settled for kind in MEETING_KINDS}
SENT: dict[str, Callable[..., None]] = {kind: meeting_due_sent for kind in MEETING_KINDS}
