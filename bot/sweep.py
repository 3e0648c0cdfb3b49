"""The sweep: one pass that finds everything due at `now` and enqueues its notices.

Each feature contributes a sweeper; every sweeper must be safe to run twice or in two processes
at once (idempotency keys on the outbox, conditional updates on its own rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from store.uow import UnitOfWorkFactory

#: A sweeper: `fn(*, uow_factory, now) -> number of notices enqueued`.
Sweeper = Callable[..., int]


def sweepers() -> list[tuple[str, Sweeper]]:
    """Every feature's sweeper, in the order they run (imported here so `bot.sweep` stays import-light)."""
    from bot.services.digest import send_daily_digests
    from bot.services.meeting_sweep import (
        sweep_meeting_reminders,
    )
    from bot.services.obligation_sweep import sweep_obligations

    return [
        ("meeting reminders", sweep_meeting_reminders),
        ("obligations", sweep_obligations),  # the ledger: every kind switched to it (bot/services/obligation_sweep.py)
        ("coordinator digest", send_daily_digests),  # last: it reports what the sweepers before it left
    ]


#: How long the ids of handled Slack events and forms are kept. Slack retries within minutes, and a request signed more
#: than 5 minutes ago is refused (bot/http_guard.py), so an id older than that can never come back: a day is plenty.
HANDLED_IDS_KEPT = timedelta(days=1)


@dataclass
class SweepReport:
    """How many notices each sweeper enqueued, and how many handled ids were forgotten."""

    enqueued: dict[str, int] = field(default_factory=dict)
    forgotten: int = 0

    @property
    def total(self) -> int:
        return sum(self.enqueued.values())


def sweep(*, uow_factory: UnitOfWorkFactory, now: datetime) -> SweepReport:
    """Run every sweeper at `now`."""
    if now.tzinfo is None:
        raise ValueError("sweep needs a tz-aware `now`")
    report = SweepReport()
    for name, sweeper in sweepers():
        report.enqueued[name] = sweeper(uow_factory=uow_factory, now=now)
    report.forgotten = forget_handled_ids(uow_factory=uow_factory, now=now)
    return report


def forget_handled_ids(*, uow_factory: UnitOfWorkFactory, now: datetime) -> int:
    """Forget the Slack event and view ids handled more than `HANDLED_IDS_KEPT` ago (else they are kept forever)."""
    cutoff = now - HANDLED_IDS_KEPT
    with uow_factory() as uow:
        forgotten = uow.events.forget_before(cutoff) + uow.views.forget_before(cutoff)
        uow.commit()
    return forgotten
