"""The review conference the core group reports to (review CPPM in Scotland), one row per conference of a case,
and the significant-amendment referrals a meeting record makes for it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["ReviewConference", "ReviewStatus", "AmendmentReferral", "ReferralStatus"]


class ReviewStatus(StrEnum):
    """Where a review conference is: to come, or held with its decision recorded."""

    SCHEDULED = "scheduled"
    CONTINUES = "continues"  # held: the plan continues (the next conference is a new row)
    REMOVED = "removed"  # held: the child's name was removed from the register (deregistration follows)


class ReviewConference(Base):
    """A case's review conference: its date, who set it and how, and what it decided."""

    __tablename__ = "review_conference"
    __table_args__ = (
        # One conference to come per case: a new date moves it.
        Index(
            "uq_review_conference_scheduled",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'scheduled'"),
            postgresql_where=text("status = 'scheduled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.SCHEDULED)
    set_by: Mapped[str] = mapped_column(String(100))  # a Slack user id, or "cli" for the organisation file
    set_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]


class ReferralStatus(StrEnum):
    """Whether the conference chair has answered a referral."""

    OPEN = "open"
    BROUGHT_FORWARD = "brought_forward"
    CONSIDERED = "considered"  # no early review


class AmendmentReferral(Base):
    """A meeting record's finding that the plan needs significant amendment, referred to the profile's recipient."""

    __tablename__ = "amendment_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_record.id", ondelete="CASCADE"), unique=True)
    referred_to: Mapped[str] = mapped_column(String(100))
    referred_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.OPEN)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None]
    brought_forward_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # kept here; the audit records its length only
