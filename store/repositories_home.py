"""Repositories for what the coordinator's digest and each person's Home tab read across features, and for who
has opened the Home tab.

`OverviewRepository` holds only read queries (`select()`), for what the features' own repositories do not
answer directly: what waits on a given person, and organisation-wide lists the digest needs. Everything is
limited to cases whose core group runs (open), except where noted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from store.models import (
    ActionStatus,
    Case,
    CaseStatus,
    CopyStatus,
    Cp9,
    Cp9Status,
    DueStatus,
    HomeTab,
    MeetingAction,
    MeetingDue,
    MeetingRecord,
    MeetingRequest,
    PlanCopy,
    PlanReceipt,
    RequestStatus,
)


def _open_cases(organisation_id: int | None = None):
    query = select(Case.id).where(Case.status == CaseStatus.OPEN)
    if organisation_id is not None:
        query = query.where(Case.organisation_id == organisation_id)
    return query


class OverviewRepository:
    """Read-only queries across features, for the digest and the Home tab."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- requests for an additional meeting -------------------------------------------------------

    def open_requests(self, organisation_id: int) -> Sequence[MeetingRequest]:
        """Requests waiting for a decision or for the coordinator's outcome, oldest first."""
        query = (
            select(MeetingRequest)
            .where(
                MeetingRequest.status.in_((RequestStatus.PENDING, RequestStatus.WITH_COORDINATOR)),
                MeetingRequest.case_id.in_(_open_cases(organisation_id)),
            )
            .order_by(MeetingRequest.requested_at, MeetingRequest.id)
        )
        return self.session.scalars(query).all()

    def requests_waiting_on(self, people: Iterable[str]) -> Sequence[MeetingRequest]:
        """Requests one of `people` may decide now (as decider, the one it was routed, reminded or escalated to)
        or review (as the coordinator it went to), oldest first."""
        who = list(dict.fromkeys(people))
        if not who:
            return []
        pending = (MeetingRequest.status == RequestStatus.PENDING) & or_(
            MeetingRequest.decider.in_(who),
            MeetingRequest.routed_to.in_(who),
            MeetingRequest.escalated_to.in_(who),
            MeetingRequest.escalated_on_behalf_of.in_(who),
        )
        review = (MeetingRequest.status == RequestStatus.WITH_COORDINATOR) & or_(
            MeetingRequest.coordinator.in_(who), MeetingRequest.coordinator_routed_to.in_(who)
        )
        query = (
            select(MeetingRequest)
            .where(or_(pending, review), MeetingRequest.case_id.in_(_open_cases()))
            .order_by(MeetingRequest.requested_at, MeetingRequest.id)
        )
        return self.session.scalars(query).all()

    # --- plan copies and the CP9 ----------------------------------------------------------------

    def cp9s_awaiting_receipt(self, organisation_id: int) -> Sequence[Cp9]:
        """CP9s the chair marked sent that the coordinator has not marked received, oldest deadline first."""
        query = (
            select(Cp9)
            .where(Cp9.status == Cp9Status.SENT, Cp9.case_id.in_(_open_cases(organisation_id)))
            .order_by(Cp9.due_at, Cp9.id)
        )
        return self.session.scalars(query).all()

    def cp9s_to_send(self, case_ids: Sequence[int]) -> Sequence[Cp9]:
        """CP9s not sent yet in these cases, oldest deadline first."""
        if not case_ids:
            return []
        query = select(Cp9).where(Cp9.status == Cp9Status.PENDING, Cp9.case_id.in_(list(case_ids)))
        return self.session.scalars(query.order_by(Cp9.due_at, Cp9.id)).all()

    def receipts_with_unsent_copies(self, case_ids: Sequence[int]) -> Sequence[PlanReceipt]:
        """Plan distributions in these cases with a copy not marked sent, oldest deadline first."""
        if not case_ids:
            return []
        unsent = select(PlanCopy.receipt_id).where(PlanCopy.status == CopyStatus.PENDING)
        query = (
            select(PlanReceipt)
            .options(selectinload(PlanReceipt.copies))
            .where(PlanReceipt.case_id.in_(list(case_ids)), PlanReceipt.id.in_(unsent))
            .order_by(PlanReceipt.due_at, PlanReceipt.id)
        )
        return self.session.scalars(query).all()

    def copies_to_confirm(self, user: str) -> Sequence[PlanCopy]:
        """Copies of the plan sent to `user` that they have not confirmed, oldest deadline first."""
        query = (
            select(PlanCopy)
            .where(PlanCopy.user_id == user, PlanCopy.status == CopyStatus.SENT)
            .order_by(PlanCopy.due_at, PlanCopy.id)
        )
        return self.session.scalars(query).all()

    # --- meetings ---------------------------------------------------------------------------------

    def actions_owned_by(self, user: str) -> Sequence[MeetingAction]:
        """Open actions `user` owns in cases whose core group runs, soonest due first."""
        query = (
            select(MeetingAction)
            .where(
                MeetingAction.owner_user_id == user,
                MeetingAction.status == ActionStatus.OPEN,
                MeetingAction.case_id.in_(_open_cases()),
            )
            .order_by(MeetingAction.due_on, MeetingAction.id)
        )
        return self.session.scalars(query).all()

    def dues_not_scheduled(self, organisation_id: int, *, by: date) -> Sequence[MeetingDue]:
        """Due periods with nothing scheduled yet whose due date is on or before `by`, soonest first."""
        query = (
            select(MeetingDue)
            .where(
                MeetingDue.status == DueStatus.OPEN,
                MeetingDue.due_on <= by,
                MeetingDue.case_id.in_(_open_cases(organisation_id)),
            )
            .order_by(MeetingDue.due_on, MeetingDue.id)
        )
        return self.session.scalars(query).all()

    def record_times(self, record_ids: Iterable[int]) -> dict[int, datetime]:
        """When each record's meeting was held, by record id, in one query."""
        ids = list(set(record_ids))
        if not ids:
            return {}
        rows = self.session.execute(select(MeetingRecord.id, MeetingRecord.held_at).where(MeetingRecord.id.in_(ids)))
        return {record_id: held_at for record_id, held_at in rows}

    def case_ids(self, organisation_id: int) -> list[int]:
        """Every case of the organisation, whatever its status."""
        return list(self.session.scalars(select(Case.id).where(Case.organisation_id == organisation_id)).all())


class HomeTabRepository:
    """Who has opened the Home tab, and when it was last published for them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def opened(self, user: str, *, now: datetime) -> None:
        """Note that `user` opened their Home tab at `now` (one row per person)."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(HomeTab).values(user_id=user, opened_at=now, published_at=None)
        statement = statement.on_conflict_do_update(index_elements=["user_id"], set_={"opened_at": now})
        self.session.execute(statement)

    def published(self, user: str, *, now: datetime) -> None:
        row = self.session.get(HomeTab, user)
        if row is not None:
            row.published_at = now

    def get(self, user: str) -> HomeTab | None:
        return self.session.get(HomeTab, user)

    def opened_since(self, users: Iterable[str], *, since: datetime) -> list[str]:
        """Those of `users` who opened their Home tab at or after `since`."""
        wanted = list(dict.fromkeys(users))
        if not wanted:
            return []
        query = select(HomeTab.user_id).where(HomeTab.user_id.in_(wanted), HomeTab.opened_at >= since)
        return sorted(self.session.scalars(query).all())
