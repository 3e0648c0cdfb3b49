"""The outbox dispatcher: deliver pending notices, never lose one, and send each once where possible.

One message at a time: each row is claimed (a conditional update with a lease, committed), sent, and
recorded (status, Slack's `ts` and channel) in its own transaction. A crash between sending and recording
can therefore repeat only the one message that was in flight: its lease runs out and the next dispatcher
sends it again. A crash anywhere else repeats nothing and loses nothing.

Throughput comes from pacing rather than threads (`bot.pacing.Pacer`): the next message always goes to
the channel that may receive one soonest (the one with most waiting, on a tie), so a channel waiting out
its one-a-second limit or a 429's `Retry-After` never holds up the others, and the workspace's global
limit is respected without a flood of 429s.

- 429: `Retry-After` is honoured for that method and channel only; short waits are retried in the pass.
- 5xx and network errors: retried with capped exponential backoff (2, 4, 8 ... 300 s); after 24 hours of
  failures the row is failed and reported.
- Permanent errors (`channel_not_found`, `not_in_channel`, `user_not_found`, `account_inactive` ...): the row
  is failed at once and the organisation's admins (else its coordinator) are told through the outbox.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.notices import NoticeKind, notice_key
from bot.pacing import POST, UPDATE, Pacer
from store.models import OutboxMessage, OutboxStatus
from store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
CLAIM_SECONDS = 60
GIVE_UP_AFTER = timedelta(hours=24)
#: A 429 asking for at most this long is waited out inside the pass; longer ones go back to the table.
MAX_INLINE_WAIT = 10.0
#: A pass stops starting new sends after this long (the scheduler ticks the dispatcher again).
PASS_SECONDS = 50.0


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
    rate_limited: int = 0


@dataclass
class _Item:
    id: int
    recipient: str
    method: str


def dispatch_pending(
    *,
    uow_factory: UnitOfWorkFactory,
    sender: NoticeSender,
    now: datetime,
    limit: int = 500,
    pacer: Pacer | None = None,
    clock: Callable[[], datetime] | None = None,
    max_seconds: float = PASS_SECONDS,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> DispatchReport:
    """Send what is due at `now` (re-read from `clock` during a long pass), paced; returns what happened.

    At most `limit` rows are held in memory; more are read as those go. Nothing is claimed until the
    moment it is sent, so a pass that stops early leaves the rest for the next one.
    """
    pacer = pacer if pacer is not None else Pacer()
    pacer.follow(now, monotonic())
    pacer.forget_before(monotonic())
    current = clock or (lambda: now)
    pass_ = _Pass(uow_factory, sender, pacer, current, monotonic, sleep, limit, monotonic() + max_seconds)
    pass_.run()
    return pass_.report


class _Pass:
    """One dispatch pass: per-recipient queues, drained in the order the pacer allows."""

    def __init__(self, uow_factory, sender, pacer, current, monotonic, sleep, limit, deadline) -> None:
        self.uow_factory, self.sender, self.pacer, self.current = uow_factory, sender, pacer, current
        self.monotonic, self.sleep, self.limit, self.deadline = monotonic, sleep, limit, deadline
        self.report = DispatchReport()
        self.queues: dict[str, deque[_Item]] = {}
        self.queued = 0
        self.last_id = 0
        self.exhausted = False

    def run(self) -> None:
        while True:
            if not self.exhausted and self.queued <= self.limit // 2:
                self._refill()
            if not self.queued:
                return
            scope, ready = self._next_scope()
            moment = self.monotonic()
            if ready > moment:
                if ready >= self.deadline or ready - moment > MAX_INLINE_WAIT:
                    return  # everything left waits longer than a pass should: a later pass takes it
                self.sleep(ready - moment)
                continue
            item = self.queues[scope].popleft()
            if not self.queues[scope]:
                del self.queues[scope]
            self.queued -= 1
            self._attempt(item)
            if self.monotonic() >= self.deadline:
                return

    def _refill(self) -> None:
        with self.uow_factory() as uow:
            rows = uow.outbox.ready(now=self.current(), limit=self.limit - self.queued, after_id=self.last_id)
            items = [_Item(m.id, m.recipient, UPDATE if m.replaces_key else POST) for m in rows]
        if len(items) < self.limit - self.queued:
            self.exhausted = True
        for item in items:
            self.queues.setdefault(item.recipient, deque()).append(item)
            self.last_id = max(self.last_id, item.id)
        self.queued += len(items)

    def _next_scope(self) -> tuple[str, float]:
        """The recipient that may be sent to soonest; on a tie, the one with most waiting (shortest tail)."""
        moment = self.monotonic()
        best, best_key = "", (float("inf"), 0, 0)
        for scope, queue in self.queues.items():
            head = queue[0]
            key = (max(self.pacer.ready_at(head.method, scope), moment), -len(queue), head.id)
            if key < best_key:
                best, best_key = scope, key
        return best, best_key[0]

    def _attempt(self, item: _Item) -> None:
        claimed = _claim(self.uow_factory, item.id, now=self.current())
        if claimed is None:
            return  # sent, failed or taken by another dispatcher meanwhile
        message, replaces, wait = claimed
        key = message["key"]
        if wait:
            _reschedule(self.uow_factory, item.id, now=self.current(), delay=5, count=False,
                        error="waiting for the message it updates")
            self.report.retrying.append(key)
            return
        method = UPDATE if replaces is not None else POST
        started = self.monotonic()
        try:
            delivery = self.sender.send(
                kind=message["kind"], recipient=item.recipient, payload=message["payload"], replaces=replaces
            )
        except RetryLater as exc:
            finished = self.monotonic()
            self.report.rate_limited += 1
            self.pacer.limited(method, item.recipient, exc.retry_after, started=started, finished=finished)
            _reschedule(self.uow_factory, item.id, now=self.current(), delay=exc.retry_after, error=str(exc), count=False)
            if exc.retry_after <= MAX_INLINE_WAIT and finished + exc.retry_after < self.deadline:
                item.method = method
                self.queues.setdefault(item.recipient, deque()).appendleft(item)
                self.queued += 1
            else:
                self.report.retrying.append(key)
        except PermanentFailure as exc:
            _fail(self.uow_factory, item.id, now=self.current(), error=exc.error)
            self.report.failed.append(key)
        except TemporaryFailure as exc:
            if message["created_at"] + GIVE_UP_AFTER <= self.current():
                _fail(self.uow_factory, item.id, now=self.current(), error=f"gave up after 24 hours: {exc}")
                self.report.failed.append(key)
            else:
                _reschedule(self.uow_factory, item.id, now=self.current(), delay=None, error=str(exc))
                self.report.retrying.append(key)
        else:
            self.pacer.sent(method, item.recipient, started=started, finished=self.monotonic())
            _record(self.uow_factory, item.id, now=self.current(), delivery=delivery)
            self.report.sent.append(key)
            self.report.deliveries.append((message["kind"], item.recipient, delivery))


def _claim(uow_factory: UnitOfWorkFactory, message_id: int, *, now: datetime):
    """Take the row with a lease (committed before sending); None when it is not ours to send."""
    with uow_factory() as uow:
        message = uow.outbox.get(message_id)
        if message is None or message.status != OutboxStatus.PENDING:
            return None
        if not uow.outbox.claim(message_id, now=now, until=now + timedelta(seconds=CLAIM_SECONDS)):
            return None
        replaces, wait = _replaced_delivery(uow, message)
        data = {"key": message.idempotency_key, "kind": message.kind, "payload": dict(message.payload),
                "created_at": message.created_at}
        uow.commit()
    return data, replaces, wait


def _replaced_delivery(uow: UnitOfWork, message: OutboxMessage) -> tuple[Delivery | None, bool]:
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
    """Put the row back for later (releasing the claim): after `delay` seconds, or the backoff when None."""
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
    """Fail the row for good, audit it, and tell the organisation's admins (never about their own reports)."""
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
        if message.kind != NoticeKind.DELIVERY_FAILED:
            _report_to_admins(uow, message, error=error, now=now)
        uow.commit()
    log.warning("outbox row %s failed permanently: %s", message_id, error)


def _report_to_admins(uow: UnitOfWork, message: OutboxMessage, *, error: str, now: datetime) -> None:
    case = uow.cases.get(message.case_id) if message.case_id else None
    organisation = case.organisation if case else next(iter(uow.organisations.list()), None)
    if organisation is None:
        return
    admins = [a for a in (organisation.admins or []) if a] or [organisation.coordinator]
    payload = {"kind": message.kind, "recipient": message.recipient, "error": error,
               "reference": case.reference if case else None}
    for admin in dict.fromkeys(admins):
        uow.outbox.enqueue(
            key=notice_key(NoticeKind.DELIVERY_FAILED, message.id, admin), kind=NoticeKind.DELIVERY_FAILED,
            recipient=admin, now=now, case_id=message.case_id, payload=payload,
        )
