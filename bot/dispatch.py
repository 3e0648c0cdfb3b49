"""The outbox dispatcher: deliver pending notices, never lose one, and send each once where possible.

One message in flight at a time: each row is claimed (a conditional update with a lease, committed) before
it is sent, and recorded (status, Slack's `ts` and channel) right after, in the transaction that claims the
next one. A crash between sending and recording can therefore repeat only the one message that was in
flight: its lease runs out and the next dispatcher sends it again. A crash anywhere else repeats nothing
and loses nothing (a claimed row that was never sent is simply sent once its lease has run out).

Throughput comes from pacing rather than threads (`bot.pacing.Pacer`): the next message always goes to
the channel that may receive one soonest (the one with most waiting, on a tie), so a channel waiting out
its one-a-second limit or a 429's `Retry-After` never holds up the others, and the workspace's global
limit is respected without a flood of 429s.

- 429: `Retry-After` is honoured for that method and channel only; short waits are retried in the pass.
- 5xx and network errors: retried with the platform pacer's capped exponential backoff (2, 4, 8 ... 300 s;
  jittered for Teams, as Microsoft asks); after 24 hours of failures the row is failed and reported.
- Permanent errors (`channel_not_found`, `not_in_channel`, `user_not_found`, `account_inactive` ...): the row
  is failed at once and the organisation's admins (else its coordinator) are told through the outbox.

Each row says its platform (`outbox.platform`, from the case's organisation); the pass sends it with that
platform's sender and paces it with that platform's pacer, so Slack's limits and Teams' never mix. A row for a
platform with no sender configured is not touched: it stays pending (nothing lost, nothing failed) and each pass
logs how many wait, until the bot is started with that platform's settings.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.notice_payloads.coordinator import DeliveryFailed
from bot.notices import NoticeKind, notice_key
from bot.pacing import MAX_BACKOFF_SECONDS, POST, UPDATE, Pacer, Pacing
from store.models import OutboxMessage, OutboxStatus
from store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

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

    def send(self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None) -> Delivery: ...


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    deliveries: list[tuple[str, str, Delivery]] = field(default_factory=list)
    rate_limited: int = 0
    #: Rows left pending because their platform has no sender in this bot: platform -> how many.
    no_sender: dict[str, int] = field(default_factory=dict)
    #: True when this process did not dispatch: another replica holds the dispatcher lock.
    standing_by: bool = False


@dataclass
class _Item:
    id: int
    recipient: str
    method: str
    platform: str = "slack"

    @property
    def queue(self) -> tuple[str, str]:
        return self.platform, self.recipient


@dataclass
class _Claim:
    """A row taken for sending: what to send, and the message it replaces (or that it must wait for)."""

    key: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    replaces: Delivery | None
    wait: bool

    @property
    def method(self) -> str:
        return UPDATE if self.replaces is not None else POST


def dispatch_pending(
    *,
    uow_factory: UnitOfWorkFactory,
    sender: NoticeSender | None = None,
    senders: Mapping[str, NoticeSender] | None = None,
    now: datetime,
    limit: int = 500,
    pacer: Pacing | None = None,
    pacers: MutableMapping[str, Pacing] | None = None,
    clock: Callable[[], datetime] | None = None,
    max_seconds: float = PASS_SECONDS,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    claim_seconds: float = CLAIM_SECONDS,
) -> DispatchReport:
    """Send what is due at `now` (re-read from `clock` during a long pass), paced; returns what happened.

    At most `limit` rows are held in memory; more are read as those go. A row is claimed only just before
    it is sent (in the same transaction that records the one before it), so a pass that stops early leaves
    the rest for the next one. `claim_seconds` is the lease: how long a crashed dispatcher's message in flight
    waits before another dispatcher sends it again.

    `senders` maps a platform to its sender (`sender` alone is Slack's); `pacers` keeps each platform's pacing
    across passes (`pacer` alone is Slack's); a platform without one gets a new `Pacer`.
    """
    by_platform = dict(senders or {})
    if sender is not None:
        by_platform.setdefault("slack", sender)
    if not by_platform:
        raise ValueError("dispatch_pending needs a sender for at least one platform")
    pacing: MutableMapping[str, Pacing] = pacers if pacers is not None else {}
    if pacer is not None:
        pacing["slack"] = pacer
    for platform in by_platform:
        paced = pacing.setdefault(platform, Pacer())
        paced.follow(now, monotonic())
        paced.forget_before(monotonic())
    current = clock or (lambda: now)
    pass_ = _Pass(uow_factory, by_platform, pacing, current, monotonic, sleep, limit, monotonic() + max_seconds)
    pass_.lease = timedelta(seconds=claim_seconds)
    pass_.report.no_sender = _without_sender(uow_factory, by_platform, now=current())
    pass_.run()
    return pass_.report


def _without_sender(uow_factory: UnitOfWorkFactory, senders: Mapping[str, NoticeSender], *, now: datetime):
    """Rows due for a platform this bot has no sender for: left pending (not lost, not failed), and said so."""
    with uow_factory() as uow:
        waiting = uow.outbox.waiting_elsewhere(now=now, platforms=senders)
    for platform, count in sorted(waiting.items()):
        log.warning(
            "%s outbox row(s) for platform %r left pending: this bot has no %s sender configured",
            count,
            platform,
            platform,
        )
    return waiting


class _Pass:
    """One dispatch pass: per-recipient queues, drained in the order the pacer allows, one message in flight."""

    def __init__(self, uow_factory, senders, pacers, current, monotonic, sleep, limit, deadline) -> None:
        self.uow_factory, self.senders, self.pacers, self.current = uow_factory, senders, pacers, current
        self.monotonic, self.sleep, self.limit, self.deadline = monotonic, sleep, limit, deadline
        self.report = DispatchReport()
        self.queues: dict[tuple[str, str], deque[_Item]] = {}  # (platform, recipient): paced apart
        self.queued = 0
        self.last_id = 0
        self.exhausted = False
        self.lease = timedelta(seconds=CLAIM_SECONDS)

    def run(self) -> None:
        held: tuple[_Item, _Claim] | None = None
        try:
            while True:
                if held is None:
                    item = self._choose()
                    if item is None:
                        return
                    with self.uow_factory() as uow:
                        claim = _take(uow, item.id, now=self.current(), lease=self.lease)
                        uow.commit()
                    if claim is None:
                        continue  # sent, failed or taken by another dispatcher meanwhile
                    held = (item, claim)
                item, claim = held
                pacer = self.pacers[item.platform]
                wait = pacer.ready_at(claim.method, item.recipient) - self.monotonic()
                by_gap = wait > 0 and pacer.gap_holds(claim.method, item.recipient)
                if wait > 0:
                    if wait > MAX_INLINE_WAIT or self.monotonic() + wait >= self.deadline:
                        return  # a later pass takes it (the claim is given back below)
                    self.sleep(wait)
                held = None
                outcome = self._send(item, claim, by_gap=by_gap)
                retry_here = self._retry_in_pass(item, claim, outcome)  # back at the front of its queue: order kept
                # Record this message and claim the next in one transaction: one commit per message.
                following = self._choose() if self.monotonic() < self.deadline else None
                with self.uow_factory() as uow:
                    self._settle(uow, item, claim, outcome)
                    next_claim = _take(uow, following.id, now=self.current(), lease=self.lease) if following else None
                    uow.commit()
                self._report(claim, item, outcome, retry_here=retry_here)
                if following is not None and next_claim is not None:
                    held = (following, next_claim)
                if self.monotonic() >= self.deadline:
                    return
        finally:
            if held is not None:
                with self.uow_factory() as uow:
                    uow.outbox.release(held[0].id)
                    uow.commit()

    # --- choosing ------------------------------------------------------------------------

    def _choose(self) -> _Item | None:
        """The next message: of the recipient that may be sent to soonest, the one with most waiting on a tie."""
        if not self.exhausted and self.queued <= self.limit // 2:
            self._refill()
        if not self.queued:
            return None
        moment = self.monotonic()
        best, best_key = ("", ""), (float("inf"), 0, 0)
        for scope, queue in self.queues.items():
            head = queue[0]
            key = (max(self.pacers[head.platform].ready_at(head.method, head.recipient), moment), -len(queue), head.id)
            if key < best_key:
                best, best_key = scope, key
        item = self.queues[best].popleft()
        if not self.queues[best]:
            del self.queues[best]
        self.queued -= 1
        return item

    def _refill(self) -> None:
        with self.uow_factory() as uow:
            rows = uow.outbox.ready(
                now=self.current(), limit=self.limit - self.queued, after_id=self.last_id, platforms=self.senders
            )
            items = [_Item(m.id, m.recipient, UPDATE if m.replaces_key else POST, m.platform) for m in rows]
        if len(items) < self.limit - self.queued:
            self.exhausted = True
        for item in items:
            self.queues.setdefault(item.queue, deque()).append(item)
            self.last_id = max(self.last_id, item.id)
        self.queued += len(items)

    # --- sending and settling -------------------------------------------------------------

    def _send(self, item: _Item, claim: _Claim, *, by_gap: bool = False) -> tuple[str, Any]:
        """Send one message: ("sent", Delivery) | ("limited", RetryLater) | ("failed", code) | ("retry", text) | ("wait", None)."""
        if claim.wait:
            return "wait", None
        started, pacer = self.monotonic(), self.pacers[item.platform]
        try:
            delivery = self.senders[item.platform].send(
                kind=claim.kind, recipient=item.recipient, payload=claim.payload, replaces=claim.replaces
            )
        except RetryLater as exc:
            pacer.limited(claim.method, item.recipient, exc.retry_after, started=started, finished=self.monotonic())
            return "limited", exc
        except PermanentFailure as exc:
            return "failed", exc.error
        except TemporaryFailure as exc:
            if claim.created_at + GIVE_UP_AFTER <= self.current():
                return "failed", f"gave up after 24 hours: {exc}"
            return "retry", str(exc)
        pacer.sent(claim.method, item.recipient, started=started, finished=self.monotonic(), held_by_gap=by_gap)
        return "sent", delivery

    def _settle(self, uow: UnitOfWork, item: _Item, claim: _Claim, outcome: tuple[str, Any]) -> None:
        what, detail = outcome
        now = self.current()
        if what == "sent":
            uow.outbox.mark_sent(item.id, now=now, channel=detail.channel, ts=detail.ts)
        elif what == "wait":
            _put_back(uow, item.id, now=now, delay=5, count=False, error="waiting for the message it updates")
        elif what == "limited":
            _put_back(uow, item.id, now=now, delay=detail.retry_after, count=False, error=str(detail))
        elif what == "retry":
            pacer = self.pacers[item.platform]
            _put_back(uow, item.id, now=now, delay=None, error=detail, backoff=pacer.backoff)
        else:
            _fail(uow, item.id, now=now, error=detail)

    def _retry_in_pass(self, item: _Item, claim: _Claim, outcome: tuple[str, Any]) -> bool:
        """A short Retry-After is waited out in this pass: the message goes back to the front of its queue."""
        what, detail = outcome
        if what != "limited" or detail.retry_after > MAX_INLINE_WAIT:
            return False
        if self.monotonic() + detail.retry_after >= self.deadline:
            return False
        item.method = claim.method
        self.queues.setdefault(item.queue, deque()).appendleft(item)
        self.queued += 1
        return True

    def _report(self, claim: _Claim, item: _Item, outcome: tuple[str, Any], *, retry_here: bool) -> None:
        what, detail = outcome
        if what == "sent":
            self.report.sent.append(claim.key)
            self.report.deliveries.append((claim.kind, item.recipient, detail))
        elif what == "failed":
            self.report.failed.append(claim.key)
        else:
            if what == "limited":
                self.report.rate_limited += 1
            if not retry_here:
                self.report.retrying.append(claim.key)


def _take(uow: UnitOfWork, message_id: int, *, now: datetime, lease: timedelta) -> _Claim | None:
    """Claim the row with a lease (the caller commits before sending); None when it is not ours to send."""
    row = uow.outbox.claim_returning(message_id, now=now, until=now + lease)
    if row is None:
        return None
    key, kind, _recipient, payload, replaces_key, created_at = row
    replaces, wait = _replaced_delivery(uow, replaces_key)
    return _Claim(key, kind, dict(payload or {}), created_at, replaces, wait)


def _replaced_delivery(uow: UnitOfWork, replaces_key: str | None) -> tuple[Delivery | None, bool]:
    """The delivery a row updates, and whether it must wait because that one is not sent yet."""
    if not replaces_key:
        return None, False
    original = uow.outbox.get_by_key(replaces_key)
    if original is None or original.status == OutboxStatus.FAILED:
        return None, False
    if original.status == OutboxStatus.PENDING:
        return None, True
    if original.message_channel is None or original.message_ts is None:  # withdrawn before it went: a new message
        return None, False
    return Delivery(channel=original.message_channel, ts=original.message_ts), False


def _put_back(
    uow: UnitOfWork,
    message_id: int,
    *,
    now: datetime,
    delay: float | None,
    error: str,
    count: bool = True,
    backoff: Callable[[int], float] | None = None,
) -> None:
    """Put the row back for later, releasing the claim: after `delay` seconds, or the backoff when None."""
    message = uow.outbox.require(message_id)
    if count:
        message.attempts += 1
    if delay is None:
        delay = backoff(message.attempts) if backoff else min(2 ** max(message.attempts, 1), MAX_BACKOFF_SECONDS)
    message.next_attempt_at = now + timedelta(seconds=delay)
    message.claimed_until = None
    message.last_error = error[:500]
    log.info("outbox row %s will be retried in %ss: %s", message_id, delay, error)


def _fail(uow: UnitOfWork, message_id: int, *, now: datetime, error: str) -> None:
    """Fail the row for good, audit it, and tell the organisation's admins (never about their own reports)."""
    message = uow.outbox.require(message_id)
    message.status = OutboxStatus.FAILED
    message.attempts += 1
    message.claimed_until = None
    message.last_error = error
    uow.audit.record(
        action="delivery.failed",
        at=now,
        case_id=message.case_id,
        kind=message.kind,
        recipient=message.recipient,
        error=error,
    )
    if message.kind != NoticeKind.DELIVERY_FAILED:
        _report_to_admins(uow, message, error=error, now=now)
    log.warning("outbox row %s failed permanently: %s", message_id, error)


def _report_to_admins(uow: UnitOfWork, message: OutboxMessage, *, error: str, now: datetime) -> None:
    case = uow.cases.get(message.case_id) if message.case_id else None
    organisation = case.organisation if case else next(iter(uow.organisations.list()), None)
    if organisation is None:
        return
    admins = [a for a in (organisation.admins or []) if a] or [organisation.coordinator]
    payload = DeliveryFailed(
        kind=message.kind, recipient=message.recipient, error=error, reference=case.reference if case else None
    )
    for admin in dict.fromkeys(admins):
        uow.outbox.enqueue(
            key=notice_key(NoticeKind.DELIVERY_FAILED, message.id, admin),
            kind=NoticeKind.DELIVERY_FAILED,
            recipient=admin,
            now=now,
            case_id=message.case_id,
            payload=payload,
            platform=organisation.platform,
        )
