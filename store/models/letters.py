"""Institution letters: when a parent, relative or other relevant person is in an institution (prison, hospital),
the Co-ordinator, Children Services writes to the head of the institution, saying whom to contact if the person
absconds or is about to be discharged.

A letter row holds only what the bot needs to draft and chase it: the person's relationship to the child as a
role label ("Father"), the kind and the name of the institution (not the child's personal data: kept, but never
logged or audited), and the Slack user to contact. The person's own details (name, date of birth, prison or
hospital number) are never asked for, stored or posted: the draft leaves them as marked blanks.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["InstitutionLetter", "LetterStatus", "InstitutionKind"]


class LetterStatus(StrEnum):
    """Where a letter is; the first two are owed in the obligation ledger (and chased by it)."""

    DETAILS_NEEDED = "details_needed"  # a record flagged an institution: the chair is asked for the details
    TO_SEND = "to_send"  # the coordinator has the task and the draft
    SENT = "sent"  # the coordinator (or delegate) marked it sent

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """Statuses of a letter not sent yet."""
        return (cls.DETAILS_NEEDED, cls.TO_SEND)


class InstitutionKind(StrEnum):
    """The kind of institution, which decides the draft's wording (released / discharged)."""

    PRISON = "prison"
    HOSPITAL = "hospital"
    OTHER = "other"


class InstitutionLetter(Base):
    """One letter to the head of an institution about a person connected with the child of one case."""

    __tablename__ = "institution_letter"
    __table_args__ = (
        Index("ix_institution_letter_case", "case_id", "status"),
        # One letter per person in an institution per case: two submissions at once cannot make two.
        Index("uq_institution_letter_person", "case_id", "person_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_record.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=LetterStatus.DETAILS_NEEDED)
    relationship: Mapped[str | None] = mapped_column(String(60))  # a role label ("Father"), never a name
    person_key: Mapped[str | None] = mapped_column(String(60))  # the relationship casefolded: who the letter is about
    institution_kind: Mapped[str | None] = mapped_column(String(20))
    institution_name: Mapped[str | None] = mapped_column(String(150))  # kept for the letter; never logged
    contact: Mapped[str | None] = mapped_column(String(100))  # Slack user to contact on absconding or discharge
    requested_by: Mapped[str] = mapped_column(String(100))  # who flagged it (the record) or asked (the command)
    requested_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    details_by: Mapped[str | None] = mapped_column(String(100))
    details_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    details_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    sent_by: Mapped[str | None] = mapped_column(String(100))
    sent_on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    message_keys: Mapped[list[Any]] = mapped_column(default=list)  # outbox keys of messages with this letter's buttons
    created_at: Mapped[datetime]
