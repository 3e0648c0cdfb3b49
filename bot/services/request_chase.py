"""The ledger's chases of requests for an additional meeting (registered in bot/services/obligation_sweep.py).

The decider's decision (`request_decision`, or `request_decision_urgent` in working hours) is a step the feature
takes itself: when overdue the decider (or their delegate, today) is reminded; at its breach the request goes to
the decider's delegate not yet asked, else the coordinator (or theirs), with the decision buttons, and the request
keeps who had it so they may decide. Reaching the coordinator opens their own decision (`coordinator_decision`),
which the ledger chases like any kind: the coordinator is sent the request again with its buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.notices import NoticeKind
from bot.obligations import ObligationKind, Stage, Unit, ladder_for
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR, URGENT_DECISION, escalation_target, route
from bot.services import request_notices as notices
from bot.services.obligations import discharge_obligation
from bot.services.request_obligations import owe_coordinator_decision
from bot.services.requests import active_delegates, decider_role
from store.models import Case, MeetingRequest, Obligation, RequestStatus
from store.uow import UnitOfWork

#: The statuses in which each kind is still owed.
_OWED = {
    ObligationKind.REQUEST_DECISION: (RequestStatus.PENDING,),
    URGENT_DECISION: (RequestStatus.PENDING,),
    ObligationKind.COORDINATOR_DECISION: (RequestStatus.PENDING, RequestStatus.WITH_COORDINATOR),
}


def chase_decision(
    uow: UnitOfWork, case: Case, row: Obligation, stage: Stage, *, now: datetime
) -> tuple[int, list[str]]:
    """Take the decision's step the ledger claimed: escalate at its breach, else remind; (notices, who was told)."""
    request = uow.requests.require(row.subject_id)
    if stage is Stage.BREACHED:
        return _escalate(uow, case, request, row, now=now)
    return _remind(uow, case, request, row, now=now)


def _remind(
    uow: UnitOfWork, case: Case, request: MeetingRequest, row: Obligation, *, now: datetime
) -> tuple[int, list[str]]:
    """Send the decider (or their delegate, today) the request again, with its buttons."""
    today = calendar_for(case.organisation).local_date(now)
    delegates = active_delegates(uow, case, [request.decider], today=today)
    routing = route(principal=request.decider, delegate=delegates.get(request.decider), requester=request.requested_by)
    if not uow.requests.record_reminder(request.id, now=now, to=routing.to):
        return 0, []
    uow.audit.record(
        action="request.reminded",
        at=now,
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        request_id=request.id,
        to=routing.to,
        on_behalf_of=routing.on_behalf_of,
        why=_why(case, row, Stage.OVERDUE),
    )
    sent = notices.send_decision_message(
        uow,
        case,
        request,
        decider_role=decider_role(case, request),
        occasion=notices.REMINDER,
        recipient=routing.to,
        on_behalf_of=routing.on_behalf_of,
        now=now,
    )
    return int(sent), [routing.to]


def _escalate(
    uow: UnitOfWork, case: Case, request: MeetingRequest, row: Obligation, *, now: datetime
) -> tuple[int, list[str]]:
    """Send the request to the decider's delegate, or else the coordinator, with its buttons."""
    coordinator = case.organisation.coordinator
    today = calendar_for(case.organisation).local_date(now)
    delegates = active_delegates(uow, case, [request.decider, coordinator], today=today)
    target = escalation_target(
        decider=request.decider,
        routed_to=request.routed_to,
        decider_delegate=delegates.get(request.decider),
        coordinator=coordinator,
        coordinator_delegate=delegates.get(coordinator),
        requester=request.requested_by,
    )
    if not uow.requests.record_escalation(request.id, now=now, to=target.to, on_behalf_of=target.on_behalf_of):
        return 0, []
    uow.audit.record(
        action="request.escalated",
        at=now,
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        request_id=request.id,
        to=target.to,
        why=_why(case, row, Stage.BREACHED),
    )
    uow.audit.record(
        action="request.routed",
        at=now,
        case_id=case.id,
        actor=target.to,
        on_behalf_of=target.on_behalf_of,
        request_id=request.id,
        to=target.to,
        decider=request.decider,
    )
    if coordinator in (target.to, target.on_behalf_of) and coordinator != request.decider:
        owe_coordinator_decision(uow=uow, case=case, request=request, coordinator=coordinator, now=now)
    sent = notices.send_decision_message(
        uow,
        case,
        request,
        decider_role=decider_role(case, request),
        occasion=notices.ESCALATED,
        recipient=target.to,
        on_behalf_of=target.on_behalf_of,
        now=now,
    )
    return int(sent), [target.to]


def _why(case: Case, row: Obligation, stage: Stage) -> str:
    """'not decided within 2 working days', for the audit log, from the ladder that chased it."""
    ladder = ladder_for(policy_for(case.organisation).obligations, row.kind)
    count = (ladder.breach if stage is Stage.BREACHED else None) or ladder.overdue
    unit = "working hour" if ladder.unit is Unit.WORKING_HOURS else "working day"
    return f"not decided within {count} {unit}{'s' if count != 1 else ''}"


def coordinator_decision_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The coordinator's chase: the refused request with Convene / Uphold, or the escalated one with Approve /
    Refuse, again (the sweep adds who it is for)."""
    request = uow.requests.get(row.subject_id)
    if request is None:
        return None
    payload = {
        **notices.summary(case, request, decider_role=decider_role(case, request)),
        "occasion": notices.REMINDER,
        "delegate": None,
    }
    if request.status == RequestStatus.PENDING:
        return NoticeKind.REQUEST_DECISION, payload
    if request.decided_by is None or request.decided_at is None:  # with the coordinator: it was refused
        raise ValueError(f"request {request.id} is with the coordinator but has no decision")
    refusal = notices.outcome_of(
        outcome="refused",
        by=request.decided_by,
        on_behalf_of=request.decided_on_behalf_of,
        at=request.decided_at,
        reason=request.decision_reason,
        meeting=None,
    )
    return NoticeKind.REQUEST_COORDINATOR_REVIEW, {**payload, "decision": refusal}


def decision_settled(uow: UnitOfWork, row: Obligation, *, now: datetime) -> bool:
    """Close a decision no longer owed (the request moved on by a path that did not discharge it); True if so."""
    request = uow.requests.get(row.subject_id)
    if request is not None and request.status in _OWED[row.kind]:
        return False
    by = (request.outcome_by or request.decided_by) if request else None
    discharge_obligation(
        uow=uow, row=row, by=by or SYSTEM_ACTOR, now=now, outcome=str(request.status) if request else "gone"
    )
    return True


#: The entries the ledger sweep registers for requests.
STEPS: dict[str, Callable[..., tuple[int, list[str]]]] = {
    ObligationKind.REQUEST_DECISION: chase_decision,
    URGENT_DECISION: chase_decision,
}
NOTICES: dict[str, Callable[[UnitOfWork, Case, Obligation], tuple[NoticeKind, dict] | None]] = {
    ObligationKind.COORDINATOR_DECISION: coordinator_decision_notice,
}
SETTLED = dict.fromkeys(_OWED, decision_settled)
