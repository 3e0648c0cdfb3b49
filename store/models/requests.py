"""Requests for an additional core group meeting, from asking through the team leader's decision
to the coordinator's outcome."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["MeetingRequest", "RequestConcern", "RequestStatus", "RequestUrgency"]


class RequestConcern(StrEnum):
    """Why a member wants an additional meeting."""

    NEW = "new"
    DEEPENING = "deepening"
    OTHER = "other"


class RequestUrgency(StrEnum):
    """How soon the decision is needed (decides the reminder and escalation clock)."""

    ROUTINE = "routine"
    URGENT = "urgent"


class RequestStatus(StrEnum):
    """Where a request is: decided once, by a conditional update from `pending`."""

    PENDING = "pending"  # waiting on the team leader (or their delegate, or whoever it was escalated to)
    APPROVED = "approved"  # a meeting was scheduled
    REFUSED = "refused"  # the requester may ask the coordinator
    WITH_COORDINATOR = "with_coordinator"  # refused, and the requester asked the coordinator
    CONVENED = "convened"  # the coordinator scheduled the meeting after all
    UPHELD = "upheld"  # the coordinator upheld the refusal


class MeetingRequest(Base):
    """One member's request for an additional meeting of one case."""

    __tablename__ = "meeting_request"
    __table_args__ = (Index("ix_meeting_request_case", "case_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    concern: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)  # free text: never logged, escaped when shown
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING)

    # Routing: who decides (the team leader), who was asked (they or their delegate), and who it
    # was escalated to when nobody decided in time. When they are chased is the ledger's (obligation rows
    # `request_decision` / `request_decision_urgent` and `coordinator_decision`, subject this request).
    decider: Mapped[str] = mapped_column(String(100))
    routed_to: Mapped[str] = mapped_column(String(100))
    reminded_at: Mapped[datetime | None]
    reminded_to: Mapped[str | None] = mapped_column(String(100))
    escalated_at: Mapped[datetime | None]
    escalated_to: Mapped[str | None] = mapped_column(String(100))
    escalated_on_behalf_of: Mapped[str | None] = mapped_column(String(100))

    # The team leader's decision (or their delegate's, or whoever it was escalated to).
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))

    # After a refusal: the requester asked the coordinator, who convened the meeting or upheld it.
    coordinator_asked_at: Mapped[datetime | None]
    coordinator: Mapped[str | None] = mapped_column(String(100))  # the coordinator at that moment
    coordinator_routed_to: Mapped[str | None] = mapped_column(String(100))  # they or their delegate
    outcome_by: Mapped[str | None] = mapped_column(String(100))
    outcome_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    outcome_at: Mapped[datetime | None]
    outcome_reason: Mapped[str | None] = mapped_column(Text)
