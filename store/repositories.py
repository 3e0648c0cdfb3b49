"""Repositories: the queries the services need, written with `select()` only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from store.bulk import insert_ignoring_duplicates, insert_json_rows
from store.db import required, rowcount
from store.models import (
    AuditEvent,
    Case,
    CaseRole,
    Delegate,
    Organisation,
    OrganisationOpenCases,
    ProcessedEvent,
    ProcessedView,
    Role,
)


def of_organisation(organisation_id: int | Sequence[int]):
    """A joined case is the organisation's (or one of these organisations'), as a condition no planner drives the join
    from: the digest's queries start from the few rows owed (their own indexes) and find each case by its key.

    Written plainly, SQLite (no histograms) may start from the organisation's cases instead, reading all of them,
    when its statistics make the rows owed look many; `+ 0` keeps the case index out of that choice.
    """
    if isinstance(organisation_id, int):
        return Case.organisation_id + 0 == organisation_id
    return (Case.organisation_id + 0).in_(list(organisation_id))


class OrganisationRepository:
    """Organisations (normally one per deployment)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_name(self, name: str) -> Organisation | None:
        return self.session.scalars(select(Organisation).where(Organisation.name == name)).first()

    def get(self, organisation_id: int) -> Organisation | None:
        return self.session.get(Organisation, organisation_id)

    def require(self, organisation_id: int) -> Organisation:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(organisation_id), Organisation, organisation_id)

    def list(self) -> Sequence[Organisation]:
        return self.session.scalars(select(Organisation).order_by(Organisation.id)).all()

    def add(self, organisation: Organisation) -> None:
        self.session.add(organisation)
        self.session.flush()


class CaseLine(NamedTuple):
    """What a digest line shows of a case: no roles or organisation loaded (a digest may list thousands)."""

    id: int
    organisation_id: int
    reference: str
    channel: str
    status: str
    chair: str | None


#: A case is loaded with its roles and organisation (built once: building the options costs more than a `get`
#: that finds the case in the session).
_CASE_LOADS = (selectinload(Case.roles), selectinload(Case.organisation))
# One case (a command, a click): its organisation joined in, one statement fewer. Many cases (a sweep's batch) keep
# the organisation's own query, so its settings are not read again on every case's row.
_ONE_CASE_LOADS = (selectinload(Case.roles), joinedload(Case.organisation, innerjoin=True))


class CaseRepository:
    """Cases, loaded with their roles and organisation."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_channel: dict[str, Case] = {}

    def _query(self):
        return select(Case).options(*_CASE_LOADS)

    def _one(self):
        return select(Case).options(*_ONE_CASE_LOADS)

    def get(self, case_id: int) -> Case | None:
        # From the session when it has the case (a sweep batch loads its cases at once): no query per row.
        return self.session.get(Case, case_id, options=_ONE_CASE_LOADS)

    def require(self, case_id: int) -> Case:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(case_id), Case, case_id)

    def add_role(self, case: Case, role: CaseRole) -> None:
        """Give someone a role in the case (its id is known afterwards)."""
        case.roles.append(role)
        self.session.flush()

    def get_many(self, case_ids) -> dict[int, Case]:
        """Several cases by id in one query (the sweep loads only the cases with something due)."""
        ids = list(set(case_ids))
        if not ids:
            return {}
        return {c.id: c for c in self.session.scalars(self._query().where(Case.id.in_(ids)))}

    def lines(self, case_ids: Iterable[int]) -> dict[int, CaseLine]:
        """Several cases' organisation, reference, channel, status and chair by id, in one query (one row each)."""
        ids = list(set(case_ids))
        if not ids:
            return {}
        chair = (
            select(CaseRole.user_id)
            .where(CaseRole.case_id == Case.id, CaseRole.role == Role.CHAIR, CaseRole.user_id.is_not(None))
            .order_by(CaseRole.id)
            .limit(1)
            .correlate(Case)
            .scalar_subquery()
        )
        query = select(Case.id, Case.organisation_id, Case.reference, Case.channel, Case.status, chair).where(
            Case.id.in_(ids)
        )
        return {row[0]: CaseLine(*row) for row in self.session.execute(query)}

    def get_by_reference(self, reference: str) -> Case | None:
        return self.session.scalars(self._one().where(Case.reference == reference)).first()

    def get_by_channel(self, channel: str) -> Case | None:
        # Remembered for the unit of work: one answer (status, Home) asks for the same case several times.
        case = self._by_channel.get(channel)
        if case is None:
            case = self.session.scalars(self._one().where(Case.channel == channel)).first()
            if case is not None:
                self._by_channel[channel] = case
        return case

    def list(self, *, status: str | None = None) -> Sequence[Case]:
        query = self._query().order_by(Case.reference)
        if status:
            query = query.where(Case.status == status)
        return self.session.scalars(query).all()

    def statuses(self, case_ids) -> dict[int, str]:
        """Each case's status by id, in one query (sweepers skip deregistered and closed cases)."""
        ids = list(set(case_ids))
        if not ids:
            return {}
        rows = self.session.execute(select(Case.id, Case.status).where(Case.id.in_(ids)))
        return {case_id: status for case_id, status in rows}

    def count_open_by_organisation(self, organisation_ids: Sequence[int]) -> dict[int, int]:
        """Open cases of each organisation (the digest's "on time"), from the tally the database keeps: one row each."""
        query = select(OrganisationOpenCases.organisation_id, OrganisationOpenCases.open_cases).where(
            OrganisationOpenCases.organisation_id.in_(list(organisation_ids))
        )
        return {organisation_id: count for organisation_id, count in self.session.execute(query)}

    def for_user(self, user_id: str) -> Sequence[Case]:
        query = (
            self._query()
            .where(Case.id.in_(select(CaseRole.case_id).where(CaseRole.user_id == user_id)))
            .order_by(Case.reference)
        )
        return self.session.scalars(query).all()

    def add(self, case: Case) -> None:
        self.session.add(case)
        self.session.flush()


class DelegateRepository:
    """Out-of-office delegations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def active_for(self, principal: str, *, on: date, scopes: Iterable[str]) -> Delegate | None:
        """`principal`'s delegate on `on` whose delegation has one of `scopes` (the newest, if several)."""
        query = (
            select(Delegate)
            .where(
                Delegate.principal == principal,
                Delegate.ended_at.is_(None),
                Delegate.until >= on,
                Delegate.scope.in_(list(scopes)),
            )
            .order_by(Delegate.id.desc())
        )
        return self.session.scalars(query).first()

    def active_for_many(self, principals: Iterable[str], *, on: date, scopes: Iterable[str]) -> dict[str, str]:
        """principal -> their active delegate on `on` with one of `scopes`, in one query (the sweep's batches)."""
        wanted = list(set(principals))
        if not wanted:
            return {}
        query = (
            select(Delegate.principal, Delegate.delegate)
            .where(
                Delegate.principal.in_(wanted),
                Delegate.ended_at.is_(None),
                Delegate.until >= on,
                Delegate.scope.in_(list(scopes)),
            )
            .order_by(Delegate.id)
        )
        return {principal: delegate for principal, delegate in self.session.execute(query)}

    def all_active_for(self, principal: str, *, on: date) -> Sequence[Delegate]:
        """Every delegation `principal` has running on `on`, one per scope at most."""
        query = (
            select(Delegate)
            .where(Delegate.principal == principal, Delegate.ended_at.is_(None), Delegate.until >= on)
            .order_by(Delegate.scope, Delegate.id)
        )
        return self.session.scalars(query).all()

    def principals_of(self, delegate: str, *, on: date, scopes: Iterable[str]) -> list[str]:
        """Whom `delegate` stands in for on `on`, in one of `scopes`."""
        query = select(Delegate.principal).where(
            Delegate.delegate == delegate,
            Delegate.ended_at.is_(None),
            Delegate.until >= on,
            Delegate.scope.in_(list(scopes)),
        )
        return list(dict.fromkeys(self.session.scalars(query).all()))

    def end_all_for(self, principal: str, *, now: datetime, scope: str | None = None) -> int:
        """End `principal`'s running delegations (only those of `scope` when given); how many ended."""
        statement = update(Delegate).where(Delegate.principal == principal, Delegate.ended_at.is_(None))
        if scope is not None:
            statement = statement.where(Delegate.scope == scope)
        return rowcount(self.session.execute(statement.values(ended_at=now)))

    def add(self, delegate: Delegate) -> None:
        self.session.add(delegate)
        self.session.flush()


class AuditRepository:
    """The audit log: append and read, never change."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._deferred: list[tuple[datetime, dict[str, Any]]] | None = None

    def record(
        self,
        *,
        action: str,
        at: datetime,
        case_id: int | None = None,
        actor: str | None = None,
        on_behalf_of: str | None = None,
        **detail: Any,
    ) -> None:
        if self._deferred is not None:
            self._deferred.append(
                (at, {"action": action, "case_id": case_id, "actor": actor, "on_behalf_of": on_behalf_of, **detail})
            )
            return
        event = AuditEvent(action=action, at=at, case_id=case_id, actor=actor, on_behalf_of=on_behalf_of, detail=detail)
        self.session.add(event)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Within it, `record` keeps the events, and they are written at the end in one statement, in order (the
        sweep's batches: the ORM would insert them one statement each). Not for code that reads the audit inside."""
        self._deferred = []
        try:
            yield
            kept, self._deferred = self._deferred, None
            at_once: dict[datetime, list[dict[str, Any]]] = {}
            for at, event in kept:
                at_once.setdefault(at, []).append(event)
            for at, events in at_once.items():
                self.record_many(events, at=at)
        finally:
            self._deferred = None

    def record_many(self, events: list[dict[str, Any]], *, at: datetime) -> None:
        """Append many events at once (the sweep's bulk path): each a dict of `record`'s keyword arguments."""
        if not events:
            return
        columns = ("action", "case_id", "actor", "on_behalf_of")
        rows = [
            {**{c: e.get(c) for c in columns}, "detail": {k: v for k, v in e.items() if k not in columns}}
            for e in events
        ]
        insert_json_rows(self.session, AuditEvent.__table__, rows, columns=(*columns, "detail"), constants={"at": at})

    def list(self, *, case_id: int | None = None, action: str | None = None) -> Sequence[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if case_id is not None:
            query = query.where(AuditEvent.case_id == case_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return self.session.scalars(query).all()


class EventRepository:
    """Slack event ids seen, to ignore Slack's retries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, event_id: str, *, now: datetime) -> bool:
        """Record the event id; True only the first time it is seen."""
        values = {"event_id": event_id, "received_at": now}
        return insert_ignoring_duplicates(self.session, ProcessedEvent, values, key="event_id")

    def forget_before(self, cutoff: datetime) -> int:
        """Forget the ids seen before `cutoff`; how many."""
        statement = delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)
        return rowcount(self.session.execute(statement.execution_options(synchronize_session=False)))


class ViewRepository:
    """Slack view ids whose submission was processed: a submission changes something once per view."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, view_id: str, *, now: datetime) -> bool:
        """Record the view id; True only for the first submission of that view to get here."""
        values = {"view_id": view_id, "processed_at": now}
        return insert_ignoring_duplicates(self.session, ProcessedView, values, key="view_id")

    def seen(self, view_id: str) -> bool:
        """Whether a submission of this view was processed already."""
        return self.session.get(ProcessedView, view_id) is not None

    def forget_before(self, cutoff: datetime) -> int:
        """Forget the views processed before `cutoff`; how many."""
        statement = delete(ProcessedView).where(ProcessedView.processed_at < cutoff)
        return rowcount(self.session.execute(statement.execution_options(synchronize_session=False)))
