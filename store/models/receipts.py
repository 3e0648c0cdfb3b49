"""Plan copies and the CP9: who must receive the plan after a meeting, and the form to the coordinator.

A saved meeting record starts both clocks. `PlanReceipt` is one meeting's distribution of the plan (its
deadline), with one `PlanCopy` per recipient; `Cp9` is the record's CP9. What is owed and when it is chased
lives in the ledger of obligations (store/models/obligations.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.core import Base

__all__ = ["PlanReceipt", "PlanCopy", "CopyStatus", "Cp9", "Cp9Status"]


class CopyStatus(StrEnum):
    """Where one person's copy of the plan is."""

    PENDING = "pending"  # not sent yet
    SENT = "sent"  # sent: final for someone without Slack; a Slack user is asked to confirm
    RECEIVED = "received"  # the recipient confirmed (Slack users only)


class PlanReceipt(Base):
    """The plan's distribution after one meeting, and its deadline."""

    __tablename__ = "plan_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_record.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)  # the meeting's local date: day 0
    due_on: Mapped[date] = mapped_column(Date)  # held_on + N working days
    due_at: Mapped[datetime]  # the end of due_on in the organisation's zone
    # Outbox keys of the chair's messages that carry the Plan sent button (updated in place once all is sent).
    message_keys: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]

    copies: Mapped[list[PlanCopy]] = relationship(
        back_populates="receipt", cascade="all, delete-orphan", order_by="PlanCopy.id"
    )


class PlanCopy(Base):
    """One recipient's copy of the plan: a Slack user, or a role label for someone without Slack."""

    __tablename__ = "plan_copy"
    __table_args__ = (
        Index("ix_plan_copy_status_due", "status", "due_at"),
        CheckConstraint("(user_id IS NULL) <> (label IS NULL)", name="ck_plan_copy_user_or_label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("plan_receipt.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(60))
    attended: Mapped[bool] = mapped_column(Boolean)  # False: invited but unable to attend
    status: Mapped[str] = mapped_column(String(20), default=CopyStatus.PENDING)
    due_at: Mapped[datetime]  # the receipt's deadline, here so the digest's query is one indexed scan
    sent_at: Mapped[datetime | None]  # when the chair marked it sent
    sent_on: Mapped[date | None] = mapped_column(Date)  # the day it was sent (the chair's date, for post and email)
    sent_how: Mapped[str | None] = mapped_column(String(20))  # post | email | by_hand; None for Slack users
    sent_by: Mapped[str | None] = mapped_column(String(100))
    sent_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]  # when the chair was told this copy was overdue
    message_keys: Mapped[list[Any]] = mapped_column(default=list)  # messages with "I have received the plan"

    receipt: Mapped[PlanReceipt] = relationship(back_populates="copies")

    @property
    def has_slack(self) -> bool:
        return self.user_id is not None

    @property
    def complete(self) -> bool:
        """Received, or (for someone without Slack, who cannot confirm) sent."""
        return self.status == CopyStatus.RECEIVED or (self.status == CopyStatus.SENT and not self.has_slack)


class Cp9Status(StrEnum):
    """Where a meeting's CP9 is."""

    PENDING = "pending"  # not sent yet
    SENT = "sent"  # the chair marked it sent
    RECEIVED = "received"  # the coordinator marked it received


class Cp9(Base):
    """The CP9 of one meeting record: due to the coordinator within N calendar days."""

    __tablename__ = "cp9"
    __table_args__ = (Index("ix_cp9_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_record.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    form_name: Mapped[str] = mapped_column(String(40))  # the profile's name for it when the clock started
    held_on: Mapped[date] = mapped_column(Date)
    nominal_due_on: Mapped[date] = mapped_column(Date)  # held_on + N calendar days
    due_on: Mapped[date] = mapped_column(Date)  # the effective deadline: a working day (rolled per the profile)
    due_at: Mapped[datetime]  # the end of due_on in the organisation's zone
    status: Mapped[str] = mapped_column(String(20), default=Cp9Status.PENDING)
    overdue_since: Mapped[datetime | None]  # when the chair was told it was overdue
    sent_at: Mapped[datetime | None]
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by: Mapped[str | None] = mapped_column(String(100))
    sent_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    sent_note: Mapped[str | None] = mapped_column(Text)  # where the coordinator finds it (a link or a short note)
    received_at: Mapped[datetime | None]
    received_by: Mapped[str | None] = mapped_column(String(100))
    received_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    chair_message_keys: Mapped[list[Any]] = mapped_column(default=list)  # with Mark CP9 sent
    coordinator_message_keys: Mapped[list[Any]] = mapped_column(default=list)  # with Mark CP9 received
    created_at: Mapped[datetime]
