"""Repositories: the queries the services need, written with `select()` only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from store.bulk import insert_ignoring_duplicates, insert_json_rows, inserted_json_rows
from store.db import required, rowcount, table_of
from store.models import (
    AuditEvent,
    Case,
    CaseRole,
    Delegate,
    Organisation,
    OrganisationOpenCases,
    OutboxMessage,
    OutboxStatus,
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


_OUTBOX_COLUMNS = ("idempotency_key", "kind", "recipient", "payload", "case_id", "replaces_key", "platform")


class JsonPayload(Protocol):
    """A typed notice payload (bot/notice_payloads): it writes its own JSON."""

    def to_json(self) -> dict[str, Any]: ...


def _payload_json(payload: JsonPayload | dict[str, Any] | None) -> dict[str, Any]:
    if payload is None:
        return {}
    return payload if isinstance(payload, dict) else payload.to_json()


class OutboxRepository:
    """Notices waiting to be delivered, and what became of them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._platforms: dict[int | None, str] = {}  # case id -> its organisation's platform, for this unit of work

    def enqueue(
        self,
        *,
        key: str,
        kind: str,
        recipient: str,
        now: datetime,
        payload: JsonPayload | dict[str, Any] | None = None,
        case_id: int | None = None,
        replaces_key: str | None = None,
        platform: str | None = None,
    ) -> bool:
        """Add a notice unless one with the same idempotency key exists; True when added.

        `platform` (whose sender delivers it) defaults to the case's organisation's (`platform_of`).
        """
        values = dict(
            idempotency_key=key,
            kind=kind,
            recipient=recipient,
            payload=_payload_json(payload),
            case_id=case_id,
            replaces_key=replaces_key,
            platform=platform or self.platform_of(case_id),
            status=OutboxStatus.PENDING,
            created_at=now,
            next_attempt_at=now,
            attempts=0,
        )
        return insert_ignoring_duplicates(self.session, OutboxMessage, values, key="idempotency_key")

    def enqueue_many(self, notices: list[dict[str, Any]], *, now: datetime) -> int:
        """Add many notices at once (the sweep's bulk path), skipping keys already there; how many were added.

        Each notice is a dict of `enqueue`'s keyword arguments (key, kind, recipient, payload, case_id,
        replaces_key, platform). One statement per call, so thousands of reminders cost one round trip, not thousands.
        """
        self._learn_platforms({n.get("case_id") for n in notices if not n.get("platform")})
        return insert_json_rows(
            self.session,
            OutboxMessage.__table__,
            self._rows(notices),
            columns=_OUTBOX_COLUMNS,
            constants=self._constants(now),
            conflict_key="idempotency_key",
        )

    def _rows(self, notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            dict(
                idempotency_key=n["key"],
                kind=str(n["kind"]),
                recipient=n["recipient"],
                payload=_payload_json(n.get("payload")),
                case_id=n.get("case_id"),
                replaces_key=n.get("replaces_key"),
                platform=n.get("platform") or self.platform_of(n.get("case_id")),
            )
            for n in notices
        ]

    @staticmethod
    def _constants(now: datetime) -> dict[str, Any]:
        return {"status": str(OutboxStatus.PENDING), "created_at": now, "next_attempt_at": now, "attempts": 0}

    def enqueue_all(self, notices: list[dict[str, Any]], *, now: datetime) -> set[str]:
        """Like `enqueue_many` (one statement), saying which notices were added: the keys not there before."""
        self._learn_platforms({n.get("case_id") for n in notices if not n.get("platform")})
        return set(
            inserted_json_rows(
                self.session,
                OutboxMessage.__table__,
                self._rows(notices),
                columns=_OUTBOX_COLUMNS,
                constants=self._constants(now),
                conflict_key="idempotency_key",
                returning="idempotency_key",
            )
        )

    def platform_of(self, case_id: int | None) -> str:
        """Where a notice goes out: its case's organisation's platform; with no case, the organisations' one
        platform (slack when there is none, or more than one: such notices should say their platform)."""
        if case_id not in self._platforms:
            self._learn_platforms({case_id})
        return self._platforms.get(case_id, "slack")

    def _learn_platforms(self, case_ids: set[int | None]) -> None:
        missing = {c for c in case_ids if c not in self._platforms}
        if None in missing:
            found = self.session.scalars(select(Organisation.platform).distinct()).all()
            self._platforms[None] = found[0] if len(found) == 1 else "slack"
        ids = [c for c in missing if c is not None]
        if ids:
            query = select(Case.id, Organisation.platform).join(Organisation, Case.organisation_id == Organisation.id)
            self._platforms.update({i: p for i, p in self.session.execute(query.where(Case.id.in_(ids)))})

    def get_by_key(self, key: str) -> OutboxMessage | None:
        return self.session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()

    def by_keys(self, keys: Sequence[str]) -> dict[str, OutboxMessage]:
        """The rows with these idempotency keys, by key (one statement)."""
        if not keys:
            return {}
        query = select(OutboxMessage).where(OutboxMessage.idempotency_key.in_(list(keys)))
        return {row.idempotency_key: row for row in self.session.scalars(query)}

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys are already in the outbox (one statement)."""
        if not keys:
            return set()
        query = select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(list(keys)))
        return set(self.session.scalars(query))

    def _due(self, now: datetime):
        return (
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        )

    def ready(
        self, *, now: datetime, limit: int, after_id: int = 0, platforms: Iterable[str] | None = None
    ) -> Sequence[OutboxMessage]:
        """Pending rows due by `now` and not claimed, oldest first (`after_id`: only rows added after that one;
        `platforms`: only rows for those platforms)."""
        query = select(OutboxMessage).where(*self._due(now), OutboxMessage.id > after_id)
        if platforms is not None:
            query = query.where(OutboxMessage.platform.in_(list(platforms)))
        return self.session.scalars(query.order_by(OutboxMessage.id).limit(limit)).all()

    def waiting_elsewhere(self, *, now: datetime, platforms: Iterable[str]) -> dict[str, int]:
        """How many due rows wait for each platform not in `platforms` (one with no sender configured)."""
        query = (
            select(OutboxMessage.platform, func.count())
            .where(*self._due(now), OutboxMessage.platform.not_in(list(platforms)))
            .group_by(OutboxMessage.platform)
        )
        return {platform: count for platform, count in self.session.execute(query)}

    def claim(self, message_id: int, *, now: datetime, until: datetime) -> bool:
        """Take a row for sending; False when another dispatcher has it (conditional update)."""
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
            )
            .values(claimed_until=until)
        )
        return rowcount(self.session.execute(statement)) == 1

    def claim_returning(self, message_id: int, *, now: datetime, until: datetime):
        """Take a row for sending in one statement; the row's (key, kind, recipient, payload, replaces_key,
        created_at) when taken, None when it is not pending or another dispatcher holds it."""
        table = table_of(OutboxMessage)
        statement = (
            update(table)
            .where(
                table.c.id == message_id,
                table.c.status == OutboxStatus.PENDING,
                or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
            )
            .values(claimed_until=until)
            .returning(
                table.c.idempotency_key,
                table.c.kind,
                table.c.recipient,
                table.c.payload,
                table.c.replaces_key,
                table.c.created_at,
            )
        )
        return self.session.execute(statement).first()

    def mark_sent(self, message_id: int, *, now: datetime, channel: str, ts: str) -> None:
        """Record where a sent row landed (its channel and ts, for chat.update later) in one statement."""
        table = table_of(OutboxMessage)
        self.session.execute(
            update(table)
            .where(table.c.id == message_id)
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                attempts=table.c.attempts + 1,
                claimed_until=None,
                message_channel=channel,
                message_ts=ts,
            )
        )

    def release(self, message_id: int) -> None:
        """Give back a claimed row that was not sent (the next pass takes it at once)."""
        table = table_of(OutboxMessage)
        self.session.execute(
            update(table)
            .where(table.c.id == message_id, table.c.status == OutboxStatus.PENDING)
            .values(claimed_until=None)
        )

    def get(self, message_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, message_id)

    def require(self, message_id: int) -> OutboxMessage:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(message_id), OutboxMessage, message_id)

    def list(self, *, status: str | None = None, kind: str | None = None) -> Sequence[OutboxMessage]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status:
            query = query.where(OutboxMessage.status == status)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return self.session.scalars(query).all()


class EventRepository:
    """Slack event ids seen, to ignore Slack's retries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, event_id: str, *, now: datetime) -> bool:
        """Record the event id; True only the first time it is seen."""
        values = {"event_id": event_id, "received_at": now}
        return insert_ignoring_duplicates(self.session, ProcessedEvent, values, key="event_id")


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
