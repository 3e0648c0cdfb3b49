"""Requests for an additional meeting: queries and the conditional updates that decide them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from store.db import required, rowcount
from store.models import Case, MeetingRequest, RequestStatus


class MeetingRequestRepository:
    """Requests for an additional meeting; every change of status is a conditional update."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: MeetingRequest) -> None:
        self.session.add(request)
        self.session.flush()

    def get(self, request_id: int) -> MeetingRequest | None:
        """The request as the database has it now (not as this session last saw it)."""
        query = select(MeetingRequest).where(MeetingRequest.id == request_id)
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def get_with_case(self, request_id: int) -> tuple[MeetingRequest, Case] | None:
        """The request as the database has it now, with its case and the case's organisation, in one statement."""
        query = (
            select(MeetingRequest, Case)
            .join(Case, Case.id == MeetingRequest.case_id)
            .options(joinedload(Case.organisation))
            .where(MeetingRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
        row = self.session.execute(query).first()
        return (row[0], row[1]) if row is not None else None

    def require(self, request_id: int) -> MeetingRequest:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(request_id), MeetingRequest, request_id)

    def for_case(self, case_id: int) -> Sequence[MeetingRequest]:
        query = (
            select(MeetingRequest)
            .where(MeetingRequest.case_id == case_id)
            .order_by(MeetingRequest.requested_at, MeetingRequest.id)
        )
        return self.session.scalars(query).all()

    def move(self, request_id: int, *, from_status: str, to_status: str, **values: Any) -> bool:
        """`UPDATE ... SET status = to_status WHERE id = ? AND status = from_status`; True for the one winner."""
        statement = (
            update(MeetingRequest)
            .where(MeetingRequest.id == request_id, MeetingRequest.status == from_status)
            .values(status=to_status, **values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1

    def set_meeting(self, request_id: int, meeting_id: int) -> None:
        statement = (
            update(MeetingRequest)
            .where(MeetingRequest.id == request_id)
            .values(meeting_id=meeting_id)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)

    # --- the ledger's steps (bot/services/request_chase.py): what was sent is kept on the request ----------

    def record_reminder(self, request_id: int, *, now: datetime, to: str) -> bool:
        """Note that a pending request's decider was reminded (and who got it); False once it was decided."""
        return self._while_pending(request_id, reminded_at=now, reminded_to=to)

    def record_escalation(self, request_id: int, *, now: datetime, to: str, on_behalf_of: str | None) -> bool:
        """Note where a pending request nobody decided in time went; False once it was decided."""
        return self._while_pending(request_id, escalated_at=now, escalated_to=to, escalated_on_behalf_of=on_behalf_of)

    def _while_pending(self, request_id: int, **values: Any) -> bool:
        statement = (
            update(MeetingRequest)
            .where(MeetingRequest.id == request_id, MeetingRequest.status == RequestStatus.PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self.session.execute(statement)) == 1
