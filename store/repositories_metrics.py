"""The reads `GET /metrics` makes at scrape time: each one statement over an index, nothing personal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Obligation, ObligationStatus, OutboxMessage, OutboxStatus


class MetricsRepository:
    """Counts for monitoring: how much is waiting, and how much is late."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def pending_outbox(self) -> tuple[int, datetime | None]:
        """How many notices wait to be delivered, and when the oldest of them was written (None: none wait)."""
        # ix_outbox_status_next leads with status: only the pending rows are read, never the sent history.
        query = select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
        count, oldest = self.session.execute(query).one()
        return int(count or 0), oldest

    def overdue_obligations(self, *, now: datetime) -> dict[str, int]:
        """Open obligations past their overdue instant at `now`, counted by kind (kinds with none are absent)."""
        # By time, not by the stage the sweep last wrote: the figure stays true even if the sweep has stopped.
        query = (
            select(Obligation.kind, func.count())
            .where(Obligation.status == ObligationStatus.OPEN, Obligation.overdue_at <= now)
            .group_by(Obligation.kind)
        )
        return {kind: int(count) for kind, count in self.session.execute(query).all()}
