"""The plan-copy and CP9 sweepers: reminders and overdue notices when their indexed due time comes.

Each pass claims only rows whose `remind_at` / `chair_remind_at` / `overdue_at` has come, a batch at a time
(`FOR UPDATE SKIP LOCKED` on PostgreSQL), moves each on with a conditional update, and writes its notices
with idempotency keys: two sweeps at once, or one run twice, send nothing twice. A recipient is reminded
at most twice (the reminder working day and the deadline day), and never once they have confirmed.
"""

from __future__ import annotations

from datetime import datetime

from bot.cp9 import cp9_schedule
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for, policy_for
from bot.receipts import next_reminder, plan_schedule
from bot.requests import SYSTEM_ACTOR
from bot.services import cp9 as cp9_service
from bot.services.meeting_plan import route_to
from bot.services.receipts import receipt_payload, recipient_payload, tell_chair
from bot.batches import in_batches
from store.models import CaseStatus, CopyStatus, Cp9Status
from store.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 500


def sweep_plan_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Remind each recipient who has not confirmed (reminder day, deadline day); notices enqueued."""
    return in_batches(uow_factory, lambda uow: _remind_recipients(uow, now=now, batch=batch), batch)


def sweep_plan_chair_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Remind the chair whose plan is not marked sent to everyone by the reminder working day; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _remind_chairs(uow, now=now, batch=batch), batch)


def sweep_overdue_plans(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Tell the chair which copies are still owed after the deadline (flagged for the digest); notices enqueued."""
    return in_batches(uow_factory, lambda uow: _flag_overdue_plans(uow, now=now, batch=batch), batch)


def sweep_cp9_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Remind the chair of a CP9 not sent, before the effective deadline and on it; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _remind_cp9s(uow, now=now, batch=batch), batch)


def sweep_overdue_cp9s(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Tell the chair of a CP9 not sent by the effective deadline (flagged for the digest); notices enqueued."""
    return in_batches(uow_factory, lambda uow: _flag_overdue_cp9s(uow, now=now, batch=batch), batch)


# --- plan copies ----------------------------------------------------------------------------


def _remind_recipients(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    copies = uow.receipts.claim_copies_to_remind(now=now, limit=batch)
    if not copies:
        return 0, 0
    receipts = uow.receipts.get_many(c.receipt_id for c in copies)
    cases = uow.cases.get_many(c.case_id for c in copies)
    sent = 0
    for copy in copies:
        receipt, case = receipts[copy.receipt_id], cases[copy.case_id]
        calendar = calendar_for(case.organisation)
        schedule = plan_schedule(receipt.held_on, policy=policy_for(case.organisation), calendar=calendar)
        step = copy.reminder_step
        to_step, next_at = next_reminder(schedule.recipient_reminders, after=now, step=step + 1)
        # A reminder nudges before the deadline; after it (a sweep that came late) the overdue notice takes over.
        due = copy.status == CopyStatus.SENT and copy.user_id is not None and now <= copy.due_at
        due = due and case.status != CaseStatus.CLOSED  # a closed case gets no reminders
        if not uow.receipts.advance_reminder(copy.id, step=step, to_step=to_step, next_at=next_at, sent=due):
            continue  # a rival sweep took it
        if not due:
            continue
        occasion = "deadline" if calendar.local_date(now) == receipt.due_on else "reminder"
        key = notice_key(NoticeKind.PLAN_COPY, copy.id, copy.user_id, f"reminder{step}")
        if uow.outbox.enqueue(key=key, kind=NoticeKind.PLAN_COPY, recipient=copy.user_id, now=now, case_id=case.id,
                              payload=recipient_payload(case, receipt, copy, occasion=occasion)):
            uow.receipts.remember_messages(copy, key)
            sent += 1
        uow.audit.record(action="plan.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR, receipt_id=receipt.id,
                         copy_id=copy.id, to=copy.user_id, reminder=step + 1, occasion=occasion)
    return len(copies), sent


def _remind_chairs(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    receipts = uow.receipts.claim_chair_reminders(now=now, limit=batch)
    if not receipts:
        return 0, 0
    cases = uow.cases.get_many(r.case_id for r in receipts)
    sent = 0
    for receipt in receipts:
        if not uow.receipts.spend_chair_reminder(receipt.id):
            continue
        case = cases[receipt.case_id]
        unsent = [c for c in receipt.copies if c.status == CopyStatus.PENDING]
        if not unsent or not case.chair or now > receipt.due_at or case.status == CaseStatus.CLOSED:
            continue
        to = tell_chair(uow, case, receipt, occasion="reminder", now=now)
        if to:
            sent += 1
            uow.audit.record(action="plan.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR,
                             receipt_id=receipt.id, to=to, not_sent=len(unsent), occasion="chair")
    return len(receipts), sent


def _flag_overdue_plans(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    receipts = uow.receipts.claim_overdue(now=now, limit=batch)
    if not receipts:
        return 0, 0
    cases = uow.cases.get_many(r.case_id for r in receipts)
    sent = 0
    for receipt in receipts:
        if not uow.receipts.spend_overdue(receipt.id):
            continue
        case = cases[receipt.case_id]
        owed = [c for c in receipt.copies if not c.complete]
        if not owed or case.status == CaseStatus.CLOSED:  # a closed case gets no reminders
            continue
        for copy in owed:
            copy.overdue_since = now
            uow.audit.record(action="plan.overdue", at=now, case_id=case.id, actor=SYSTEM_ACTOR, receipt_id=receipt.id,
                             copy_id=copy.id, recipient=copy.user_id or copy.label, status=copy.status,
                             due_on=receipt.due_on.isoformat())
        if not case.chair:
            continue
        to, on_behalf_of = route_to(uow, case, case.chair, now=now)
        key = notice_key(NoticeKind.PLAN_OVERDUE, receipt.id, to)
        payload = {**receipt_payload(case, receipt), "occasion": "overdue", "on_behalf_of": on_behalf_of,
                   "overdue": [c.id for c in owed]}
        if uow.outbox.enqueue(key=key, kind=NoticeKind.PLAN_OVERDUE, recipient=to, now=now, case_id=case.id,
                              payload=payload):
            sent += 1
            if not payload["all_sent"]:
                uow.receipts.remember_messages(receipt, key)
    return len(receipts), sent


# --- the CP9 --------------------------------------------------------------------------------


def _remind_cp9s(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.cp9s.claim_to_remind(now=now, limit=batch)
    if not rows:
        return 0, 0
    cases = uow.cases.get_many(r.case_id for r in rows)
    sent = 0
    for cp9 in rows:
        case = cases[cp9.case_id]
        calendar = calendar_for(case.organisation)
        schedule = cp9_schedule(cp9.held_on, policy=policy_for(case.organisation), calendar=calendar)
        step = cp9.reminder_step
        to_step, next_at = next_reminder(schedule.reminders, after=now, step=step + 1)
        due = now <= cp9.due_at and case.chair is not None  # after the deadline, the overdue notice takes over
        due = due and case.status != CaseStatus.CLOSED  # a closed case gets no reminders
        if cp9.status != Cp9Status.PENDING or not uow.cp9s.advance_reminder(cp9.id, step=step, to_step=to_step,
                                                                            next_at=next_at, sent=due):
            continue
        if not due:
            continue
        occasion = "deadline" if calendar.local_date(now) == cp9.due_on else "reminder"
        to = cp9_service.tell_chair(uow, case, cp9, occasion=occasion, occurrence=f"reminder{step}", now=now)
        if to:
            sent += 1
            uow.audit.record(action="cp9.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR, cp9_id=cp9.id, to=to,
                             reminder=step + 1, occasion=occasion)
    return len(rows), sent


def _flag_overdue_cp9s(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.cp9s.claim_overdue(now=now, limit=batch)
    if not rows:
        return 0, 0
    cases = uow.cases.get_many(r.case_id for r in rows)
    sent = 0
    for cp9 in rows:
        if not uow.cp9s.flag_overdue(cp9.id, now=now):
            continue  # sent meanwhile, or a rival sweep flagged it
        case = cases[cp9.case_id]
        uow.audit.record(action="cp9.overdue", at=now, case_id=case.id, actor=SYSTEM_ACTOR, cp9_id=cp9.id,
                         due_on=cp9.due_on.isoformat(), nominal_due_on=cp9.nominal_due_on.isoformat())
        if (case.chair and case.status != CaseStatus.CLOSED  # a closed case gets no reminders
                and cp9_service.tell_chair(uow, case, cp9, occasion="overdue", now=now)):
            sent += 1
    return len(rows), sent
