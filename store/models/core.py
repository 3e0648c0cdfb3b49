"""SQLAlchemy 2 models: organisation, cases and their roles, delegates, audit, outbox."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import UtcDateTime

__all__ = [
    "Base",
    "Role",
    "CaseStatus",
    "OutboxStatus",
    "Organisation",
    "OrganisationOpenCases",
    "Case",
    "CaseRole",
    "Delegate",
    "AuditEvent",
    "OutboxMessage",
    "ProcessedEvent",
    "ProcessedView",
]


class Base(DeclarativeBase):
    """Declarative base for every coregroup table."""

    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Role(StrEnum):
    """A person's role in one case."""

    CHAIR = "chair"
    TEAM_LEADER = "team_leader"
    MEMBER = "member"
    PARTICIPANT = "participant"  # without Slack: a role label only, never messaged


class CaseStatus(StrEnum):
    """Whether the core group is running."""

    OPEN = "open"
    DEREGISTERED = "deregistered"  # off the register: the core group stopped, the post-deregistration meeting awaited
    CLOSED = "closed"  # no reminders; records kept for the organisation's retention_years, then removed


class OutboxStatus(StrEnum):
    """Where an outbox row is on its way to the chat platform."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # not sent: what it chased was done (or moved) before it went


class Organisation(Base):
    """The local authority running the bot, with its procedure profile."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    profile: Mapped[str] = mapped_column(String(60))
    nation: Mapped[str] = mapped_column(String(30))
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    coordinator: Mapped[str] = mapped_column(String(100))
    closure_days: Mapped[list[Any]] = mapped_column(default=list)
    working_days: Mapped[list[Any]] = mapped_column(default=list)  # bank holidays the organisation works
    policy_overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    retention_years: Mapped[int] = mapped_column(Integer, default=7)
    admins: Mapped[list[Any]] = mapped_column(default=list)
    # The chat platform its people work in (the organisation file's `platform`): its notices go out there.
    platform: Mapped[str] = mapped_column(String(20), default="slack", server_default="slack")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    cases: Mapped[list[Case]] = relationship(back_populates="organisation")


class OrganisationOpenCases(Base):
    """How many of an organisation's cases are open: the digest's count, read by primary key."""

    # The database keeps it, through the triggers on "case" from migration 0023: never written by the app.
    __tablename__ = "organisation_open_cases"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    open_cases: Mapped[int] = mapped_column(Integer, server_default="0")


class Case(Base):
    """One registered child's core group, known only by its opaque reference."""

    __tablename__ = "case"
    # An organisation's open cases by status (the home tab's list; the digest's count is OrganisationOpenCases).
    __table_args__ = (Index("ix_case_organisation_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    channel: Mapped[str] = mapped_column(String(100), unique=True)
    registered_on: Mapped[date] = mapped_column(Date)
    first_meeting_at: Mapped[datetime | None]
    # The review conference's chair (Scotland: the CPPM chair; Fife: the Reviewing Officer), from the file.
    conference_chair: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship(back_populates="cases")
    roles: Mapped[list[CaseRole]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseRole.id"
    )

    def users_with(self, role: Role) -> list[str]:
        """Slack user ids holding `role` in this case, in the order they were added."""
        return [r.user_id for r in self.roles if r.role == role and r.user_id]

    @property
    def chair(self) -> str | None:
        return next(iter(self.users_with(Role.CHAIR)), None)

    @property
    def team_leader(self) -> str | None:
        return next(iter(self.users_with(Role.TEAM_LEADER)), None)

    @property
    def members(self) -> list[str]:
        return self.users_with(Role.MEMBER)

    @property
    def participants_without_slack(self) -> list[str]:
        return [r.label for r in self.roles if r.role == Role.PARTICIPANT and r.label]

    def people_with_slack(self) -> list[str]:
        """Everyone in the core group who has a Slack account, each once."""
        return list(dict.fromkeys(r.user_id for r in self.roles if r.user_id))

    def is_in_group(self, user_id: str) -> bool:
        return user_id in self.people_with_slack()


class CaseRole(Base):
    """A person's role in a case: a Slack user, or a role label for someone without Slack."""

    __tablename__ = "case_role"
    __table_args__ = (UniqueConstraint("case_id", "role", "user_id", "label", name="uq_case_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(100), index=True)
    label: Mapped[str | None] = mapped_column(String(60))

    case: Mapped[Case] = relationship(back_populates="roles")


class Delegate(Base):
    """Someone standing in for a person (out of office) until a date, inclusive."""

    __tablename__ = "delegate"
    __table_args__ = (Index("ix_delegate_principal_active", "principal", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    principal: Mapped[str] = mapped_column(String(100))
    delegate: Mapped[str] = mapped_column(String(100))
    until: Mapped[date] = mapped_column(Date)
    # What it covers (bot.authority.Scope); rows made before scopes existed were migrated to their meaning.
    scope: Mapped[str] = mapped_column(String(30), server_default="request_decisions")
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who did what, when, in which case: every decision and every read of a report."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))
    actor: Mapped[str | None] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A notice to deliver: what to tell whom, written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    # When set, this notice replaces the message sent for that key (chat.update) instead of posting.
    replaces_key: Mapped[str | None] = mapped_column(String(200))
    # Which platform's sender delivers it: the case's organisation's at enqueue ('slack' for every older row).
    platform: Mapped[str] = mapped_column(String(20), default="slack", server_default="slack")
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    message_channel: Mapped[str | None] = mapped_column(String(255))
    message_ts: Mapped[str | None] = mapped_column(String(100))


class ProcessedEvent(Base):
    """Slack event ids already handled, because Slack retries events that were slow to answer."""

    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    received_at: Mapped[datetime]


class ProcessedView(Base):
    """Slack view ids whose submission changed something, so a redelivered or replayed submission changes nothing."""

    __tablename__ = "processed_view"

    view_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    processed_at: Mapped[datetime]
