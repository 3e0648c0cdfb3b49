"""Repository for institution letters: the conditional updates that move a letter on (details given, letter sent),
each saying whether this call won (what is owed, and its chase, is in the obligation ledger)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.db import required, rowcount
from store.models import Case, InstitutionLetter, LetterStatus


class LetterRepository:
    """Letters to the heads of institutions, tracked until the coordinator marks them sent."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, letter: InstitutionLetter) -> None:
        self.session.add(letter)
        self.session.flush()

    def get(self, letter_id: int) -> InstitutionLetter | None:
        """The letter as the database has it now (not as this session last saw it)."""
        query = select(InstitutionLetter).where(InstitutionLetter.id == letter_id)
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def require(self, letter_id: int) -> InstitutionLetter:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(letter_id), InstitutionLetter, letter_id)

    def for_case(self, case_id: int) -> Sequence[InstitutionLetter]:
        query = select(InstitutionLetter).where(InstitutionLetter.case_id == case_id)
        return self.session.scalars(query.order_by(InstitutionLetter.requested_at, InstitutionLetter.id)).all()

    def for_record(self, record_id: int) -> InstitutionLetter | None:
        query = select(InstitutionLetter).where(InstitutionLetter.record_id == record_id)
        return self.session.scalars(query).first()

    def not_sent(
        self, *, organisation_id: int | None = None, case_ids: Sequence[int] | None = None, status: str | None = None
    ) -> Sequence[InstitutionLetter]:
        """Letters not sent yet (details awaited or to send), oldest request first."""
        query = select(InstitutionLetter).where(InstitutionLetter.status.in_(LetterStatus.open()))
        if status is not None:
            query = query.where(InstitutionLetter.status == status)
        if organisation_id is not None:
            query = query.where(
                InstitutionLetter.case_id.in_(select(Case.id).where(Case.organisation_id == organisation_id))
            )
        if case_ids is not None:
            query = query.where(InstitutionLetter.case_id.in_(list(case_ids)))
        return self.session.scalars(query.order_by(InstitutionLetter.requested_at, InstitutionLetter.id)).all()

    def for_person(self, case_id: int, person_key: str) -> InstitutionLetter | None:
        """The case's letter about this person (by relationship), as the database has it now."""
        query = select(InstitutionLetter).where(
            InstitutionLetter.case_id == case_id, InstitutionLetter.person_key == person_key
        )
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def awaiting_details(self, case_id: int) -> InstitutionLetter | None:
        """The case's oldest letter a record flagged whose details the chair has not given yet."""
        query = select(InstitutionLetter).where(
            InstitutionLetter.case_id == case_id, InstitutionLetter.status == LetterStatus.DETAILS_NEEDED
        )
        return self.session.scalars(query.order_by(InstitutionLetter.requested_at, InstitutionLetter.id)).first()

    def add_for_person(self, letter: InstitutionLetter) -> bool:
        """Add a letter unless the case has one about the same person already (False: a rival added it first)."""
        try:
            with self.session.begin_nested():
                self.session.add(letter)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def update_details(self, letter_id: int, *, reopen: bool, **values: Any) -> None:
        """New details for a letter; `reopen` puts a sent letter back to be written again (its details changed)."""
        if reopen:
            values |= {"status": LetterStatus.TO_SEND, "sent_at": None, "sent_by": None, "sent_on_behalf_of": None}
        statement = (
            update(InstitutionLetter)
            .where(InstitutionLetter.id == letter_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)

    def absorb(self, letter: InstitutionLetter, into: InstitutionLetter) -> bool:
        """A flagged letter whose details turned out to be about a person who has a letter: drop it, its messages
        moving to that letter (so their buttons update in place); True for the one submission that did it."""
        statement = delete(InstitutionLetter).where(
            InstitutionLetter.id == letter.id, InstitutionLetter.status == LetterStatus.DETAILS_NEEDED
        )
        if rowcount(self.session.execute(statement.execution_options(synchronize_session=False))) != 1:
            return False
        self.remember_messages(into, *(letter.message_keys or []))
        return True

    def remember_messages(self, letter: InstitutionLetter, *keys: str) -> None:
        """Remember messages that carry the letter's buttons, to update them in place once it moves on."""
        known = list(letter.message_keys or [])
        letter.message_keys = [*known, *(k for k in keys if k not in known)]

    # --- people's steps: conditional updates ------------------------------------------------------

    def give_details(self, letter_id: int, **values: Any) -> bool:
        """Details awaited -> to send, with the details; True for the one submission that did it."""
        statement = (
            update(InstitutionLetter)
            .where(InstitutionLetter.id == letter_id, InstitutionLetter.status == LetterStatus.DETAILS_NEEDED)
            .values(status=LetterStatus.TO_SEND, **values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1

    def mark_sent(self, letter_id: int, *, now: datetime, by: str, on_behalf_of: str | None) -> bool:
        """To send -> sent; True for the one click that did it."""
        statement = (
            update(InstitutionLetter)
            .where(InstitutionLetter.id == letter_id, InstitutionLetter.status == LetterStatus.TO_SEND)
            .values(status=LetterStatus.SENT, sent_at=now, sent_by=by, sent_on_behalf_of=on_behalf_of)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1
