"""How the ledger sweep chases plan copies and the CP9, with the messages and buttons the features had before.

The chair hears of a meeting's plan copies in ONE message per step (the reminder on working day 3 lists what is not
sent; the overdue notice lists every copy still owed, unsent or unconfirmed), not one per copy: their rows are
grouped per plan distribution (`GROUPS`). Each recipient with Slack is reminded on their own, only once their copy is
marked sent (their row opens then). The features keep these messages up to date themselves (`SENT` remembers them,
as the messages sent when the record was saved), so the ledger does not update them in place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.notices import NoticeKind
from bot.obligations import ObligationKind, Stage
from bot.organisation import calendar_for
from bot.requests import SYSTEM_ACTOR
from bot.services.cp9 import cp9_payload
from bot.services.receipts import receipt_payload, recipient_payload
from store.db import required
from store.models import Case, CopyStatus, Cp9, Obligation, PlanCopy, PlanReceipt
from store.uow import UnitOfWork

Notice = tuple[NoticeKind, dict[str, Any]] | None


def _copy(uow: UnitOfWork, row: Obligation) -> tuple[PlanReceipt, PlanCopy] | None:
    # As the sweep's batch read them (bot/services/obligation_batch.py): no query per row.
    copy = uow.receipts.known_copy(row.subject_id)
    receipt = uow.receipts.known(copy.receipt_id) if copy is not None else None
    return None if copy is None or receipt is None else (receipt, copy)


def _stepped_at(row: Obligation) -> datetime:
    """When the ledger took the step being chased (the sweep sets it before it asks for the notice)."""
    if row.last_step_at is None:
        raise ValueError(f"obligation {row.id} is chased before any step was taken")
    return row.last_step_at


def _plan_overdue(uow: UnitOfWork, case: Case, receipt: PlanReceipt, copy: PlanCopy, row: Obligation) -> Notice:
    """This copy is overdue (kept for the digest); the chair's notice lists every copy still owed."""
    copy.overdue_since = row.last_step_at
    uow.audit.record(
        action="plan.overdue",
        at=_stepped_at(row),
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        receipt_id=receipt.id,
        copy_id=copy.id,
        recipient=copy.user_id or copy.label,
        status=copy.status,
        due_on=receipt.due_on.isoformat(),
    )
    owed = [c.id for c in receipt.copies if not c.complete]
    return NoticeKind.PLAN_OVERDUE, {**receipt_payload(case, receipt), "occasion": "overdue", "overdue": owed}


def plan_copy_notice(uow: UnitOfWork, case: Case, row: Obligation) -> Notice:
    """The chair: the plan is not marked sent to everyone (reminder). The recipient: please confirm you have it
    (reminder, deadline day). Once a copy is overdue, the chair hears of every copy still owed."""
    found = _copy(uow, row)
    if found is None:
        return None
    receipt, copy = found
    if row.stage == Stage.OVERDUE:
        return _plan_overdue(uow, case, receipt, copy, row)
    if row.kind == ObligationKind.PLAN_COPY_SENT:
        return NoticeKind.PLAN_TO_SEND, {**receipt_payload(case, receipt), "occasion": "reminder"}
    today = calendar_for(case.organisation).local_date(_stepped_at(row))
    occasion = "deadline" if today == receipt.due_on else "reminder"
    return NoticeKind.PLAN_COPY, recipient_payload(case, receipt, copy, occasion=occasion)


def plan_group(uow: UnitOfWork, row: Obligation, stage: str) -> str | None:
    """The chair's messages are one per plan distribution; a recipient's reminder is theirs alone."""
    if row.kind == ObligationKind.PLAN_COPY_RECEIVED and stage != Stage.OVERDUE:
        return None
    copy = uow.receipts.known_copy(row.subject_id)
    return None if copy is None else f"plan_receipt:{copy.receipt_id}"


def plan_sent(
    uow: UnitOfWork, case: Case, row: Obligation, key: str, to: str, payload: dict[str, Any], now: datetime
) -> None:
    """Remember a message with a button (to update it in place when it is spent) and audit the reminder."""
    found = _copy(uow, row)
    if found is None:
        return
    receipt, copy = found
    if payload.get("occasion") == "overdue":
        if not payload["all_sent"]:
            uow.receipts.remember_messages(receipt, key)
    elif "copy_id" in payload:
        uow.receipts.remember_messages(copy, key)
        uow.audit.record(
            action="plan.reminded",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            receipt_id=receipt.id,
            copy_id=copy.id,
            to=to,
            reminder=row.reminders_sent,
            occasion=payload["occasion"],
        )
    else:
        uow.receipts.remember_messages(receipt, key)
        not_sent = sum(1 for c in receipt.copies if c.status == CopyStatus.PENDING)
        uow.audit.record(
            action="plan.reminded",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            receipt_id=receipt.id,
            to=to,
            not_sent=not_sent,
            occasion="chair",
        )


def cp9_sent_notice(uow: UnitOfWork, case: Case, row: Obligation) -> Notice:
    """The chair: the CP9 is due (reminder, deadline day) or overdue (flagged for the digest)."""
    cp9 = uow.cp9s.known(row.subject_id)
    if cp9 is None:
        return None
    if row.stage == Stage.OVERDUE:
        cp9.overdue_since = row.last_step_at
        uow.audit.record(
            action="cp9.overdue",
            at=_stepped_at(row),
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            cp9_id=cp9.id,
            due_on=cp9.due_on.isoformat(),
            nominal_due_on=cp9.nominal_due_on.isoformat(),
        )
        occasion = "overdue"
    else:
        today = calendar_for(case.organisation).local_date(_stepped_at(row))
        occasion = "deadline" if today == cp9.due_on else "reminder"
    return NoticeKind.CP9_TO_SEND, {**cp9_payload(case, cp9), "occasion": occasion}


def cp9_received_notice(uow: UnitOfWork, case: Case, row: Obligation) -> Notice:
    """The coordinator: a CP9 marked sent is not marked received after its deadline."""
    cp9 = uow.cp9s.known(row.subject_id)
    return None if cp9 is None else (NoticeKind.CP9_DUE, {**cp9_payload(case, cp9), "occasion": "overdue"})


def cp9_sent_hook(
    uow: UnitOfWork, case: Case, row: Obligation, key: str, to: str, payload: dict[str, Any], now: datetime
) -> None:
    """Remember the chair's or the coordinator's message (its button goes once spent); audit the chair's reminder."""
    cp9 = required(uow.cp9s.known(row.subject_id), Cp9, row.subject_id)  # its notice found it
    if row.kind == ObligationKind.CP9_RECEIVED:
        uow.cp9s.remember_messages(cp9, coordinator=(key,))
        return
    uow.cp9s.remember_messages(cp9, chair=(key,))
    if payload["occasion"] != "overdue":
        uow.audit.record(
            action="cp9.reminded",
            at=now,
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            cp9_id=cp9.id,
            to=to,
            reminder=row.reminders_sent,
            occasion=payload["occasion"],
        )


NOTICES: dict[str, Callable[[UnitOfWork, Case, Obligation], Notice]] = {
    ObligationKind.PLAN_COPY_SENT: plan_copy_notice,
    ObligationKind.PLAN_COPY_RECEIVED: plan_copy_notice,
    ObligationKind.CP9_SENT: cp9_sent_notice,
    ObligationKind.CP9_RECEIVED: cp9_received_notice,
}
GROUPS: dict[str, Callable[[UnitOfWork, Obligation, str], str | None]] = {
    ObligationKind.PLAN_COPY_SENT: plan_group,
    ObligationKind.PLAN_COPY_RECEIVED: plan_group,
}
SENT: dict[str, Callable[..., None]] = {
    ObligationKind.PLAN_COPY_SENT: plan_sent,
    ObligationKind.PLAN_COPY_RECEIVED: plan_sent,
    ObligationKind.CP9_SENT: cp9_sent_hook,
    ObligationKind.CP9_RECEIVED: cp9_sent_hook,
}
