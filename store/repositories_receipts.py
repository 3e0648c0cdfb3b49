"""Repositories for plan copies and the CP9: conditional updates and the digest's queries.

People's clicks are conditional updates from the status they expect (their deadlines are chased by the ledger of
obligations). The digest's queries read `(status, due_at)` indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from store.db import required, rowcount
from store.models import Case, CopyStatus, Cp9, Cp9Status, Organisation, PlanCopy, PlanReceipt


@dataclass(frozen=True)
class OverduePlanCopy:
    """A copy of the plan not received (or, without Slack, not sent) by its deadline: for the digest."""

    case_id: int
    reference: str
    record_id: int
    copy_id: int
    user_id: str | None
    label: str | None
    due_on: date
    days_overdue: int
    sent_on: date | None  # sent but not confirmed


@dataclass(frozen=True)
class OverdueCp9:
    """A CP9 not sent by its effective deadline: for the digest."""

    case_id: int
    reference: str
    record_id: int
    cp9_id: int
    form_name: str
    nominal_due_on: date
    due_on: date
    days_overdue: int


def _local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def _incomplete():
    """Copies still owed: not sent, or sent to a Slack user who has not confirmed."""
    return or_(
        PlanCopy.status == CopyStatus.PENDING,
        and_(PlanCopy.status == CopyStatus.SENT, PlanCopy.user_id.is_not(None)),
    )


_COPIES = (selectinload(PlanReceipt.copies),)


class PlanReceiptRepository:
    """Plan distributions after meetings and the copies in them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _query(self):
        return select(PlanReceipt).options(selectinload(PlanReceipt.copies))

    def add(self, receipt: PlanReceipt) -> None:
        self.session.add(receipt)
        self.session.flush()

    def get(self, receipt_id: int) -> PlanReceipt | None:
        """The receipt and its copies as the database has them now."""
        query = self._query().where(PlanReceipt.id == receipt_id).execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def require(self, receipt_id: int) -> PlanReceipt:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(receipt_id), PlanReceipt, receipt_id)

    def for_record(self, record_id: int) -> PlanReceipt | None:
        return self.session.scalars(self._query().where(PlanReceipt.record_id == record_id)).first()

    def latest_for_case(self, case_id: int) -> PlanReceipt | None:
        """The distribution of the case's latest recorded meeting."""
        query = (
            self._query()
            .where(PlanReceipt.case_id == case_id)
            .order_by(PlanReceipt.held_on.desc(), PlanReceipt.id.desc())
        )
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def get_many(self, ids) -> dict[int, PlanReceipt]:
        """Several receipts by id in one query (the sweep loads only those with something due)."""
        ids = list(set(ids))
        if not ids:
            return {}
        return {r.id: r for r in self.session.scalars(self._query().where(PlanReceipt.id.in_(ids)))}

    def known(self, receipt_id: int) -> PlanReceipt | None:
        """The receipt with its copies, from the session when this unit of work read it already (the sweep's batch
        reads its receipts at once), else from the database."""
        return self.session.get(PlanReceipt, receipt_id, options=_COPIES)

    def known_copy(self, copy_id: int) -> PlanCopy | None:
        """The copy, from the session when this unit of work read it already, else from the database."""
        return self.session.get(PlanCopy, copy_id)

    def get_copy(self, copy_id: int) -> PlanCopy | None:
        query = select(PlanCopy).where(PlanCopy.id == copy_id).execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def require_copy(self, copy_id: int) -> PlanCopy:
        """Like `get_copy`, for one the caller knows exists."""
        return required(self.get_copy(copy_id), PlanCopy, copy_id)

    # --- people's steps: conditional updates ---------------------------------------------------

    def mark_sent(
        self,
        copy_ids: Sequence[int],
        *,
        now: datetime,
        sent_on: date,
        how: str | None,
        by: str,
        on_behalf_of: str | None,
    ) -> set[int]:
        """Mark unsent copies sent; the ids this call marked."""
        if not copy_ids:
            return set()
        statement = (
            update(PlanCopy)
            .where(PlanCopy.id.in_(copy_ids), PlanCopy.status == CopyStatus.PENDING)
            .values(
                status=CopyStatus.SENT,
                sent_at=now,
                sent_on=sent_on,
                sent_how=how,
                sent_by=by,
                sent_on_behalf_of=on_behalf_of,
            )
            .returning(PlanCopy.id)
            .execution_options(synchronize_session=False)
        )
        return set(self.session.scalars(statement).all())

    def confirm(self, copy_id: int, *, user: str, now: datetime) -> bool:
        """The recipient confirms a sent copy; True for the one click that did it."""
        statement = (
            update(PlanCopy)
            .where(PlanCopy.id == copy_id, PlanCopy.user_id == user, PlanCopy.status == CopyStatus.SENT)
            .values(status=CopyStatus.RECEIVED, received_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1

    def remember_messages(self, row: PlanReceipt | PlanCopy, *keys: str) -> None:
        """Remember messages that carry a button, to update them in place once it is spent."""
        known = list(row.message_keys or [])
        row.message_keys = [*known, *(k for k in keys if k not in known)]

    # --- the coordinator's digest ------------------------------------------------------------------

    def overdue_copies(self, *, now: datetime, organisation_id: int | None = None) -> list[OverduePlanCopy]:
        """Copies still owed after their deadline, oldest deadline first, with the case and days overdue."""
        query = (
            select(PlanCopy, PlanReceipt.due_on, PlanReceipt.record_id, Case.reference, Organisation.timezone)
            .join(PlanReceipt, PlanReceipt.id == PlanCopy.receipt_id)
            .join(Case, Case.id == PlanCopy.case_id)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(PlanCopy.status.in_((CopyStatus.PENDING, CopyStatus.SENT)), PlanCopy.due_at < now, _incomplete())
            .order_by(PlanCopy.due_at, PlanCopy.id)
        )
        if organisation_id is not None:
            query = query.where(Case.organisation_id == organisation_id)
        return [
            OverduePlanCopy(
                case_id=copy.case_id,
                reference=reference,
                record_id=record_id,
                copy_id=copy.id,
                user_id=copy.user_id,
                label=copy.label,
                due_on=due_on,
                days_overdue=(_local_today(now, tz) - due_on).days,
                sent_on=copy.sent_on,
            )
            for copy, due_on, record_id, reference, tz in self.session.execute(query).all()
        ]


class Cp9Repository:
    """The CP9 of each meeting record."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, cp9: Cp9) -> None:
        self.session.add(cp9)
        self.session.flush()

    def known(self, cp9_id: int) -> Cp9 | None:
        """The CP9, from the session when this unit of work read it already (the sweep's batch), else the database."""
        return self.session.get(Cp9, cp9_id)

    def get(self, cp9_id: int) -> Cp9 | None:
        """The CP9 as the database has it now."""
        query = select(Cp9).where(Cp9.id == cp9_id).execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def require(self, cp9_id: int) -> Cp9:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(cp9_id), Cp9, cp9_id)

    def for_record(self, record_id: int) -> Cp9 | None:
        return self.session.scalars(select(Cp9).where(Cp9.record_id == record_id)).first()

    def latest_for_case(self, case_id: int) -> Cp9 | None:
        query = select(Cp9).where(Cp9.case_id == case_id).order_by(Cp9.held_on.desc(), Cp9.id.desc())
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    # --- people's steps ---------------------------------------------------------------------------

    def mark_sent(
        self, cp9_id: int, *, now: datetime, sent_on: date, note: str | None, by: str, on_behalf_of: str | None
    ) -> bool:
        """The chair marks a pending CP9 sent; True for the one that did."""
        statement = (
            update(Cp9)
            .where(Cp9.id == cp9_id, Cp9.status == Cp9Status.PENDING)
            .values(
                status=Cp9Status.SENT,
                sent_at=now,
                sent_on=sent_on,
                sent_note=note,
                sent_by=by,
                sent_on_behalf_of=on_behalf_of,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1

    def mark_received(self, cp9_id: int, *, now: datetime, by: str, on_behalf_of: str | None) -> bool:
        """The coordinator marks a CP9 received (sent or not yet marked sent); True for the one that did."""
        statement = (
            update(Cp9)
            .where(Cp9.id == cp9_id, Cp9.status.in_((Cp9Status.PENDING, Cp9Status.SENT)))
            .values(status=Cp9Status.RECEIVED, received_at=now, received_by=by, received_on_behalf_of=on_behalf_of)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1

    def remember_messages(self, cp9: Cp9, *, chair: tuple[str, ...] = (), coordinator: tuple[str, ...] = ()) -> None:
        """Remember messages that carry a button, to update them in place once it is spent."""
        known_chair, known_coordinator = list(cp9.chair_message_keys or []), list(cp9.coordinator_message_keys or [])
        cp9.chair_message_keys = [*known_chair, *(k for k in chair if k not in known_chair)]
        cp9.coordinator_message_keys = [*known_coordinator, *(k for k in coordinator if k not in known_coordinator)]

    # --- the coordinator's digest ------------------------------------------------------------------

    def overdue(self, *, now: datetime, organisation_id: int | None = None) -> list[OverdueCp9]:
        """CP9s not sent by their effective deadline, oldest first, with the case and days overdue."""
        query = (
            select(Cp9, Case.reference, Organisation.timezone)
            .join(Case, Case.id == Cp9.case_id)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(Cp9.status == Cp9Status.PENDING, Cp9.due_at < now)
            .order_by(Cp9.due_at, Cp9.id)
        )
        if organisation_id is not None:
            query = query.where(Case.organisation_id == organisation_id)
        return [
            OverdueCp9(
                case_id=cp9.case_id,
                reference=reference,
                record_id=cp9.record_id,
                cp9_id=cp9.id,
                form_name=cp9.form_name,
                nominal_due_on=cp9.nominal_due_on,
                due_on=cp9.due_on,
                days_overdue=(_local_today(now, tz) - cp9.due_on).days,
            )
            for cp9, reference, tz in self.session.execute(query).all()
        ]

    def due(self, *, now: datetime, until: datetime, organisation_id: int | None = None) -> Sequence[Cp9]:
        """CP9s still pending whose deadline falls between now and `until` (due soon, for the digest)."""
        query = (
            select(Cp9)
            .join(Case, Case.id == Cp9.case_id)
            .where(Cp9.status == Cp9Status.PENDING, Cp9.due_at >= now, Cp9.due_at <= until)
            .order_by(Cp9.due_at, Cp9.id)
        )
        if organisation_id is not None:
            query = query.where(Case.organisation_id == organisation_id)
        return self.session.scalars(query).all()
