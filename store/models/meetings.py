"""Core group meetings: scheduled, held or cancelled."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["Meeting", "MeetingKind", "MeetingStatus"]


class MeetingKind(StrEnum):
    """Why the meeting is held."""

    FIRST = "first"  # date from the initial conference's minute
    REGULAR = "regular"  # the monthly cadence
    ADDITIONAL = "additional"  # granted on a member's request


class MeetingStatus(StrEnum):
    """Where a meeting is in its life."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"  # its record has been saved


class Meeting(Base):
    """A core group meeting of one case."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_case_status_starts", "case_id", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.REGULAR)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.SCHEDULED)
    starts_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(20), default="in_person")  # in_person | online
    note: Mapped[str | None] = mapped_column(Text)
    scheduled_by: Mapped[str | None] = mapped_column(String(30))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
