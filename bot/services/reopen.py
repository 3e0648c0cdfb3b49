"""Re-opening a case: the child is registered again, after deregistration or closure; its history is kept."""

from __future__ import annotations

from datetime import date, datetime

from bot.deregistration import short_date
from bot.errors import InvalidInputError, NotAllowedError
from bot.notice_payloads.deregistration import CaseReopened
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for
from bot.services.deregistration import acting_for, case_in, close_messages
from bot.services.meeting_plan import ensure_first_due
from bot.services.post_dereg_window import settle_post_dereg
from store.models import Case, CaseStatus
from store.uow import UnitOfWork


def reopen_case(*, uow: UnitOfWork, now: datetime, channel: str, user: str, registered_on: date) -> Case:
    """Re-open a deregistered or closed case whose child is registered again; its history is kept."""
    case = case_in(channel, uow)
    on_behalf_of = acting_for(
        uow,
        case,
        user,
        (case.organisation.coordinator,),
        now=now,
        who="the coordinator ({owner})",
        doing=f"re-open {case.reference}",
    )
    if case.status == CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is open: there is nothing to re-open.")
    today = calendar_for(case.organisation).local_date(now)
    latest = uow.deregistrations.latest_for_case(case.id)
    if registered_on > today:
        raise InvalidInputError("The child has to have been registered again: that date is in the future.")
    if latest is not None and registered_on < latest.review_conference_on:
        raise InvalidInputError(
            f"The new registration follows the review conference of {short_date(latest.review_conference_on)}, "
            "which removed the child's name: give the date of the conference that registered the child again."
        )
    previous, closed_at = case.status, case.closed_at
    for row in uow.deregistrations.supersede(case.id, now=now):
        closed = {"reopened": True, "by": user, "at": now.isoformat()}
        settle_post_dereg(
            uow,
            row,
            closed=closed,
            now=now,
            by=user,
            on_behalf_of=on_behalf_of,
            reason="The child was registered again: the case is re-opened.",
        )
        close_messages(uow, row, outcome=closed, now=now)
    case.status, case.closed_at, case.updated_at = CaseStatus.OPEN, None, now
    case.registered_on, case.first_meeting_at = registered_on, None
    due = ensure_first_due(uow, case, now=now)
    uow.audit.record(
        action="case.reopened",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        previous_status=str(previous),
        closed_at=closed_at.isoformat() if closed_at else None,
        registered_on=registered_on.isoformat(),
        first_meeting_due_on=due.due_on.isoformat(),
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.CASE_REOPENED, case.id, now.isoformat()),
        kind=NoticeKind.CASE_REOPENED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=CaseReopened(
            reference=case.reference,
            channel=case.channel,
            registered_on=registered_on,
            due_on=due.due_on,
            chair=case.chair,
            reopened_by=user,
        ),
    )
    return case
