"""The outbox notices of a request for an additional meeting: their keys and what they carry.

A payload carries everything its renderer shows, so nothing is read when it is sent. Messages with
buttons are updated in place once acted on: the update is a notice whose `replaces_key` is the
original's key, carrying the original payload plus what happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.notices import NoticeKind, notice_key
from store.models import Case, Meeting, MeetingRequest
from store.uow import UnitOfWork

ROUTED, REMINDER, ESCALATED = "routed", "reminder", "escalated"


def decision_key(request_id: int, occasion: str, recipient: str) -> str:
    """The key of a message with Approve / Refuse sent to `recipient` on `occasion`."""
    return notice_key(NoticeKind.REQUEST_DECISION, request_id, occasion, recipient)


def review_key(request_id: int, recipient: str) -> str:
    """The key of a message with Convene / Uphold sent to the coordinator (or their delegate)."""
    return notice_key(NoticeKind.REQUEST_COORDINATOR_REVIEW, request_id, recipient)


def refusal_key(request_id: int, requester: str) -> str:
    return notice_key(NoticeKind.REQUEST_REFUSED, request_id, requester)


def decision_messages(request: MeetingRequest) -> list[tuple[str, str]]:
    """(occasion, recipient) of every Approve / Refuse message this request has had."""
    sent = [(ROUTED, request.routed_to)]
    if request.decider != request.routed_to:
        sent.append((ROUTED, request.decider))
    if request.reminded_to:
        sent.append((REMINDER, request.reminded_to))
    if request.escalated_to:
        sent.append((ESCALATED, request.escalated_to))
    return sent


def review_messages(request: MeetingRequest) -> list[str]:
    """Everyone who was sent Convene / Uphold."""
    people = [request.coordinator_routed_to]
    if request.coordinator and request.coordinator != request.coordinator_routed_to:
        people.append(request.coordinator)
    return [p for p in people if p]


def summary(case: Case, request: MeetingRequest, *, decider_role: str) -> dict[str, Any]:
    """What every request notice shows: the case reference, the request, who asked and when."""
    return {
        "request_id": request.id,
        "reference": case.reference,
        "timezone": case.organisation.timezone,
        "concern": request.concern,
        "urgency": request.urgency,
        "details": request.details,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "decider": request.decider,
        "decider_role": decider_role,
        "coordinator": case.organisation.coordinator,
    }


def send_decision_message(
    uow: UnitOfWork,
    case: Case,
    request: MeetingRequest,
    *,
    decider_role: str,
    occasion: str,
    recipient: str,
    on_behalf_of: str | None,
    now: datetime,
    delegate: str | None = None,
) -> bool:
    """Ask `recipient` to approve or refuse (first routing, a reminder, or an escalation)."""
    payload = {
        **summary(case, request, decider_role=decider_role),
        "occasion": occasion,
        "recipient": recipient,
        "on_behalf_of": on_behalf_of,
        "delegate": delegate,  # on the decider's own copy: the delegate who has it too
    }
    return uow.outbox.enqueue(
        key=decision_key(request.id, occasion, recipient),
        kind=NoticeKind.REQUEST_DECISION,
        recipient=recipient,
        now=now,
        case_id=case.id,
        payload=payload,
    )


def close_messages(uow: UnitOfWork, keys: list[str], *, outcome: dict[str, Any], now: datetime) -> None:
    """Update each sent message in place with `outcome` (its buttons go)."""
    for key in keys:
        original = uow.outbox.get_by_key(key)
        if original is None:
            continue
        uow.outbox.enqueue(
            key=f"{key}:closed",
            kind=original.kind,
            recipient=original.recipient,
            now=now,
            case_id=original.case_id,
            payload={**original.payload, "closed": outcome},
            replaces_key=key,
        )


def outcome_of(
    *, outcome: str, by: str, on_behalf_of: str | None, at: datetime, reason: str | None, meeting: Meeting | None
) -> dict[str, Any]:
    """A decision as the notices show it."""
    return {
        "outcome": outcome,
        "by": by,
        "on_behalf_of": on_behalf_of,
        "at": at.isoformat(),
        "reason": reason,
        "meeting_starts_at": meeting.starts_at.isoformat() if meeting else None,
    }


def tell(
    uow: UnitOfWork,
    case: Case,
    request: MeetingRequest,
    *,
    kind: NoticeKind,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    occurrence: str | None = None,
) -> bool:
    """Send one person a notice about the request, once."""
    parts: list[object] = [kind, request.id, recipient]
    if occurrence:
        parts.append(occurrence)
    return uow.outbox.enqueue(
        key=notice_key(*parts),
        kind=kind,
        recipient=recipient,
        now=now,
        case_id=case.id,
        payload=payload,
    )
