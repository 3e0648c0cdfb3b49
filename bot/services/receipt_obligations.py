"""Plan copies and the CP9 on the ledger of obligations: what each step opens and discharges.

A saved record opens `plan_copy_sent` for each recipient (owed by the chair) and `cp9_sent` (the chair); the chair
marking a copy sent discharges it and, for a recipient with Slack, opens `plan_copy_received` (owed by them: "I have
received the plan"; for people without Slack the chair's tick is the end of it). Marking the CP9 sent opens
`cp9_received` (the coordinator). The ledger sweep chases them (bot/services/receipt_chases.py).
"""

from __future__ import annotations

from datetime import datetime

from bot.obligations import ObligationKind, Stage, ladder_for, next_after, rung_times
from bot.organisation import calendar_for, policy_for
from bot.services.obligations import discharge_obligation, open_obligation
from store.models import Case, Cp9, PlanCopy, PlanReceipt
from store.uow import UnitOfWork


def owe_plan_copies(uow: UnitOfWork, case: Case, receipt: PlanReceipt, *, now: datetime) -> None:
    """The chair owes each recipient a copy by the deadline."""
    for copy in receipt.copies:
        _owe(
            uow,
            case,
            ObligationKind.PLAN_COPY_SENT,
            "plan_copy",
            copy.id,
            recipient=_recipient(copy),
            owner_role="chair",
            owner=case.chair,
            due_at=receipt.due_at,
            now=now,
        )


def plan_copies_sent(
    uow: UnitOfWork,
    case: Case,
    receipt: PlanReceipt,
    copy_ids: set[int],
    *,
    by: str,
    on_behalf_of: str | None,
    now: datetime,
) -> None:
    """Copies marked sent: the chair's duty is done; each recipient with Slack now owes their confirmation."""
    for copy in receipt.copies:
        if copy.id not in copy_ids:
            continue
        _discharge(
            uow,
            ObligationKind.PLAN_COPY_SENT,
            "plan_copy",
            copy.id,
            recipient=_recipient(copy),
            by=by,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        if copy.user_id is not None:  # has Slack
            _owe(
                uow,
                case,
                ObligationKind.PLAN_COPY_RECEIVED,
                "plan_copy",
                copy.id,
                recipient=copy.user_id,
                owner_role="member",
                owner=copy.user_id,
                due_at=receipt.due_at,
                now=now,
                quietly=True,
            )


def plan_copy_received(uow: UnitOfWork, copy: PlanCopy, *, by: str, now: datetime) -> None:
    """The recipient confirmed: their duty is done."""
    _discharge(uow, ObligationKind.PLAN_COPY_RECEIVED, "plan_copy", copy.id, recipient=_recipient(copy), by=by, now=now)


def owe_cp9(uow: UnitOfWork, case: Case, cp9: Cp9, *, now: datetime) -> None:
    """The chair owes the coordinator the CP9 by its effective deadline."""
    _owe(
        uow,
        case,
        ObligationKind.CP9_SENT,
        "cp9",
        cp9.id,
        owner_role="chair",
        owner=case.chair,
        due_at=cp9.due_at,
        now=now,
    )


def cp9_sent(uow: UnitOfWork, case: Case, cp9: Cp9, *, by: str, on_behalf_of: str | None, now: datetime) -> None:
    """The chair marked it sent: the coordinator now owes marking it received."""
    _discharge(uow, ObligationKind.CP9_SENT, "cp9", cp9.id, by=by, on_behalf_of=on_behalf_of, now=now)
    _owe(
        uow,
        case,
        ObligationKind.CP9_RECEIVED,
        "cp9",
        cp9.id,
        owner_role="coordinator",
        owner=case.organisation.coordinator,
        due_at=cp9.due_at,
        now=now,
        quietly=True,
    )


def cp9_received(uow: UnitOfWork, cp9: Cp9, *, by: str, on_behalf_of: str | None, now: datetime) -> None:
    """The coordinator marked it received (perhaps before the chair marked it sent): nothing more is owed."""
    for kind in (ObligationKind.CP9_SENT, ObligationKind.CP9_RECEIVED):
        _discharge(uow, kind, "cp9", cp9.id, by=by, on_behalf_of=on_behalf_of, now=now)


def _owe(
    uow: UnitOfWork,
    case: Case,
    kind: str,
    subject_type: str,
    subject_id: int,
    *,
    owner_role: str,
    owner: str | None,
    due_at: datetime,
    now: datetime,
    recipient: str = "",
    quietly: bool = False,
) -> None:
    """Open an obligation whose reminders already past are skipped, as today (a record saved late is not chased for
    day 3 after the fact); `quietly`: an overdue rung already past is skipped too (a copy sent after the deadline was
    already named to the chair, and its recipient is not told it is overdue)."""
    opened = open_obligation(
        uow=uow,
        case=case,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        recipient=recipient,
        owner_role=owner_role,
        owner=owner,
        due_at=due_at,
        now=now,
    )
    if opened is None:
        return
    calendar = calendar_for(case.organisation)
    ladder = ladder_for(policy_for(case.organisation).obligations, kind)
    times = rung_times(ladder, due_at, calendar)
    passed = [t for t in times.remind_at if t <= now]
    overdue = quietly and times.overdue_at <= now
    if overdue:
        passed.append(times.overdue_at)
    if not passed:
        return
    row = uow.obligations.require(opened)
    stage = Stage.OVERDUE if overdue else Stage.PENDING
    uow.obligations.advance(
        opened,
        stage=str(stage),
        generation=row.generation,
        expected_stage=row.stage,
        expected_step_at=row.next_step_at,
        last_step_at=max(passed),
        next_step_at=next_after(ladder, times, stage=stage, last_step_at=max(passed), calendar=calendar),
    )


def _recipient(copy: PlanCopy) -> str:
    """Whom the copy is for on the ledger: the Slack user, or the role label of someone without Slack."""
    recipient = copy.user_id or copy.label
    if recipient is None:  # the table's check constraint sets exactly one of them
        raise ValueError(f"plan copy {copy.id} has neither a user nor a label")
    return recipient


def _discharge(
    uow: UnitOfWork,
    kind: str,
    subject_type: str,
    subject_id: int,
    *,
    by: str,
    now: datetime,
    recipient: str = "",
    on_behalf_of: str | None = None,
) -> None:
    row = uow.obligations.find_open(kind=kind, subject_type=subject_type, subject_id=subject_id, recipient=recipient)
    if row is not None:
        discharge_obligation(uow=uow, row=row, by=by, now=now, on_behalf_of=on_behalf_of)
