"""Deregistration: the review conference's decision, the post-deregistration Child's Plan meeting it asks for,
and that meeting's outcome (risk escalated: social work assesses; risks remain reduced: the case closes).

The sweep reads only the indexed due column `next_at` (the next reminder of the window, or the moment it is
missed), cleared once spent, so a pass costs what is due, not what exists.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["Deregistration", "DeregistrationStatus"]


class DeregistrationStatus(StrEnum):
    """Where a deregistration is; while `tracking`, its meeting is owed in the obligation ledger."""

    TRACKING = "tracking"  # the post-deregistration meeting is awaited
    ESCALATED = "escalated"  # the meeting found risk had escalated: social work assesses the situation
    COMPLETED = "completed"  # risks remain reduced: the plan continues (single- or multi-agency), the case closed
    SUPERSEDED = "superseded"  # the child was registered again and the case re-opened first

    @classmethod
    def active(cls) -> tuple[str, ...]:
        """Statuses in which an outcome can still be recorded."""
        return (cls.TRACKING, cls.ESCALATED)


class Deregistration(Base):
    """One review conference's removal of the child's name from the register, and its follow-up meeting."""

    __tablename__ = "deregistration"
    __table_args__ = (Index("ix_deregistration_case", "case_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    review_conference_on: Mapped[date] = mapped_column(Date)
    convener: Mapped[str | None] = mapped_column(String(100))  # Slack user agreed at the conference
    meeting_chair: Mapped[str | None] = mapped_column(String(100))  # who chairs the post-deregistration meeting
    agreed_by: Mapped[str | None] = mapped_column(String(20))  # consensus | reviewing_officer
    reviewing_officer: Mapped[str | None] = mapped_column(String(100))
    target_on: Mapped[date | None] = mapped_column(Date)  # the timing agreed at the conference
    window_opens_on: Mapped[date | None] = mapped_column(Date)
    window_closes_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=DeregistrationStatus.TRACKING)

    meeting_at: Mapped[datetime | None]  # when the convener set the meeting for
    meeting_set_by: Mapped[str | None] = mapped_column(String(100))

    message_keys: Mapped[list[Any]] = mapped_column(default=list)  # outbox keys of messages with buttons

    outcome_count: Mapped[int] = mapped_column(Integer, default=0)  # outcomes recorded (an escalation, then another)
    outcome_at: Mapped[datetime | None]
    outcome_by: Mapped[str | None] = mapped_column(String(100))
    outcome_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    held_on: Mapped[date | None] = mapped_column(Date)
    risk_escalated: Mapped[bool | None] = mapped_column(Boolean)
    plan_type: Mapped[str | None] = mapped_column(String(20))  # single_agency | multi_agency
    lead_agency: Mapped[str | None] = mapped_column(String(100))
    activity_reviewed: Mapped[bool | None] = mapped_column(Boolean)  # Fife: the Child's Plan's activity was reviewed
    superseded_at: Mapped[datetime | None]
