"""The outbox's repository: notices enqueued in the transaction that decided them, claimed and marked by the
dispatcher."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from store.bulk import insert_ignoring_duplicates, insert_json_rows, inserted_json_rows
from store.db import required, rowcount, table_of
from store.models import Case, Organisation, OutboxMessage, OutboxStatus

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
