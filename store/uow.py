"""Unit of work: one transaction, with repositories on it and an explicit commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from sqlalchemy.orm import Session

from store.db import READ_ONLY
from store.repositories import (
    AuditRepository,
    CaseRepository,
    DelegateRepository,
    EventRepository,
    OrganisationRepository,
    ViewRepository,
)
from store.repositories_deregistration import DeregistrationRepository, RetentionRepository
from store.repositories_home import HomeTabRepository, OverviewRepository
from store.repositories_letters import LetterRepository
from store.repositories_meetings import MeetingRecordRepository, MeetingRepository
from store.repositories_metrics import MetricsRepository
from store.repositories_obligations import ObligationRepository
from store.repositories_outbox import OutboxRepository
from store.repositories_receipts import Cp9Repository, PlanReceiptRepository
from store.repositories_requests import MeetingRequestRepository
from store.repositories_reviews import AmendmentReferralRepository, ReviewConferenceRepository
from store.repositories_teams import TeamsRefRepository


class UnitOfWork:
    """Open a session on enter; roll back on exit unless `commit()` was called."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self.committed = False
        self.read_only = False
        self._before_commit: list[Callable[[UnitOfWork], None]] = []

    def reading(self) -> Self:
        """This unit of work only reads: on SQLite it does not take the write lock, and it cannot commit."""
        self.read_only = True
        return self

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        if self.read_only:
            options: dict[str, object] = {READ_ONLY: True}
            if self.session.get_bind().dialect.name == "postgresql":
                # Under READ COMMITTED each statement takes its own snapshot anyway: a transaction would only add
                # the BEGIN and ROLLBACK round trips.
                options["isolation_level"] = "AUTOCOMMIT"
            self.session.connection(execution_options=options)
        self.organisations = OrganisationRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.delegates = DelegateRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.events = EventRepository(self.session)
        self.views = ViewRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        self.meeting_records = MeetingRecordRepository(self.session)
        self.requests = MeetingRequestRepository(self.session)
        self.receipts = PlanReceiptRepository(self.session)
        self.cp9s = Cp9Repository(self.session)
        self.deregistrations = DeregistrationRepository(self.session)
        self.retention = RetentionRepository(self.session)
        self.letters = LetterRepository(self.session)
        self.overview = OverviewRepository(self.session)
        self.home_tabs = HomeTabRepository(self.session)
        self.obligations = ObligationRepository(self.session)
        self.reviews = ReviewConferenceRepository(self.session)
        self.referrals = AmendmentReferralRepository(self.session)
        self.teams_refs = TeamsRefRepository(self.session)
        self.metrics = MetricsRepository(self.session)
        self.committed = False
        return self

    def __exit__(self, *exc_info) -> None:
        # close() rolls back whatever was not committed, without expiring what callers still hold.
        self.session.close()

    def before_commit(self, check: Callable[[UnitOfWork], None]) -> None:
        """Run `check` inside the transaction just before it commits; if it raises, nothing is committed."""
        self._before_commit.append(check)

    def commit(self) -> None:
        """Make everything done in this unit of work durable, together."""
        if self.read_only:
            raise RuntimeError("a unit of work opened for reading cannot commit")
        for check in self._before_commit:
            check(self)
        self.session.commit()
        self.committed = True

    def rollback(self) -> None:
        """Discard everything done in this unit of work."""
        self.session.rollback()


UnitOfWorkFactory = Callable[[], UnitOfWork]
