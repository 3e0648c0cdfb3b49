"""The post-deregistration sweeper: the window's reminders to the convener and the meeting's chair, and the
missed window kept for the coordinator's digest.

It reads only rows whose indexed `next_at` has come, a batch at a time, claimed with `FOR UPDATE SKIP LOCKED`
on PostgreSQL; each row moves on by a conditional update, and each notice has an idempotency key: a sweep run
twice, or in two processes, sends nothing twice. After a pause it sends the latest reminder due, not all of them.
"""

from __future__ import annotations

from datetime import datetime

from bot.deregistration import Step, catch_up, window_steps
from bot.notices import NoticeKind
from bot.organisation import calendar_for
from bot.services.deregistration import tell_organisers, window_of
from bot.batches import in_batches
from store.models import CaseStatus
from store.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 200
SYSTEM_ACTOR = "sweep"


def sweep_post_deregistration(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Remind the organisers as the window opens, a week before it closes and on its last day; flag it missed."""
    return in_batches(uow_factory, lambda uow: _step(uow, now=now, batch=batch), batch)


def _step(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.deregistrations.claim_due(now=now, limit=batch)
    if not rows:
        return 0, 0
    cases = uow.cases.get_many(r.case_id for r in rows)
    enqueued = 0
    for row in rows:
        case = cases[row.case_id]
        if case.status == CaseStatus.CLOSED:  # a closed case gets no reminders
            uow.deregistrations.advance(row.id, from_step=row.next_step, to_step=None, next_at=None)
            continue
        steps = window_steps(window_of(row), calendar=calendar_for(case.organisation))
        due, following = catch_up(steps, current=row.next_step, now=now)
        if due is None:  # the calendar changed since (closure days): wait for the step as it now falls
            uow.deregistrations.advance(row.id, from_step=row.next_step, to_step=following.step, next_at=following.at)
            continue
        missed = due.step == Step.MISSED
        if not uow.deregistrations.advance(
            row.id, from_step=row.next_step, to_step=following.step if following else None,
            next_at=following.at if following else None, missed_at=now if missed else None,
        ):
            continue
        if missed:
            uow.audit.record(action="deregistration.window_missed", at=now, case_id=case.id, actor=SYSTEM_ACTOR,
                             deregistration_id=row.id, closes_on=row.window_closes_on.isoformat())
            continue
        keys = tell_organisers(uow, case, row, kind=NoticeKind.POST_DEREG_REMINDER, occurrence=str(due.step), now=now)
        uow.deregistrations.remember_messages(row, [*(row.message_keys or []), *keys])
        uow.audit.record(action="deregistration.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR,
                         deregistration_id=row.id, step=str(due.step), to=[k.rsplit(":", 1)[1] for k in keys])
        enqueued += len(keys)
    return len(rows), enqueued
