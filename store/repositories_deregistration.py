"""Repositories for deregistration (the post-deregistration meeting) and for retention (removing closed cases).

Every change of state is a conditional update that says whether it won; what is owed (the meeting in its window,
and its chase) is in the obligation ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from store.db import required, rowcount
from store.models import (
    AuditEvent,
    Base,
    Case,
    CaseStatus,
    Deregistration,
    DeregistrationStatus,
    Obligation,
    ObligationStatus,
)


class DeregistrationRepository:
    """Deregistrations of cases: the meeting's date and its outcome, and the windows missed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Deregistration) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, deregistration_id: int) -> Deregistration | None:
        """The row as the database has it now (not as this session last saw it)."""
        query = select(Deregistration).where(Deregistration.id == deregistration_id)
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def require(self, deregistration_id: int) -> Deregistration:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(deregistration_id), Deregistration, deregistration_id)

    def for_case(self, case_id: int) -> Sequence[Deregistration]:
        query = select(Deregistration).where(Deregistration.case_id == case_id).order_by(Deregistration.id)
        return self.session.scalars(query).all()

    def latest_for_case(self, case_id: int) -> Deregistration | None:
        query = select(Deregistration).where(Deregistration.case_id == case_id).order_by(Deregistration.id.desc())
        return self.session.scalars(query).first()

    def remember_messages(self, row: Deregistration, keys: Iterable[str]) -> None:
        """Replace the keys of the messages that carry this deregistration's buttons."""
        row.message_keys = list(dict.fromkeys(keys))

    # --- decisions --------------------------------------------------------------------------

    def set_meeting(self, row_id: int, *, at: datetime, by: str) -> bool:
        """Record the meeting's date while the deregistration is tracked."""
        statement = (
            update(Deregistration)
            .where(Deregistration.id == row_id, Deregistration.status == DeregistrationStatus.TRACKING)
            .values(meeting_at=at, meeting_set_by=by)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    def record_outcome(self, row_id: int, *, expected_count: int, status: str, **values: Any) -> bool:
        """Save an outcome unless one was saved since the form was opened (one winner per outcome)."""
        statement = (
            update(Deregistration)
            .where(
                Deregistration.id == row_id,
                Deregistration.status.in_(DeregistrationStatus.active()),
                Deregistration.outcome_count == expected_count,
            )
            .values(status=status, outcome_count=expected_count + 1, **values)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    def supersede(self, case_id: int, *, now: datetime) -> list[Deregistration]:
        """End the case's active deregistrations (the child is registered again); the rows it ended."""
        rows = [r for r in self.for_case(case_id) if r.status in DeregistrationStatus.active()]
        for row in rows:
            row.status, row.superseded_at = DeregistrationStatus.SUPERSEDED, now
        self.session.flush()
        return rows

    # --- for the coordinator's digest -----------------------------------------------------

    def missed_windows(self, *, organisation_id: int | None = None) -> Sequence[Deregistration]:
        """Windows that closed with no outcome recorded yet, oldest first (the coordinator's digest lists them)."""
        missed = select(Obligation.subject_id).where(
            Obligation.kind == "post_dereg_meeting",
            Obligation.subject_type == "deregistration",
            Obligation.status == ObligationStatus.OPEN,
            Obligation.stage.in_(("overdue", "breached")),
        )
        query = select(Deregistration).where(
            Deregistration.status == DeregistrationStatus.TRACKING, Deregistration.id.in_(missed)
        )
        if organisation_id is not None:
            query = query.where(
                Deregistration.case_id.in_(select(Case.id).where(Case.organisation_id == organisation_id))
            )
        return self.session.scalars(query.order_by(Deregistration.window_closes_on, Deregistration.id)).all()


class RetentionRepository:
    """Closed cases past their organisation's retention period, and their removal with everything they hold."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def closed_cases(self) -> Sequence[Case]:
        query = select(Case).where(Case.status == CaseStatus.CLOSED, Case.closed_at.is_not(None))
        return self.session.scalars(query.order_by(Case.closed_at, Case.reference)).all()

    def rows_for(self, case_ids: Sequence[int]) -> dict[str, int]:
        """How many rows each table holds for these cases, the cases themselves and their audit events included.

        Found from the schema, so another feature's new table is counted without a change here: a table with a
        foreign key to `case`, or to a table that has one (attendance -> meeting record -> case).
        """
        ids = list(case_ids)
        counts: dict[str, int] = {"case": len(ids)} if ids else {}
        if not ids:
            return counts
        for table in Base.metadata.sorted_tables:
            condition = _belongs_to(table, ids)
            if table.name == "case" or condition is None:
                continue
            found = self.session.scalar(select(func.count()).select_from(table).where(condition)) or 0
            if found:
                counts[table.name] = found
        return counts

    def remove(self, case_ids: Sequence[int]) -> None:
        """Delete the cases; the database cascades to every row that hangs off them (ON DELETE CASCADE).

        Their audit events are deleted here first: the audit keeps `case_id` with ON DELETE SET NULL (so an
        organisation-level event survives), and a removed case's trail must go with it.
        """
        ids = list(case_ids)
        if not ids:
            return
        self.session.execute(delete(AuditEvent).where(AuditEvent.case_id.in_(ids)))
        self.session.execute(delete(Case).where(Case.id.in_(ids)).execution_options(synchronize_session=False))


def references_to_case(table: Table):
    """The column of `table` that refers to `case.id`, if it has one."""
    return next((fk.parent for fk in table.foreign_keys if fk.column.table.name == "case"), None)


def _belongs_to(table: Table, ids: list[int]):
    """A WHERE clause selecting `table`'s rows of these cases, or None when the table is not a case's."""
    direct = references_to_case(table)
    if direct is not None:
        return direct.in_(ids)
    for fk in table.foreign_keys:
        parent = fk.column.table
        via = references_to_case(parent)
        if via is not None and fk.ondelete == "CASCADE":
            return fk.parent.in_(select(fk.column).where(via.in_(ids)))
    return None
