"""Core group meetings: scheduled, held or cancelled; their reminders, due dates, records and actions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.core import Base

__all__ = [
    "Meeting",
    "MeetingMove",
    "MeetingKind",
    "MeetingStatus",
    "MeetingReminder",
    "ReminderStatus",
    "MeetingDue",
    "DueStatus",
    "MeetingRecord",
    "MeetingAttendance",
    "MeetingAction",
    "ActionStatus",
]


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
    NOT_HELD = "not_held"  # the chair said it did not take place (why: cancel_reason); never meets the cadence


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
    scheduled_by: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MeetingMove(Base):
    """One move of a scheduled meeting, with the reason given: the reason lives here, the audit keeps its length."""

    __tablename__ = "meeting_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    moved_at: Mapped[datetime]
    moved_by: Mapped[str | None] = mapped_column(String(100))
    previous_starts_at: Mapped[datetime | None]
    starts_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)  # free text: never logged or audited, quoted when shown


class ReminderStatus(StrEnum):
    """Where a meeting reminder is; only `pending` rows are ever swept."""

    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"  # the meeting was moved, cancelled or recorded first
    SKIPPED = "skipped"  # the sweep came after the meeting had started (the bot was down)


class MeetingReminder(Base):
    """One reminder of one meeting at one offset, due at an instant: the sweep's indexed work list."""

    __tablename__ = "meeting_reminder"
    __table_args__ = (
        Index("ix_meeting_reminder_status_due", "status", "due_at"),
        # One reminder per offset per meeting time: a sweep run twice cannot send it twice, and a meeting
        # moved back to a time already reminded is not reminded again.
        UniqueConstraint("meeting_id", "working_days_before", "meeting_starts_at", name="uq_meeting_reminder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    working_days_before: Mapped[int] = mapped_column(Integer)
    meeting_starts_at: Mapped[datetime]  # the meeting time this reminder was computed for
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=ReminderStatus.PENDING)
    sent_at: Mapped[datetime | None]


class DueStatus(StrEnum):
    """Where a case's next meeting stands against the date it is due by."""

    OPEN = "open"  # nothing scheduled on or before the due date yet
    SCHEDULED = "scheduled"  # a meeting is scheduled on or before the due date
    FLAGGED = "flagged"  # the due date came with nothing scheduled by it: the ledger told the chair (digest)
    MET = "met"  # a meeting on or before the due date was recorded
    LATE = "late"  # the meeting was held after the due date: the chair was told (digest)
    ENDED = "ended"  # the core group stopped (the child was deregistered) before a meeting was due

    @classmethod
    def current(cls) -> tuple[str, ...]:
        """Statuses of the one due row per case that is still waiting for a meeting record."""
        return (cls.OPEN, cls.SCHEDULED, cls.FLAGGED)


LATE_WHERE = "status = 'late'"


class MeetingDue(Base):
    """When a case's next core group meeting is due by, and what became of it (one row per period); who owes it and
    when they are chased is on the ledger."""

    __tablename__ = "meeting_due"
    __table_args__ = (
        Index("ix_meeting_due_case_status", "case_id", "status"),
        # The digest's meetings held late this week: few, found without reading the organisation's periods.
        Index("ix_meeting_due_late", "resolved_at", sqlite_where=text(LATE_WHERE), postgresql_where=text(LATE_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    basis: Mapped[str] = mapped_column(String(20))  # first | after_meeting
    after_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)  # local date, a working day
    status: Mapped[str] = mapped_column(String(20), default=DueStatus.OPEN)
    resolved_by_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    days_late: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    # The profile's limit after the last meeting (Wales: 6 weeks): the ledger's breach rung (obligation kinds
    # first_meeting / next_meeting, subject meeting_due) tells the coordinator the day after it.
    breach_on: Mapped[date | None] = mapped_column(Date)


class MeetingRecord(Base):
    """What a core group meeting decided: the four-point re-evaluation of the plan and its flags."""

    __tablename__ = "meeting_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    held_at: Mapped[datetime]  # the meeting's time (the plan-receipt and CP9 clocks start from it)
    recorded_by: Mapped[str] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime]
    supports: Mapped[str] = mapped_column(Text)  # supports and resources, especially specialist
    monitoring: Mapped[str] = mapped_column(Text)  # monitoring and reviewing
    outcomes: Mapped[str] = mapped_column(Text)
    contingency: Mapped[str] = mapped_column(Text)  # the contingency plan
    extra_checklist: Mapped[dict[str, Any]] = mapped_column(default=dict)  # a profile's own extra items
    significant_amendment: Mapped[bool] = mapped_column(Boolean, default=False)  # referred to the review conference
    institution: Mapped[bool] = mapped_column(Boolean, default=False)  # a parent or relative is in an institution
    not_invited_reason: Mapped[str | None] = mapped_column(Text)  # why anyone in the group was not invited

    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="MeetingAttendance.id"
    )
    actions: Mapped[list[MeetingAction]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="MeetingAction.id"
    )

    def attendees(self) -> list[MeetingAttendance]:
        """Everyone who attended: Slack users and participants without Slack."""
        return [a for a in self.attendance if a.attended]

    def invited_absentees(self) -> list[MeetingAttendance]:
        """Everyone invited who could not attend (they are owed the plan as much as those who came)."""
        return [a for a in self.attendance if a.invited and not a.attended]

    def not_invited(self) -> list[MeetingAttendance]:
        """Everyone in the group the chair took off the invited list (the record's `not_invited_reason` says why)."""
        return [a for a in self.attendance if not a.invited]


class MeetingAttendance(Base):
    """One person at (or invited to) a meeting: a Slack user id, or a role label for someone without Slack."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (label IS NULL)", name="ck_attendance_user_or_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_record.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(60))
    attended: Mapped[bool] = mapped_column(Boolean)
    # Everyone in the group is invited unless the chair took them off the list, with a reason (on the record).
    invited: Mapped[bool] = mapped_column(Boolean, default=True)

    record: Mapped[MeetingRecord] = relationship(back_populates="attendance")

    @property
    def has_slack(self) -> bool:
        return self.user_id is not None


class ActionStatus(StrEnum):
    """Whether an action the group added is still open."""

    OPEN = "open"
    DONE = "done"  # marked done by its owner, their delegate or the chair
    CLOSED = "closed"  # closed by the chair as no longer needed, with a reason


class MeetingAction(Base):
    """An action the group added at a meeting: what, whose, by when (owed and chased in the obligation ledger)."""

    __tablename__ = "meeting_action"
    __table_args__ = (
        Index("ix_meeting_action_case_status", "case_id", "status"),
        CheckConstraint("(owner_user_id IS NULL) <> (owner_label IS NULL)", name="ck_action_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_record.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[str | None] = mapped_column(String(100))
    owner_label: Mapped[str | None] = mapped_column(String(60))  # someone without Slack: the chair is reminded
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    # Done or closed: when, by whom (and for whom, a delegate), and why it was closed (never the owner's name).
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
    done_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    closed_reason: Mapped[str | None] = mapped_column(Text)

    record: Mapped[MeetingRecord] = relationship(back_populates="actions")
