"""The ledger of obligations: everything the procedure asks of someone, from the moment it arises until it is
discharged (by whom, when) or waived (by whom, why). Rows are never deleted while their case exists."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["FEW_KINDS", "FEW_WHERE", "OVERDUE_WHERE", "Obligation", "ObligationStatus"]

_OPEN = text("status = 'open'")
#: What is overdue: the digest's rows and its "on time" count (literal, so both engines can use the partial index).
OVERDUE_WHERE = "status = 'open' AND stage IN ('overdue', 'breached')"
#: The kinds the digest lists whenever they are owed (decisions, letters, referrals, CP9 receipts, review reports):
#: their open rows are few however many cases there are, so they have their own index. Literal, as above: SQLite
#: has no histograms, and a plain (kind) index looks to it no better than a scan when two kinds fill the table.
FEW_KINDS = (
    "amendment_referral",
    "coordinator_decision",
    "cp9_received",
    "letter_details",
    "letter_sent",
    "review_report",
)
FEW_WHERE = "status = 'open' AND kind IN (" + ", ".join(f"'{k}'" for k in FEW_KINDS) + ")"


class ObligationStatus(StrEnum):
    """Whether an obligation is still owed."""

    OPEN = "open"
    DISCHARGED = "discharged"
    WAIVED = "waived"


class Obligation(Base):
    """One thing owed: the case, the kind, what it is about, who owes it, when it is due, and its ladder."""

    __tablename__ = "obligation"
    __table_args__ = (
        # One open obligation per kind, subject and recipient: opening twice is a no-op (ON CONFLICT DO NOTHING).
        Index(
            "uq_obligation_open",
            "kind",
            "subject_type",
            "subject_id",
            "recipient",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_obligation_next_step", "next_step_at", sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_obligation_owner_due", "owner", "due_at", sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_obligation_open_stage", "stage", "due_at", sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_obligation_case", "case_id"),
        # Overdue rows are few however many are owed: their own index, so no planner scans the open rows for them.
        Index(
            "ix_obligation_overdue", "due_at", sqlite_where=text(OVERDUE_WHERE), postgresql_where=text(OVERDUE_WHERE)
        ),
        Index("ix_obligation_few_kinds", "due_at", sqlite_where=text(FEW_WHERE), postgresql_where=text(FEW_WHERE)),
        CheckConstraint("status <> 'discharged' OR discharged_at IS NOT NULL", name="ck_obligation_discharged"),
        CheckConstraint(
            "status <> 'waived' OR (waived_at IS NOT NULL AND waive_reason IS NOT NULL)", name="ck_obligation_waived"
        ),
        CheckConstraint("status = 'open' OR next_step_at IS NULL", name="ck_obligation_terminal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(30))  # meeting | receipt_copy | cp9 | action | request | ...
    subject_id: Mapped[int] = mapped_column(Integer)
    # A Slack user id or a role label; '' when the kind has no recipient. Not NULL: both engines treat NULLs
    # as distinct in a unique index, which would let the same obligation be opened twice.
    recipient: Mapped[str] = mapped_column(String(60), default="")
    owner_role: Mapped[str] = mapped_column(String(20))  # chair | team_leader | coordinator | member | ...
    owner: Mapped[str | None] = mapped_column(String(100))  # the person, resolved (a delegate is found at each step)
    due_at: Mapped[datetime]
    due_local_date: Mapped[date | None] = mapped_column(Date)  # day-based rules: the local due date
    stage: Mapped[str] = mapped_column(String(20), default="pending")  # pending → reminded → overdue → breached
    next_step_at: Mapped[datetime | None]  # the next rung or repeat; NULL once terminal (or its ladder is done)
    last_step_at: Mapped[datetime | None]
    # The ladder's instants, snapshotted when the row opens: editing the profile does not move rows in flight.
    remind_at: Mapped[datetime | None]  # the first reminder (later ones are recomputed from the ladder)
    overdue_at: Mapped[datetime]
    breach_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]  # kept when a breached obligation is discharged late
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    # The latest step's notice keys: once it is discharged or waived, those messages are updated in place.
    notice_keys: Mapped[list[Any]] = mapped_column(default=list)
    generation: Mapped[int] = mapped_column(Integer, default=1)  # bumped when the due date moves or the owner changes
    status: Mapped[str] = mapped_column(String(20), default=ObligationStatus.OPEN)
    discharged_by: Mapped[str | None] = mapped_column(String(100))
    discharged_at: Mapped[datetime | None]
    waived_by: Mapped[str | None] = mapped_column(String(100))
    waived_at: Mapped[datetime | None]
    waive_reason: Mapped[str | None] = mapped_column(Text)  # kept here; the audit records its length only
    created_at: Mapped[datetime]
