"""The outbox dispatcher: deliver pending notices exactly once where possible, never lose one.

Each row is claimed with a conditional update, sent, and recorded in its own transaction, so a
crash between sending and recording can repeat only the message that was in flight.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from store.models import OutboxMessage, OutboxStatus
from store.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
CLAIM_SECONDS = 60


@dataclass(frozen=True)
class Delivery:
    """Where a message landed, so it can be changed in place later."""

    channel: str
    ts: str


class DeliveryError(Exception):
    """The chat platform did not take the message."""


class RetryLater(DeliveryError):
    """Rate limited: try again after `retry_after` seconds; `scope` is what the limit applies to."""

    def __init__(self, retry_after: float, *, scope: str = "") -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after
        self.scope = scope


class TemporaryFailure(DeliveryError):
    """A server or network error worth retrying with backoff."""


class PermanentFailure(DeliveryError):
    """An error retrying cannot fix (the channel or user is gone); `error` is the platform's code."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class NoticeSender(Protocol):
    """A chat surface that can render and deliver a notice."""

    def send(
        self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None
    ) -> Delivery: ...


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    deliveries: list[tuple[str, str, Delivery]] = field(default_factory=list)


def dispatch_pending(
    *, uow_factory: UnitOfWorkFactory, sender: NoticeSender, now: datetime, limit: int = 200
) -> DispatchReport:
    """Send up to `limit` due outbox rows; rate-limited scopes are skipped for the rest of the pass."""
    report = DispatchReport()
    with uow_factory() as uow:
        candidates = [m.id for m in uow.outbox.ready(now=now, limit=limit)]
    blocked_until: dict[str, float] = {}
    for message_id in candidates:
        with uow_factory() as uow:
            message = uow.outbox.get(message_id)
            if message is None or message.recipient in blocked_until:
                continue
            if not uow.outbox.claim(message_id, now=now, until=now + timedelta(seconds=CLAIM_SECONDS)):
                continue
            replaces, wait = _replaced_delivery(uow, message)
            uow.commit()
            kind, recipient, payload, key = message.kind, message.recipient, dict(message.payload), message.idempotency_key
        if wait:
            _reschedule(uow_factory, message_id, now=now, delay=5, error="waiting for the message it updates")
            report.retrying.append(key)
            continue
        try:
            delivery = sender.send(kind=kind, recipient=recipient, payload=payload, replaces=replaces)
        except RetryLater as exc:
            blocked_until[exc.scope or recipient] = exc.retry_after
            blocked_until[recipient] = exc.retry_after
            _reschedule(uow_factory, message_id, now=now, delay=exc.retry_after, error=str(exc), count=False)
            report.retrying.append(key)
        except PermanentFailure as exc:
            _fail(uow_factory, message_id, now=now, error=exc.error)
            report.failed.append(key)
        except TemporaryFailure as exc:
            _reschedule(uow_factory, message_id, now=now, delay=None, error=str(exc))
            report.retrying.append(key)
        else:
            _record(uow_factory, message_id, now=now, delivery=delivery)
            report.sent.append(key)
            report.deliveries.append((kind, recipient, delivery))
    return report


def _replaced_delivery(uow, message: OutboxMessage) -> tuple[Delivery | None, bool]:
    """The delivery this row updates, and whether it must wait because that one is not sent yet."""
    if not message.replaces_key:
        return None, False
    original = uow.outbox.get_by_key(message.replaces_key)
    if original is None or original.status == OutboxStatus.FAILED:
        return None, False
    if original.status == OutboxStatus.PENDING:
        return None, True
    return Delivery(channel=original.message_channel, ts=original.message_ts), False


def _record(uow_factory: UnitOfWorkFactory, message_id: int, *, now: datetime, delivery: Delivery) -> None:
    with uow_factory() as uow:
        message = uow.outbox.get(message_id)
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.attempts += 1
        message.claimed_until = None
        message.message_channel = delivery.channel
        message.message_ts = delivery.ts
        uow.commit()


def _reschedule(
    uow_factory: UnitOfWorkFactory, message_id: int, *, now: datetime, delay: float | None, error: str,
    count: bool = True,
) -> None:
    with uow_factory() as uow:
        message = uow.outbox.get(message_id)
        if count:
            message.attempts += 1
        if delay is None:
            delay = min(2 ** max(message.attempts, 1), MAX_BACKOFF_SECONDS)
        message.next_attempt_at = now + timedelta(seconds=delay)
        message.claimed_until = None
        message.last_error = error[:500]
        uow.commit()
    log.info("outbox row %s will be retried in %ss: %s", message_id, delay, error)


def _fail(uow_factory: UnitOfWorkFactory, message_id: int, *, now: datetime, error: str) -> None:
    with uow_factory() as uow:
        message = uow.outbox.get(message_id)
        message.status = OutboxStatus.FAILED
        message.attempts += 1
        message.claimed_until = None
        message.last_error = error
        uow.audit.record(
            action="delivery.failed", at=now, case_id=message.case_id, kind=message.kind,
            recipient=message.recipient, error=error,
        )
        uow.commit()
    log.warning("outbox row %s failed permanently: %s", message_id, error)
