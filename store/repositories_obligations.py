"""The ledger's repository: open (idempotent), discharge and waive (once), claim what is due, advance by
compare-and-set, and the reads the digest, the Home tab and status need.

Every change is one conditional statement that says whether it won: a second process, a double click or a
sweep run twice changes nothing twice. The sweep's claim uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
sweeps at once take disjoint rows; SQLite serialises writers, and the compare-and-set in `advance` is the guard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import inspect, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from store.bulk import json_rows
from store.db import required, rowcount, table_of
from store.models import (
    FEW_KINDS,
    FEW_WHERE,
    Base,
    Case,
    CaseStatus,
    Obligation,
    ObligationStatus,
    OutboxMessage,
    OutboxStatus,
)
from store.repositories import of_organisation

_KEY = ("kind", "subject_type", "subject_id", "recipient")
# A literal, not a bound parameter: PostgreSQL must prove the ON CONFLICT predicate implies the partial index's,
# which it cannot for a parameter once psycopg has prepared the statement (after five runs).
_OPEN = text("status = 'open'")
# Qualified (the digest joins the case, which has a status too) and literal: the planners match them to the partial
# indexes (ix_obligation_overdue, ix_obligation_open_stage), which they cannot do for bound parameters.
_OVERDUE = text("obligation.status = 'open' AND obligation.stage IN ('overdue', 'breached')")
_NOT_OVERDUE = text("obligation.status = 'open' AND obligation.stage IN ('pending', 'reminded')")
_FEW = text(FEW_WHERE.replace("status", "obligation.status").replace("kind IN", "obligation.kind IN"))

Row = TypeVar("Row", bound=Base)

#: What a step in `advance_many` compares, not what it writes.
_EXPECTED = frozenset({"generation", "expected_stage", "expected_step_at"})


class ObligationRepository:
    """Rows of the ledger."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open(self, **values: Any) -> int | None:
        """Insert an open obligation unless the same one (kind, subject, recipient) is open; its id when inserted."""
        values = {
            "recipient": "",
            "stage": "pending",
            "reminders_sent": 0,
            "notice_keys": [],
            "generation": 1,
            "status": ObligationStatus.OPEN,
            **values,
        }
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(Obligation)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(_KEY), index_where=_OPEN)
            .returning(Obligation.id)
        )
        return self.session.execute(statement).scalar()

    def get(self, obligation_id: int) -> Obligation | None:
        return self.session.get(Obligation, obligation_id)

    def require(self, obligation_id: int) -> Obligation:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(obligation_id), Obligation, obligation_id)

    def find_open(self, *, kind: str, subject_type: str, subject_id: int, recipient: str = "") -> Obligation | None:
        query = select(Obligation).where(
            Obligation.kind == kind,
            Obligation.subject_type == subject_type,
            Obligation.subject_id == subject_id,
            Obligation.recipient == recipient,
            Obligation.status == ObligationStatus.OPEN,
        )
        return self.session.scalars(query).first()

    def discharge(self, obligation_id: int, *, by: str, now: datetime) -> bool:
        """Mark an open obligation discharged (once); True when this call did it."""
        return self._close(obligation_id, status=ObligationStatus.DISCHARGED, discharged_by=by, discharged_at=now)

    def waive(self, obligation_id: int, *, by: str, reason: str, now: datetime) -> bool:
        """Mark an open obligation waived, with why (once); True when this call did it."""
        return self._close(
            obligation_id, status=ObligationStatus.WAIVED, waived_by=by, waived_at=now, waive_reason=reason
        )

    def _close(self, obligation_id: int, **values: Any) -> bool:
        statement = (
            update(Obligation)
            .where(Obligation.id == obligation_id, Obligation.status == ObligationStatus.OPEN)
            .values(next_step_at=None, **values)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    def withdraw_notices(self, key_prefix: str, *, case_id: int) -> int:
        """Withdraw the case's unsent, unclaimed notices whose key starts with `key_prefix`; how many.

        A chase enqueued by the sweep but not sent when its obligation is discharged (or moved) never goes; one
        already claimed by the dispatcher is in flight and may still go (at least once, as everywhere).
        """
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.case_id == case_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.claimed_until.is_(None),
                OutboxMessage.idempotency_key.startswith(key_prefix),
            )
            .values(status=OutboxStatus.WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement))

    def retime(self, obligation_id: int, *, generation: int, **values: Any) -> bool:
        """Move an open obligation's due date and ladder (a new generation: steps of the old one are void)."""
        statement = (
            update(Obligation)
            .where(
                Obligation.id == obligation_id,
                Obligation.status == ObligationStatus.OPEN,
                Obligation.generation == generation,
            )
            .values(generation=generation + 1, **values)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    def claim_due(self, *, now: datetime, limit: int) -> Sequence[Obligation]:
        """Open rows whose next step has come, oldest first, locked for this transaction (others skip them)."""
        query = (
            select(Obligation)
            .where(Obligation.status == ObligationStatus.OPEN, Obligation.next_step_at <= now)
            .order_by(Obligation.next_step_at, Obligation.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self.session.scalars(query).all()

    def advance(
        self,
        obligation_id: int,
        *,
        stage: str,
        generation: int,
        expected_stage: str,
        expected_step_at: datetime | None,
        **values: Any,
    ) -> bool:
        """Take one step (compare-and-set on stage, generation and next step time); True when this call took it."""
        table = table_of(Obligation)
        statement = (
            update(table)
            .where(
                table.c.id == obligation_id,
                table.c.status == ObligationStatus.OPEN,
                table.c.stage == expected_stage,
                table.c.generation == generation,
                table.c.next_step_at == expected_step_at,
            )
            .values(stage=stage, **values)
        )
        return rowcount(self.session.execute(statement)) == 1

    def advance_many(self, rows: Sequence[Obligation], steps: Sequence[dict[str, Any]]) -> set[int]:
        """Take many steps at once, each a compare-and-set as `advance` (its keyword arguments, for the row at the same
        place in `rows`); the ids of the rows whose step this call took, their objects updated to match.

        One `UPDATE ... FROM` the steps (sent as one JSON parameter) `RETURNING` the rows it changed, per shape of
        step (which columns it writes): a batch of the sweep costs a statement or two, not one per row, and says
        exactly which steps it took.
        """
        table = table_of(Obligation)
        shapes: dict[tuple[str, ...], list[int]] = {}
        for i, step in enumerate(steps):
            shapes.setdefault(tuple(sorted(k for k in step if k not in _EXPECTED)), []).append(i)
        won: set[int] = set()
        for shape, places in shapes.items():
            types = {"x_id": table.c.id.type, "x_stage": table.c.stage.type, "x_generation": table.c.generation.type}
            types["x_step_at"] = table.c.next_step_at.type
            types.update({f"v_{name}": table.c[name].type for name in shape})
            source = json_rows(
                self.session,
                [
                    {
                        "x_id": rows[i].id,
                        "x_stage": steps[i]["expected_stage"],
                        "x_generation": steps[i]["generation"],
                        "x_step_at": steps[i]["expected_step_at"],
                        **{f"v_{name}": steps[i][name] for name in shape},
                    }
                    for i in places
                ],
                types,
            )
            statement = (
                update(table)
                .where(
                    table.c.id == source["x_id"],
                    table.c.status == ObligationStatus.OPEN,
                    table.c.stage == source["x_stage"],
                    table.c.generation == source["x_generation"],
                    table.c.next_step_at.is_not_distinct_from(source["x_step_at"]),
                )
                .values({name: source[f"v_{name}"] for name in shape})
                .returning(table.c.id)
            )
            taken = set(self.session.scalars(statement))
            for i in places:
                if rows[i].id in taken:  # what the statement wrote, without reading the row back
                    for name in shape:
                        set_committed_value(rows[i], name, steps[i][name])
            won |= taken
        return won

    def reload(self, row: Obligation) -> None:
        """Read a row again after a conditional update changed it behind the session's back."""
        self.session.refresh(row)

    def is_live(self, obligation_id: int, *, generation: int) -> bool:
        """True while the obligation is open at this generation (the dispatcher's check before sending)."""
        query = select(Obligation.id).where(
            Obligation.id == obligation_id,
            Obligation.generation == generation,
            Obligation.status == ObligationStatus.OPEN,
        )
        return self.session.scalar(query) is not None

    def last_stepped_at(self, obligation_id: int) -> datetime | None:
        """When the row last took a step, as stored now (the sweep's own row object is not refreshed by `advance`)."""
        return self.session.scalar(select(Obligation.last_step_at).where(Obligation.id == obligation_id))

    def open_for_subject(self, subject_type: str, subject_id: int) -> Sequence[Obligation]:
        """Everything still owed about one subject (every kind and recipient)."""
        query = (
            select(Obligation)
            .where(
                Obligation.subject_type == subject_type,
                Obligation.subject_id == subject_id,
                Obligation.status == ObligationStatus.OPEN,
            )
            .order_by(Obligation.id)
        )
        return self.session.scalars(query).all()

    def open_for_case(self, case_id: int) -> Sequence[Obligation]:
        query = (
            select(Obligation)
            .where(Obligation.case_id == case_id, Obligation.status == ObligationStatus.OPEN)
            .order_by(Obligation.due_at, Obligation.id)
        )
        return self.session.scalars(query).all()

    def for_case(self, case_id: int) -> Sequence[Obligation]:
        query = select(Obligation).where(Obligation.case_id == case_id).order_by(Obligation.id)
        return self.session.scalars(query).all()

    def open_for_owner(self, owner: str) -> Sequence[Obligation]:
        """What waits on one person, soonest due first."""
        query = (
            select(Obligation)
            .where(Obligation.owner == owner, Obligation.status == ObligationStatus.OPEN)
            .order_by(Obligation.due_at, Obligation.id)
        )
        return self.session.scalars(query).all()

    def overdue_for_organisation(
        self,
        organisation_id: int | Sequence[int],
        *,
        stages: Sequence[str] = ("overdue", "breached"),
        kinds: Sequence[str] | None = None,
    ) -> Sequence[Obligation]:
        """Open rows overdue or breached (or at those of `stages`) in the organisation's (or organisations') cases not
        closed, oldest due first (the digest): driven by the partial index of overdue rows, however many are owed."""
        overdue = [s for s in stages if s in ("overdue", "breached")]
        if not overdue:
            return []
        query = self._in_organisation(organisation_id, kinds).where(_OVERDUE, Obligation.stage.in_(overdue))
        return self.session.scalars(query.order_by(Obligation.due_at, Obligation.id)).all()

    def due_soon_for_organisation(
        self, organisation_id: int | Sequence[int], *, until: datetime, kinds: Sequence[str] | None = None
    ) -> Sequence[Obligation]:
        """Open rows not overdue yet and due before `until` in the organisations' cases not closed, soonest first."""
        query = self._in_organisation(organisation_id, kinds).where(_NOT_OVERDUE, Obligation.due_at < until)
        return self.session.scalars(query.order_by(Obligation.due_at, Obligation.id)).all()

    def open_of_kinds_for_organisation(
        self, organisation_id: int | Sequence[int], *, kinds: Sequence[str]
    ) -> Sequence[Obligation]:
        """Every open row of these kinds (at any stage, each one of FEW_KINDS) in the organisations' cases not closed, oldest due first: for
        kinds whose rows are few (letters, referrals, decisions), listed from the moment they are owed."""
        if not set(kinds) <= set(FEW_KINDS):
            raise ValueError(f"kinds listed at any stage must be few (store.models.obligations.FEW_KINDS): {kinds}")
        if not kinds:
            return []
        query = self._in_organisation(organisation_id, kinds).where(_FEW)
        return self.session.scalars(query.order_by(Obligation.due_at, Obligation.id)).all()

    def count_cases_overdue(self, organisation_id: int, *, kinds: Sequence[str] | None = None) -> int:
        """How many of the organisation's open cases have something overdue or breached."""
        return self.count_cases_overdue_by_organisation([organisation_id], kinds=kinds).get(organisation_id, 0)

    def count_cases_overdue_by_organisation(
        self, organisation_ids: Sequence[int], *, kinds: Sequence[str] | None = None
    ) -> dict[int, int]:
        """How many open cases of each organisation have something overdue or breached (two statements for all)."""
        # Two steps, not one join: SQLite has no histograms, so joined to the cases it walked every case of the
        # organisations (100 ms at 50,000) even with nothing overdue; and no DISTINCT, which it would rather get from
        # walking the index on case_id (16 ms). So the overdue rows come from their own index, deduplicated here.
        owed = select(Obligation.case_id).where(_OVERDUE)
        if kinds is not None:
            owed = owed.where(Obligation.kind.in_(list(kinds)))
        case_ids = list(set(self.session.scalars(owed)))
        if not case_ids:
            return {}
        cases = select(Case.organisation_id).where(
            Case.id.in_(case_ids), Case.status == CaseStatus.OPEN, Case.organisation_id.in_(list(organisation_ids))
        )
        return dict(Counter(self.session.scalars(cases)))

    def _in_organisation(self, organisation_id: int | Sequence[int], kinds: Sequence[str] | None):
        # Each row's case is found by its key: the cost is what is owed, not how many cases the organisation has.
        query = (
            select(Obligation)
            .join(Case, Case.id == Obligation.case_id)
            .where(of_organisation(organisation_id), Case.status != CaseStatus.CLOSED)
        )
        return query if kinds is None else query.where(Obligation.kind.in_(list(kinds)))

    def subjects(self, model: type[Row], ids: Iterable[int]) -> dict[int, Row]:
        """The feature rows some obligations are about (`subject_id`s), by id, in one query (the digest's lines)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        key = inspect(model).primary_key[0]
        return {i: row for i, row in self.session.execute(select(key, model).where(key.in_(wanted)))}
