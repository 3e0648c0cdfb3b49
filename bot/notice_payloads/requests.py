"""Payloads of a request for an additional meeting's notices (bot/services/request_notices.py, requests.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.notice_payloads.chased import Chased


class RequestNotice(Chased):
    """What every request notice shows: the case, the request, who asked and when, who decides."""

    request_id: int
    reference: str
    timezone: str
    concern: str
    urgency: str
    details: str | None = None
    requested_by: str
    requested_at: datetime
    decider: str | None = None
    decider_role: str | None = None
    coordinator: str | None = None
    recipient: str | None = None
    occasion: str | None = None  # routed / reminder / escalated
    delegate: str | None = None  # on the decider's own copy: the delegate who has it too
    closed: dict[str, Any] | None = None  # once acted on: the outcome (the message is updated in place)


class RequestDecision(RequestNotice):
    """To the decider: Approve / Refuse; updated once decided."""


class RequestApproved(RequestNotice):
    """To the requester: the meeting will be held."""

    decision: dict[str, Any] | None = None


class RequestRefused(RequestNotice):
    """To the requester: the reason, the coordinator, Ask the coordinator."""

    decision: dict[str, Any] | None = None


class RequestCoordinatorReview(RequestNotice):
    """To the coordinator: Convene / Uphold."""

    decision: dict[str, Any] | None = None


class RequestOutcome(RequestNotice):
    """The coordinator's outcome, to the requester and the team leader."""

    outcome: dict[str, Any] | None = None
