"""Use cases for requests for an additional meeting: ask, decide, ask the coordinator, convene or uphold.

Each saves the change, its audit events and its notices in the caller's unit of work; the caller
commits. Every decision is a conditional update from the status it expects, so a double click,
a retry or two deciders at once give exactly one decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.authority import AlreadyDoneError, Duty, NotYoursError, delegates_for
from bot.calendar import WorkingCalendar
from bot.errors import NotACaseChannelError, NotAllowedError, NotInCaseError
from bot.notices import NoticeKind
from bot.organisation import calendar_for, policy_for
from bot.requests import (
    choose_decider,
    clean_details,
    clean_reason,
    coordinator_deciders,
    due_times,
    pending_deciders,
    route,
)
from bot.services import request_notices as notices
from bot.services.meetings import schedule_meeting
from bot.services.request_obligations import discharge_decisions, owe_coordinator_decision, owe_decision
from store.models import (
    Case,
    CaseStatus,
    Meeting,
    MeetingKind,
    MeetingRequest,
    RequestConcern,
    RequestStatus,
    RequestUrgency,
)
from store.uow import UnitOfWork

_DECIDER_OR_DELEGATE = "the {role} ({{owner}}) or their delegate for request decisions"

#: The statuses a request has once the team leader's step is over, and the word for what happened.
_DECIDED = {
    RequestStatus.APPROVED: "approved",
    RequestStatus.REFUSED: "refused",
    RequestStatus.WITH_COORDINATOR: "refused",
    RequestStatus.CONVENED: "refused",
    RequestStatus.UPHELD: "refused",
}


@dataclass(frozen=True)
class NewRequest:
    """What a member asked for, as the request form gives it."""

    channel: str
    user: str
    concern: str
    urgency: str
    details: str


@dataclass(frozen=True)
class RequestView:
    """What a decision form shows about the request (and the calendar to check a meeting time)."""

    request_id: int
    reference: str
    requested_by: str
    concern: str
    urgency: str
    timezone: str
    calendar: WorkingCalendar


def case_for_request(channel: str, user: str, *, uow: UnitOfWork) -> Case:
    """The open case whose channel this is, if `user` is in its core group (chair, team leader, member)."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        raise NotACaseChannelError()
    if not case.is_in_group(user):
        raise NotInCaseError()
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is {case.status}: its core group no longer meets.")
    return case


def request_meeting(cmd: NewRequest, *, uow: UnitOfWork, now: datetime) -> MeetingRequest:
    """Save a pending request and send it to the team leader (or their delegate)."""
    case = case_for_request(cmd.channel, cmd.user, uow=uow)
    details = clean_details(cmd.details)
    concern, urgency = RequestConcern(cmd.concern), RequestUrgency(cmd.urgency)
    organisation = case.organisation
    calendar = calendar_for(organisation)
    decider = choose_decider(team_leader=case.team_leader, requester=cmd.user, coordinator=organisation.coordinator)
    routing = route(
        principal=decider, delegate=_delegate_of(uow, case, decider, calendar.local_date(now)), requester=cmd.user
    )
    due = due_times(urgency=urgency, requested_at=now, calendar=calendar, policy=policy_for(organisation))
    request = MeetingRequest(
        case_id=case.id,
        requested_by=cmd.user,
        requested_at=now,
        concern=concern,
        urgency=urgency,
        details=details,
        status=RequestStatus.PENDING,
        decider=decider,
        routed_to=routing.to,
    )
    uow.requests.add(request)
    role = decider_role(case, request)
    owe_decision(uow=uow, case=case, request=request, owner_role=role.replace(" ", "_"), now=now)
    # The details are free text: the audit log keeps their length, never their words.
    uow.audit.record(
        action="request.requested",
        at=now,
        case_id=case.id,
        actor=cmd.user,
        request_id=request.id,
        concern=str(concern),
        urgency=str(urgency),
        details_length=len(details),
    )
    uow.audit.record(
        action="request.routed",
        at=now,
        case_id=case.id,
        actor=routing.to,
        on_behalf_of=routing.on_behalf_of,
        request_id=request.id,
        to=routing.to,
        decider=decider,
        remind_at=due.remind_at.isoformat(),
        escalate_at=due.escalate_at.isoformat(),
    )
    notices.send_decision_message(
        uow,
        case,
        request,
        decider_role=role,
        occasion=notices.ROUTED,
        recipient=routing.to,
        on_behalf_of=routing.on_behalf_of,
        now=now,
    )
    if routing.to != decider:  # the decider keeps a copy, so either of them can decide
        notices.send_decision_message(
            uow,
            case,
            request,
            decider_role=role,
            occasion=notices.ROUTED,
            recipient=decider,
            on_behalf_of=None,
            now=now,
            delegate=routing.to,
        )
    return request


def may_take_step(*, uow: UnitOfWork, now: datetime, request: MeetingRequest, case: Case, user: str, step: str) -> bool:
    """Whether `user` may take `step` (decide or review) on this request now: the rule a click is checked by."""
    try:
        _who_acts(uow, case, request, user, step=step, today=calendar_for(case.organisation).local_date(now))
    except (NotYoursError, AlreadyDoneError):
        return False
    return True


def prepare_decision(*, uow: UnitOfWork, now: datetime, request_id: int, user: str, step: str) -> RequestView:
    """Check that `user` may take `step` (decide, review or ask) on a request still waiting for it."""
    request, case = _load(uow, request_id)
    if step == "ask":
        _check_can_ask(request, case, user)
    else:
        _who_acts(uow, case, request, user, step=step, today=calendar_for(case.organisation).local_date(now))
    return RequestView(
        request_id=request.id,
        reference=case.reference,
        requested_by=request.requested_by,
        concern=request.concern,
        urgency=request.urgency,
        timezone=case.organisation.timezone,
        calendar=calendar_for(case.organisation),
    )


def decide_request(
    *,
    uow: UnitOfWork,
    now: datetime,
    request_id: int,
    user: str,
    approve: bool,
    starts_at: datetime | None = None,
    reason: str | None = None,
) -> MeetingRequest:
    """Approve (scheduling the meeting) or refuse (with a reason) a pending request; the first decision wins."""
    request, case = _load(uow, request_id)
    on_behalf_of = _who_acts(
        uow, case, request, user, step="decide", today=calendar_for(case.organisation).local_date(now)
    )
    reason = clean_reason(reason, required=not approve)
    status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    won = uow.requests.move(
        request.id,
        from_status=RequestStatus.PENDING,
        to_status=status,
        decided_by=user,
        decided_on_behalf_of=on_behalf_of,
        decided_at=now,
        decision_reason=reason,
    )
    if not won:
        raise _closed(uow.requests.require(request.id), case, step="decide")
    meeting = (
        _schedule(uow, case, request, starts_at, user=user, on_behalf_of=on_behalf_of, now=now) if approve else None
    )
    request = uow.requests.require(request.id)
    # The reason is free text: it lives on the request (decision_reason), the audit keeps its length.
    uow.audit.record(
        action="request.decided",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        request_id=request.id,
        decision=str(status),
        reason_length=len(reason or ""),
        meeting_id=meeting.id if meeting else None,
    )
    role = decider_role(case, request)
    outcome = notices.outcome_of(
        outcome=_DECIDED[status], by=user, on_behalf_of=on_behalf_of, at=now, reason=reason, meeting=meeting
    )
    keys = [notices.decision_key(request.id, occasion, to) for occasion, to in notices.decision_messages(request)]
    notices.close_messages(uow, keys, outcome=outcome, now=now)
    discharge_decisions(uow=uow, request=request, by=user, on_behalf_of=on_behalf_of, outcome=outcome, now=now)
    payload = {**notices.summary(case, request, decider_role=role), "decision": outcome}
    kind = NoticeKind.REQUEST_APPROVED if approve else NoticeKind.REQUEST_REFUSED
    notices.tell(uow, case, request, kind=kind, recipient=request.requested_by, payload=payload, now=now)
    return request


def escalate_request(*, uow: UnitOfWork, now: datetime, request_id: int, user: str) -> MeetingRequest:
    """The requester asks the coordinator about a refusal: it goes to the coordinator (or their delegate)."""
    request, case = _load(uow, request_id)
    _check_can_ask(request, case, user)
    coordinator = case.organisation.coordinator
    today = calendar_for(case.organisation).local_date(now)
    routing = route(principal=coordinator, delegate=_delegate_of(uow, case, coordinator, today), requester=user)
    won = uow.requests.move(
        request.id,
        from_status=RequestStatus.REFUSED,
        to_status=RequestStatus.WITH_COORDINATOR,
        coordinator_asked_at=now,
        coordinator=coordinator,
        coordinator_routed_to=routing.to,
    )
    if not won:
        raise _closed(uow.requests.require(request.id), case, step="ask")
    request = uow.requests.require(request.id)
    owe_coordinator_decision(uow=uow, case=case, request=request, coordinator=coordinator, now=now)
    uow.audit.record(
        action="request.escalated",
        at=now,
        case_id=case.id,
        actor=user,
        request_id=request.id,
        to=routing.to,
        why="refused; the requester asked the coordinator",
    )
    uow.audit.record(
        action="request.routed",
        at=now,
        case_id=case.id,
        actor=routing.to,
        on_behalf_of=routing.on_behalf_of,
        request_id=request.id,
        to=routing.to,
        decider=coordinator,
    )
    role = decider_role(case, request)
    if request.decided_by is None or request.decided_at is None:  # it was refused: a decision was recorded
        raise ValueError(f"request {request.id} was refused with no decision")
    refusal = notices.outcome_of(
        outcome="refused",
        by=request.decided_by,
        on_behalf_of=request.decided_on_behalf_of,
        at=request.decided_at,
        reason=request.decision_reason,
        meeting=None,
    )
    base = {**notices.summary(case, request, decider_role=role), "decision": refusal}
    for person in notices.review_messages(request):
        payload = {**base, "recipient": person, "on_behalf_of": coordinator if person != coordinator else None}
        notices.tell(
            uow, case, request, kind=NoticeKind.REQUEST_COORDINATOR_REVIEW, recipient=person, payload=payload, now=now
        )
    asked = {"outcome": "asked", "by": user, "at": now.isoformat(), "to": routing.to}
    notices.close_messages(uow, [notices.refusal_key(request.id, user)], outcome=asked, now=now)
    return request


def decide_escalation(
    *,
    uow: UnitOfWork,
    now: datetime,
    request_id: int,
    user: str,
    convene: bool,
    starts_at: datetime | None = None,
    reason: str | None = None,
) -> MeetingRequest:
    """The coordinator (or their delegate) convenes the meeting after all, or upholds the refusal with a reason."""
    request, case = _load(uow, request_id)
    on_behalf_of = _who_acts(
        uow, case, request, user, step="review", today=calendar_for(case.organisation).local_date(now)
    )
    reason = clean_reason(reason, required=not convene)
    status = RequestStatus.CONVENED if convene else RequestStatus.UPHELD
    won = uow.requests.move(
        request.id,
        from_status=RequestStatus.WITH_COORDINATOR,
        to_status=status,
        outcome_by=user,
        outcome_on_behalf_of=on_behalf_of,
        outcome_at=now,
        outcome_reason=reason,
    )
    if not won:
        raise _closed(uow.requests.require(request.id), case, step="review")
    meeting = (
        _schedule(uow, case, request, starts_at, user=user, on_behalf_of=on_behalf_of, now=now) if convene else None
    )
    request = uow.requests.require(request.id)
    # The reason is free text: it lives on the request (outcome_reason), the audit keeps its length.
    uow.audit.record(
        action="request.outcome",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        request_id=request.id,
        outcome=str(status),
        reason_length=len(reason or ""),
        meeting_id=meeting.id if meeting else None,
    )
    outcome = notices.outcome_of(
        outcome=str(status), by=user, on_behalf_of=on_behalf_of, at=now, reason=reason, meeting=meeting
    )
    notices.close_messages(
        uow, [notices.review_key(request.id, p) for p in notices.review_messages(request)], outcome=outcome, now=now
    )
    discharge_decisions(uow=uow, request=request, by=user, on_behalf_of=on_behalf_of, outcome=outcome, now=now)
    payload = {**notices.summary(case, request, decider_role=decider_role(case, request)), "outcome": outcome}
    for person in dict.fromkeys([request.requested_by, request.decider, request.decided_by]):
        if person and person != user:
            notices.tell(
                uow,
                case,
                request,
                kind=NoticeKind.REQUEST_OUTCOME,
                recipient=person,
                payload={**payload, "recipient": person},
                now=now,
            )
    return request


def decider_role(case: Case, request: MeetingRequest) -> str:
    """The decider's role in the users' words."""
    return "team leader" if request.decider == case.team_leader else "coordinator"


def decision_duty(case: Case, person: str) -> Duty:
    """What deciding a request is for `person`: the coordinator's decision, or a team leader's."""
    if person == case.organisation.coordinator:
        return Duty.DECIDE_AS_COORDINATOR
    return Duty.DECIDE_AS_TEAM_LEADER


def active_delegates(uow: UnitOfWork, case: Case, principals: list[str | None], *, today: date) -> dict[str, str]:
    """principal -> their delegate for request decisions today (bot.authority), for those who have one."""
    found = delegates_for(uow, [(p, decision_duty(case, p)) for p in principals if p], on=today)
    return {principal: delegate for (principal, _), delegate in found.items()}


# --- helpers ---------------------------------------------------------------------------------


def _load(uow: UnitOfWork, request_id: int) -> tuple[MeetingRequest, Case]:
    request = uow.requests.get(request_id)
    if request is None:
        raise NotAllowedError("That request no longer exists.")
    return request, uow.cases.require(request.case_id)


def _delegate_of(uow: UnitOfWork, case: Case, principal: str, today: date) -> str | None:
    return active_delegates(uow, case, [principal], today=today).get(principal)


def _who_acts(uow: UnitOfWork, case: Case, request: MeetingRequest, user: str, *, step: str, today: date) -> str | None:
    """On whose behalf `user` takes `step` (None: their own); refuse anyone else, or a step already taken."""
    if step == "review":
        if request.status != RequestStatus.WITH_COORDINATOR:
            raise _closed(request, case, step=step)
        coordinator = request.coordinator or case.organisation.coordinator
        people = coordinator_deciders(
            coordinator=coordinator,
            routed_to=request.coordinator_routed_to,
            active_delegates=active_delegates(uow, case, [coordinator], today=today),
            requester=request.requested_by,
        )
        if user not in people:
            raise NotYoursError(
                step="decide this request", who=_DECIDER_OR_DELEGATE.format(role="coordinator"), owner=coordinator
            )
        return people[user]
    if request.status != RequestStatus.PENDING:
        raise _closed(request, case, step=step)
    principals = [request.decider, request.escalated_on_behalf_of or request.escalated_to]
    people = pending_deciders(
        decider=request.decider,
        escalated_to=request.escalated_to,
        escalated_on_behalf_of=request.escalated_on_behalf_of,
        active_delegates=active_delegates(uow, case, principals, today=today),
        requester=request.requested_by,
    )
    if user not in people:
        raise NotYoursError(
            step="decide this request",
            who=_DECIDER_OR_DELEGATE.format(role=decider_role(case, request)),
            owner=request.decider,
        )
    return people[user]


def _check_can_ask(request: MeetingRequest, case: Case, user: str) -> None:
    if user != request.requested_by:
        raise NotYoursError(
            step="ask the coordinator about this request",
            who="{owner}, who made the request,",
            owner=request.requested_by,
        )
    if request.status != RequestStatus.REFUSED:
        raise _closed(request, case, step="ask")
    if request.decider == case.organisation.coordinator:
        raise NotAllowedError("The coordinator made this decision, so there is nobody further to ask.")


def _closed(request: MeetingRequest, case: Case, *, step: str) -> AlreadyDoneError:
    """Why the step is no longer open: what happened, who did it and when."""
    tz = case.organisation.timezone
    if step == "ask" and request.coordinator_asked_at:
        return AlreadyDoneError(
            what="This request",
            done="sent to the coordinator",
            by=request.requested_by,
            at=request.coordinator_asked_at,
            timezone=tz,
            yours=True,
        )
    if step == "review" and request.outcome_at:
        what = "The refusal" if request.status == RequestStatus.UPHELD else "This request"
        return AlreadyDoneError(
            what=what, done=str(request.status), by=request.outcome_by, at=request.outcome_at, timezone=tz
        )
    done = _DECIDED.get(RequestStatus(request.status), str(request.status))
    return AlreadyDoneError(what="This request", done=done, by=request.decided_by, at=request.decided_at, timezone=tz)


def _schedule(
    uow: UnitOfWork,
    case: Case,
    request: MeetingRequest,
    starts_at: datetime | None,
    *,
    user: str,
    on_behalf_of: str | None,
    now: datetime,
) -> Meeting:
    if starts_at is None:
        raise ValueError("approving a request needs the meeting's starts_at")
    meeting = schedule_meeting(
        uow=uow,
        case=case,
        starts_at=starts_at,
        actor=user,
        now=now,
        kind=MeetingKind.ADDITIONAL,
        on_behalf_of=on_behalf_of,
        reason=f"additional meeting request {request.id}",
    )
    uow.requests.set_meeting(request.id, meeting.id)
    return meeting
