"""Review conferences and significant-amendment referrals: `select()` reads, and decisions as conditional updates
that say whether they won (a double click, or two people at once, changes nothing twice)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import rowcount
from store.models import AmendmentReferral, ReferralStatus, ReviewConference, ReviewStatus


class ReviewConferenceRepository:
    """Rows of `review_conference`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ReviewConference) -> ReviewConference:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, conference_id: int) -> ReviewConference | None:
        return self.session.get(ReviewConference, conference_id)

    def get_many(self, ids: Iterable[int]) -> dict[int, ReviewConference]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.scalars(select(ReviewConference).where(ReviewConference.id.in_(wanted)))
        return {r.id: r for r in rows}

    def scheduled_for(self, case_id: int) -> ReviewConference | None:
        """The case's conference to come, if one is known."""
        query = select(ReviewConference).where(
            ReviewConference.case_id == case_id, ReviewConference.status == ReviewStatus.SCHEDULED
        )
        return self.session.scalars(query).first()

    def known_on(self, case_id: int, day: date) -> bool:
        """True when the case has a conference (to come or held) on `day`."""
        query = select(ReviewConference.id).where(ReviewConference.case_id == case_id, ReviewConference.held_on == day)
        return self.session.scalar(query) is not None

    def for_case(self, case_id: int) -> Sequence[ReviewConference]:
        query = select(ReviewConference).where(ReviewConference.case_id == case_id).order_by(ReviewConference.id)
        return self.session.scalars(query).all()

    def decide(self, conference_id: int, *, status: str, by: str, now: datetime) -> bool:
        """Record what a scheduled conference decided (once); True when this call did it."""
        statement = (
            update(ReviewConference)
            .where(ReviewConference.id == conference_id, ReviewConference.status == ReviewStatus.SCHEDULED)
            .values(status=status, decided_by=by, decided_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1


class AmendmentReferralRepository:
    """Rows of `amendment_referral`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: AmendmentReferral) -> AmendmentReferral:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, referral_id: int) -> AmendmentReferral | None:
        return self.session.get(AmendmentReferral, referral_id)

    def get_many(self, ids: Iterable[int]) -> dict[int, AmendmentReferral]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.scalars(select(AmendmentReferral).where(AmendmentReferral.id.in_(wanted)))
        return {r.id: r for r in rows}

    def answer(self, referral_id: int, **values: Any) -> bool:
        """Record the answer to an open referral (once); True when this call did it."""
        statement = (
            update(AmendmentReferral)
            .where(AmendmentReferral.id == referral_id, AmendmentReferral.status == ReferralStatus.OPEN)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1
