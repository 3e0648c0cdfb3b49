"""Use cases on the ledger of obligations: open one (with its ladder snapshotted), move its due date, discharge or
waive it; and the first kind kept end to end by the ledger, the record of a meeting whose time has come.

The record of a meeting is owed from the moment the meeting is scheduled: the row is opened then, in the
scheduling transaction, so the sweep only ever reads the ledger's indexed `next_step_at` (a lazy search of the
meetings for ones past their start would scan them every sweep). Moving the meeting moves the row (a new
generation); cancelling it waives the row with the cancellation's reason; recording it, or the chair saying it
did not take place (bot/services/unrecorded_meetings.py), discharges it.
"""

from __future__ import annotations

from datetime import datetime

from bot.obligations import ObligationKind, Stage, ladder_for, next_after, rung_times
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from store.models import Case, Meeting, MeetingRecord, MeetingStatus, Obligation, OutboxStatus
from store.uow import UnitOfWork


def ladder_snapshot(case: Case, kind: str, due_at: datetime) -> dict:
    """A row's ladder columns for a due instant: rung times (stored: profile edits move no row) and first step."""
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    ladder = ladder_for(policy.obligations, kind)
    times = rung_times(ladder, due_at, calendar, working_hours=policy.working_hours)
    return {
        "remind_at": times.remind_at[0] if times.remind_at else None,
        "overdue_at": times.overdue_at,
        "breach_at": times.breach_at,
        "stage": Stage.PENDING,
        "last_step_at": None,
        "reminders_sent": 0,
        "next_step_at": next_after(ladder, times, stage=Stage.PENDING, last_step_at=None, calendar=calendar),
    }


def open_obligation(
    *,
    uow: UnitOfWork,
    case: Case,
    kind: str,
    subject_type: str,
    subject_id: int,
    owner_role: str,
    owner: str | None,
    due_at: datetime,
    now: datetime,
    recipient: str = "",
    times: dict[str, datetime | None] | None = None,
) -> int | None:
    """Open an obligation unless the same one is open; its id when this call opened it (`times`: rung instants that
    replace the ladder's, e.g. a breach counted from another date). The caller commits."""
    calendar = calendar_for(case.organisation)
    opened = uow.obligations.open(
        case_id=case.id,
        kind=str(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        recipient=recipient,
        owner_role=owner_role,
        owner=owner,
        due_at=due_at,
        due_local_date=calendar.local_date(due_at),
        created_at=now,
        **{**ladder_snapshot(case, kind, due_at), **(times or {})},
    )
    if opened is not None:
        uow.audit.record(
            action="obligation.opened",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            obligation_id=opened,
            kind=str(kind),
            subject=f"{subject_type}:{subject_id}",
            due_at=due_at.isoformat(),
        )
    return opened


def move_obligation(*, uow: UnitOfWork, case: Case, row: Obligation, due_at: datetime, now: datetime) -> bool:
    """Move an open obligation's due date: a new generation with a fresh ladder, so no step of the old one is taken."""
    calendar = calendar_for(case.organisation)
    moved = uow.obligations.retime(
        row.id,
        generation=row.generation,
        due_at=due_at,
        due_local_date=calendar.local_date(due_at),
        **ladder_snapshot(case, row.kind, due_at),
    )
    if moved:
        uow.obligations.withdraw_notices(obligation_key_prefix(row.id), case_id=case.id)
        uow.audit.record(
            action="obligation.moved",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            obligation_id=row.id,
            kind=row.kind,
            due_at=due_at.isoformat(),
        )
    return moved


def discharge_obligation(
    *,
    uow: UnitOfWork,
    row: Obligation,
    by: str,
    now: datetime,
    on_behalf_of: str | None = None,
    outcome: str = "done",
    closing: dict | None = None,
) -> bool:
    """Mark an obligation done (once), withdraw its chases not sent yet and update the latest sent ones in place
    (`outcome` says how, for their renderer; `closing` adds what the kind's renderer reads); True when this call
    did it."""
    if not uow.obligations.discharge(row.id, by=by, now=now):
        return False
    _close_chases(uow, row, outcome=outcome, by=by, now=now, closing=closing)
    uow.audit.record(
        action="obligation.discharged",
        at=now,
        case_id=row.case_id,
        actor=by,
        on_behalf_of=on_behalf_of,
        obligation_id=row.id,
        kind=row.kind,
        stage=row.stage,
    )
    return True


def waive_obligation(
    *,
    uow: UnitOfWork,
    row: Obligation,
    by: str,
    reason: str,
    now: datetime,
    on_behalf_of: str | None = None,
    outcome: str = "waived",
    closing: dict | None = None,
) -> bool:
    """Mark an obligation no longer owed, with why (kept on the row; the audit keeps its length only)."""
    if not uow.obligations.waive(row.id, by=by, reason=reason, now=now):
        return False
    _close_chases(uow, row, outcome=outcome, by=by, now=now, closing=closing)
    uow.audit.record(
        action="obligation.waived",
        at=now,
        case_id=row.case_id,
        actor=by,
        on_behalf_of=on_behalf_of,
        obligation_id=row.id,
        kind=row.kind,
        reason_length=len(reason),
    )
    return True


def _close_chases(
    uow: UnitOfWork, row: Obligation, *, outcome: str, by: str, now: datetime, closing: dict | None = None
) -> None:
    """Withdraw what was not sent; the latest chases that went (or are going) are updated in place, without buttons."""
    uow.obligations.withdraw_notices(obligation_key_prefix(row.id), case_id=row.case_id)
    for key in row.notice_keys or []:
        sent = uow.outbox.get_by_key(key)
        if sent is None or sent.status not in (OutboxStatus.SENT, OutboxStatus.PENDING):
            continue  # withdrawn just now, or failed: there is no message to change
        uow.outbox.enqueue(
            key=f"{key}:{outcome}",
            kind=sent.kind,
            recipient=sent.recipient,
            now=now,
            case_id=row.case_id,
            replaces_key=key,
            payload={**(sent.payload or {}), "done": outcome, "done_by": by, **(closing or {})},
        )


def obligation_key_prefix(obligation_id: int) -> str:
    """The start of every notice key of one obligation (the sweep adds generation, rung and recipient)."""
    return f"obligation:{obligation_id}:"


# --- the record of a meeting ---------------------------------------------------------------------


def owe_meeting_record(
    uow: UnitOfWork,
    case: Case,
    meeting: Meeting,
    *,
    now: datetime,
    actor: str = SYSTEM_ACTOR,
    reason: str | None = None,
) -> None:
    """Keep the meeting's record obligation in line with the meeting: owed from its start while it is scheduled,
    moved with it, waived when it is cancelled (with the cancellation's reason)."""
    row = uow.obligations.find_open(kind=ObligationKind.MEETING_RECORD, subject_type="meeting", subject_id=meeting.id)
    if meeting.status == MeetingStatus.CANCELLED:
        if row is not None:
            waive_obligation(uow=uow, row=row, by=actor, reason=reason or "the meeting was cancelled", now=now)
        return
    if meeting.status != MeetingStatus.SCHEDULED:
        return
    if row is None:
        open_obligation(
            uow=uow,
            case=case,
            kind=ObligationKind.MEETING_RECORD,
            subject_type="meeting",
            subject_id=meeting.id,
            owner_role="chair",
            owner=case.chair,
            due_at=meeting.starts_at,
            now=now,
        )
    elif row.due_at != meeting.starts_at:
        move_obligation(uow=uow, case=case, row=row, due_at=meeting.starts_at, now=now)


def discharge_meeting_record(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> None:
    """A saved record discharges its meeting's record obligation (a MEETING_RECORDED_HOOKS entry)."""
    row = uow.obligations.find_open(
        kind=ObligationKind.MEETING_RECORD, subject_type="meeting", subject_id=record.meeting_id
    )
    if row is not None:
        discharge_obligation(
            uow=uow, row=row, by=record.recorded_by, now=now, on_behalf_of=record.on_behalf_of, outcome="recorded"
        )
