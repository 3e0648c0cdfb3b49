"""What a request for an additional meeting owes on the ledger: the decider's decision (its ladder by urgency), and
the coordinator's decision after "Ask the coordinator" or an escalation to them.

Opened in the transaction that makes them owed; discharged, by whoever decided (for whom), in the one that decides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.obligations import ObligationKind
from bot.organisation import calendar_for, policy_for
from bot.requests import clock_starts, decision_kind
from bot.services.obligations import discharge_obligation, open_obligation
from store.models import Case, MeetingRequest
from store.uow import UnitOfWork

SUBJECT = "request"


def owe_decision(*, uow: UnitOfWork, case: Case, request: MeetingRequest, owner_role: str, now: datetime) -> None:
    """The decider owes a decision; its ladder counts from when their clock starts (the next opening time when the
    request was made out of hours), so the reminder and the escalation fall when they always have."""
    due_at = clock_starts(
        requested_at=request.requested_at,
        calendar=calendar_for(case.organisation),
        policy=policy_for(case.organisation),
    )
    open_obligation(
        uow=uow,
        case=case,
        kind=decision_kind(request.urgency),
        subject_type=SUBJECT,
        subject_id=request.id,
        owner_role=owner_role,
        owner=request.decider,
        due_at=due_at,
        now=now,
    )


def owe_coordinator_decision(
    *, uow: UnitOfWork, case: Case, request: MeetingRequest, coordinator: str, now: datetime
) -> None:
    """The coordinator owes a decision from now: the requester asked them, or the request was escalated to them."""
    open_obligation(
        uow=uow,
        case=case,
        kind=ObligationKind.COORDINATOR_DECISION,
        subject_type=SUBJECT,
        subject_id=request.id,
        owner_role="coordinator",
        owner=coordinator,
        due_at=now,
        now=now,
    )


def discharge_decisions(
    *,
    uow: UnitOfWork,
    request: MeetingRequest,
    by: str,
    on_behalf_of: str | None,
    outcome: dict[str, Any],
    now: datetime,
) -> None:
    """A decision on the request discharges what was owed for it; chases already sent show `outcome`."""
    for kind in (decision_kind(request.urgency), ObligationKind.COORDINATOR_DECISION):
        row = uow.obligations.find_open(kind=kind, subject_type=SUBJECT, subject_id=request.id)
        if row is not None:
            discharge_obligation(
                uow=uow,
                row=row,
                by=by,
                on_behalf_of=on_behalf_of,
                now=now,
                outcome=str(outcome["outcome"]),
                closing={"closed": outcome},
            )
