"""The requests sweeper: remind the decider of a pending request, then escalate it, when due.

Due times were computed when the request was made (working time only) and are indexed, so each pass
is two cheap queries. Each request is then taken by a conditional update in its own transaction, and
every notice has an idempotency key: running the sweep twice, or in two processes, sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR, URGENT, escalation_target, route
from bot.services import request_notices as notices
from bot.services.requests import active_delegates, decider_role
from store.uow import UnitOfWork, UnitOfWorkFactory


def chase_pending_requests(*, uow_factory: UnitOfWorkFactory, now: datetime) -> int:
    """Escalate, then remind, every pending request that is due at `now`; the number of notices enqueued."""
    enqueued = 0
    with uow_factory() as uow:
        due = uow.requests.due_for_escalation(now=now)
    for request_id in due:
        with uow_factory() as uow:
            enqueued += _escalate(uow, request_id, now=now)
            uow.commit()
    with uow_factory() as uow:
        due = uow.requests.due_for_reminder(now=now)
    for request_id in due:
        with uow_factory() as uow:
            enqueued += _remind(uow, request_id, now=now)
            uow.commit()
    return enqueued


def _remind(uow: UnitOfWork, request_id: int, *, now: datetime) -> int:
    """Send the decider (or their delegate, today) the request again, with its buttons."""
    request = uow.requests.get(request_id)
    case = uow.cases.get(request.case_id)
    today = calendar_for(case.organisation).local_date(now)
    delegates = active_delegates(uow, case, [request.decider], today=today)
    routing = route(principal=request.decider, delegate=delegates.get(request.decider), requester=request.requested_by)
    if not uow.requests.claim_reminder(request.id, now=now, to=routing.to):
        return 0
    uow.audit.record(
        action="request.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR, request_id=request.id,
        to=routing.to, on_behalf_of=routing.on_behalf_of, why=_why(case, request, "remind"),
    )
    sent = notices.send_decision_message(
        uow, case, request, decider_role=decider_role(case, request), occasion=notices.REMINDER,
        recipient=routing.to, on_behalf_of=routing.on_behalf_of, now=now,
    )
    return int(sent)


def _escalate(uow: UnitOfWork, request_id: int, *, now: datetime) -> int:
    """Send the request to the decider's delegate, or else the coordinator, with its buttons."""
    request = uow.requests.get(request_id)
    case = uow.cases.get(request.case_id)
    coordinator = case.organisation.coordinator
    today = calendar_for(case.organisation).local_date(now)
    delegates = active_delegates(uow, case, [request.decider, coordinator], today=today)
    target = escalation_target(
        decider=request.decider, routed_to=request.routed_to, decider_delegate=delegates.get(request.decider),
        coordinator=coordinator, coordinator_delegate=delegates.get(coordinator), requester=request.requested_by,
    )
    if not uow.requests.claim_escalation(request.id, now=now, to=target.to, on_behalf_of=target.on_behalf_of):
        return 0
    uow.audit.record(
        action="request.escalated", at=now, case_id=case.id, actor=SYSTEM_ACTOR, request_id=request.id,
        to=target.to, why=_why(case, request, "escalate"),
    )
    uow.audit.record(
        action="request.routed", at=now, case_id=case.id, actor=target.to, on_behalf_of=target.on_behalf_of,
        request_id=request.id, to=target.to, decider=request.decider,
    )
    sent = notices.send_decision_message(
        uow, case, request, decider_role=decider_role(case, request), occasion=notices.ESCALATED,
        recipient=target.to, on_behalf_of=target.on_behalf_of, now=now,
    )
    return int(sent)


def _why(case, request, step: str) -> str:
    """'not decided within 2 working days', for the audit log."""
    rules = policy_for(case.organisation).requests
    if request.urgency == URGENT:
        hours = rules.urgent.remind_after_working_hours if step == "remind" else rules.urgent.escalate_after_working_hours
        return f"not decided within {hours} working hours"
    days = rules.routine.remind_after_working_days if step == "remind" else rules.routine.escalate_after_working_days
    return f"not decided within {days} working day{'s' if days != 1 else ''}"
