"""Repositories for meetings: the meetings themselves, their reminders and due dates, records and actions.

The sweep's queries read only rows whose indexed due time has come (`status, due_at`-style indexes), and
claim them with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two sweeps at once take disjoint rows; every
change of state is a conditional update that says whether it won.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, selectinload

from store.db import required, rowcount
from store.models import (
    ActionStatus,
    Case,
    CaseRole,
    DueStatus,
    Meeting,
    MeetingAction,
    MeetingDue,
    MeetingMove,
    MeetingRecord,
    MeetingReminder,
    MeetingStatus,
    Organisation,
    ReminderStatus,
    Role,
)
from store.repositories import of_organisation


class SweepCase(NamedTuple):
    """What a sweeper needs of a case, read without building ORM objects for every role (the hot path)."""

    id: int
    reference: str
    channel: str
    status: str
    organisation: Organisation
    chair: str | None
    people: tuple[str, ...]  # everyone in the group with Slack, each once, in the order they were added


class MeetingRepository:
    """Core group meetings, their reminders and the date each case's next meeting is due by."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._scheduled: dict[int, list[Meeting]] | None = None

    # --- meetings -------------------------------------------------------------------------

    def add(self, meeting: Meeting) -> None:
        self.session.add(meeting)
        self.session.flush()

    def get(self, meeting_id: int) -> Meeting | None:
        return self.session.get(Meeting, meeting_id)

    def require(self, meeting_id: int) -> Meeting:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(meeting_id), Meeting, meeting_id)

    def add_move(self, move: MeetingMove) -> None:
        self.session.add(move)
        self.session.flush()

    def moves(self, meeting_id: int) -> list[MeetingMove]:
        """The meeting's moves, oldest first."""
        return list(
            self.session.scalars(
                select(MeetingMove).where(MeetingMove.meeting_id == meeting_id).order_by(MeetingMove.id)
            )
        )

    def get_many(self, ids: Iterable[int]) -> dict[int, Meeting]:
        ids = list(set(ids))
        if not ids:
            return {}
        return {m.id: m for m in self.session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}

    def sweep_cases(self, case_ids: Iterable[int]) -> dict[int, SweepCase]:
        """Many cases at once as `SweepCase`s: three queries whatever the number of cases or roles."""
        ids = list(set(case_ids))
        if not ids:
            return {}
        cases = self.session.execute(
            select(Case.id, Case.reference, Case.channel, Case.status, Case.organisation_id).where(Case.id.in_(ids))
        ).all()
        roles = self.session.execute(
            select(CaseRole.case_id, CaseRole.role, CaseRole.user_id)
            .where(CaseRole.case_id.in_(ids), CaseRole.user_id.is_not(None))
            .order_by(CaseRole.id)
        ).all()
        organisations = {
            o.id: o
            for o in self.session.scalars(
                select(Organisation).where(Organisation.id.in_({c.organisation_id for c in cases}))
            )
        }
        people: dict[int, dict[str, None]] = {}
        chairs: dict[int, str] = {}
        for case_id, role, user_id in roles:
            if user_id is None:  # the query leaves out roles without Slack
                continue
            people.setdefault(case_id, {})[user_id] = None
            if role == Role.CHAIR:
                chairs.setdefault(case_id, user_id)
        return {
            c.id: SweepCase(
                c.id,
                c.reference,
                c.channel,
                c.status,
                organisations[c.organisation_id],
                chairs.get(c.id),
                tuple(people.get(c.id, {})),
            )
            for c in cases
        }

    def next_for_case(self, case_id: int, *, now: datetime) -> Meeting | None:
        """The earliest scheduled meeting that has not started yet."""
        query = (
            select(Meeting)
            .where(Meeting.case_id == case_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at >= now)
            .order_by(Meeting.starts_at)
        )
        return self.session.scalars(query).first()

    def for_case(self, case_id: int) -> Sequence[Meeting]:
        query = select(Meeting).where(Meeting.case_id == case_id).order_by(Meeting.starts_at, Meeting.id)
        return self.session.scalars(query).all()

    def upcoming(self, case_id: int, *, now: datetime) -> Sequence[Meeting]:
        """Scheduled meetings that have not started, soonest first (the ones a chair may move or cancel)."""
        query = (
            select(Meeting)
            .where(Meeting.case_id == case_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now)
            .order_by(Meeting.starts_at, Meeting.id)
        )
        return self.session.scalars(query).all()

    def ready_to_record(self, case_id: int, *, now: datetime) -> Sequence[Meeting]:
        """Scheduled meetings whose time has come and that have no record yet, latest first."""
        query = (
            select(Meeting)
            .where(Meeting.case_id == case_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at <= now)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
        return self.session.scalars(query).all()

    def scheduled_for_cases(self, case_ids: Iterable[int]) -> dict[int, list[Meeting]]:
        """Each case's scheduled meetings, for many cases in one query (the sweep checks due dates in batches)."""
        ids = list(set(case_ids))
        found: dict[int, list[Meeting]] = {}
        if ids:
            query = select(Meeting).where(Meeting.case_id.in_(ids), Meeting.status == MeetingStatus.SCHEDULED)
            for meeting in self.session.scalars(query):
                found.setdefault(meeting.case_id, []).append(meeting)
        return found

    @contextlib.contextmanager
    def scheduled_known(self, case_ids: Iterable[int]) -> Iterator[None]:
        """Within it, `first_scheduled_by` answers for these cases from their scheduled meetings read here in one
        query (the sweep asks it for each meeting owed in a batch). For a batch that schedules no meeting meanwhile:
        one scheduled inside is not seen (one cancelled or moved is, as it is the same object)."""
        ids = list(set(case_ids))
        known: dict[int, list[Meeting]] = {i: [] for i in ids}
        if ids:
            query = select(Meeting).where(Meeting.case_id.in_(ids), Meeting.status == MeetingStatus.SCHEDULED)
            for meeting in self.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)):
                known[meeting.case_id].append(meeting)
        self._scheduled = known
        try:
            yield
        finally:
            self._scheduled = None

    def first_scheduled_by(self, case_id: int, *, until: datetime, since: datetime | None = None) -> Meeting | None:
        """The earliest scheduled meeting starting after `since` and no later than `until` (is a due date met?)."""
        if self._scheduled is not None and case_id in self._scheduled:
            return next(
                (
                    m
                    for m in sorted(self._scheduled[case_id], key=lambda m: m.starts_at)
                    if m.status == MeetingStatus.SCHEDULED
                    and m.starts_at <= until
                    and (since is None or m.starts_at > since)
                ),
                None,
            )
        query = select(Meeting).where(
            Meeting.case_id == case_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at <= until
        )
        if since is not None:
            query = query.where(Meeting.starts_at > since)
        return self.session.scalars(query.order_by(Meeting.starts_at)).first()

    def set_status(self, meeting_id: int, *, expected: str, status: str, now: datetime, **values) -> bool:
        """Move a meeting from `expected` to `status` (conditional update); True when this call did it."""
        statement = (
            update(Meeting)
            .where(Meeting.id == meeting_id, Meeting.status == expected)
            .values(status=status, updated_at=now, **values)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    # --- reminders ------------------------------------------------------------------------

    def reminder(
        self, meeting_id: int, working_days_before: int, meeting_starts_at: datetime
    ) -> MeetingReminder | None:
        query = select(MeetingReminder).where(
            MeetingReminder.meeting_id == meeting_id,
            MeetingReminder.working_days_before == working_days_before,
            MeetingReminder.meeting_starts_at == meeting_starts_at,
        )
        return self.session.scalars(query).first()

    def add_reminder(self, reminder: MeetingReminder) -> None:
        self.session.add(reminder)
        self.session.flush()

    def reminders_for(self, meeting_id: int) -> Sequence[MeetingReminder]:
        query = select(MeetingReminder).where(MeetingReminder.meeting_id == meeting_id).order_by(MeetingReminder.due_at)
        return self.session.scalars(query).all()

    def cancel_pending_reminders(self, meeting_id: int) -> int:
        """Stop every reminder of a meeting that has not gone yet; how many were stopped."""
        statement = (
            update(MeetingReminder)
            .where(MeetingReminder.meeting_id == meeting_id, MeetingReminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement))

    def claim_due_reminders(self, *, now: datetime, limit: int) -> Sequence[MeetingReminder]:
        """Pending reminders due by `now`, locked for this transaction (others skip them on PostgreSQL)."""
        query = (
            select(MeetingReminder)
            .where(MeetingReminder.status == ReminderStatus.PENDING, MeetingReminder.due_at <= now)
            .order_by(MeetingReminder.due_at, MeetingReminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self.session.scalars(query).all()

    def finish_reminders(self, ids: Sequence[int], *, status: str, now: datetime) -> set[int]:
        """Move pending reminders to `status`; the ids this call moved (a rival sweep's are left out)."""
        if not ids:
            return set()
        statement = (
            update(MeetingReminder)
            .where(MeetingReminder.id.in_(ids), MeetingReminder.status == ReminderStatus.PENDING)
            .values(status=status, sent_at=now)
            .returning(MeetingReminder.id)
            .execution_options(synchronize_session=False)
        )
        return set(self.session.scalars(statement).all())

    # --- due dates --------------------------------------------------------------------------

    def add_due(self, due: MeetingDue) -> None:
        self.session.add(due)
        self.session.flush()

    def current_due(self, case_id: int) -> MeetingDue | None:
        """The case's due row still waiting for a meeting record (at most one)."""
        query = (
            select(MeetingDue)
            .where(MeetingDue.case_id == case_id, MeetingDue.status.in_(DueStatus.current()))
            .order_by(MeetingDue.id.desc())
        )
        return self.session.scalars(query).first()

    def get_due(self, due_id: int) -> MeetingDue | None:
        return self.session.get(MeetingDue, due_id)

    def dues_for(self, case_id: int) -> Sequence[MeetingDue]:
        return self.session.scalars(
            select(MeetingDue).where(MeetingDue.case_id == case_id).order_by(MeetingDue.id)
        ).all()

    def overdue(
        self, *, organisation_case_ids: Sequence[int] | None = None, organisation_id: int | None = None
    ) -> Sequence[MeetingDue]:
        """Flagged (due and not scheduled) and late (held after the due date) rows, for the coordinator's digest.

        `organisation_id` narrows them with a join (cheap however many cases); `organisation_case_ids` with a list.
        """
        query = select(MeetingDue).where(MeetingDue.status.in_((DueStatus.FLAGGED, DueStatus.LATE)))
        if organisation_id is not None:
            query = query.join(Case, Case.id == MeetingDue.case_id).where(Case.organisation_id == organisation_id)
        if organisation_case_ids is not None:
            query = query.where(MeetingDue.case_id.in_(organisation_case_ids))
        return self.session.scalars(query.order_by(MeetingDue.due_on, MeetingDue.id)).all()

    def held_late(self, *, organisation_id: int | Sequence[int], since: datetime) -> Sequence[MeetingDue]:
        """Periods whose meeting was held after the due date, resolved since `since` (the digest's recent ones), in
        these organisations' cases: found by their own partial index (literal, so both planners use it)."""
        query = (
            select(MeetingDue)
            .join(Case, Case.id == MeetingDue.case_id)
            .where(
                text("meeting_due.status = 'late'"), MeetingDue.resolved_at >= since, of_organisation(organisation_id)
            )
        )
        return self.session.scalars(query.order_by(MeetingDue.due_on, MeetingDue.id)).all()


class MeetingRecordRepository:
    """Meeting records with their attendance and actions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _query(self):
        return select(MeetingRecord).options(
            selectinload(MeetingRecord.attendance), selectinload(MeetingRecord.actions)
        )

    def add(self, record: MeetingRecord) -> None:
        self.session.add(record)
        self.session.flush()

    def get(self, record_id: int) -> MeetingRecord | None:
        return self.session.scalars(self._query().where(MeetingRecord.id == record_id)).first()

    def require(self, record_id: int) -> MeetingRecord:
        """Like `get`, for one the caller knows exists."""
        return required(self.get(record_id), MeetingRecord, record_id)

    def for_meeting(self, meeting_id: int) -> MeetingRecord | None:
        return self.session.scalars(self._query().where(MeetingRecord.meeting_id == meeting_id)).first()

    def for_case(self, case_id: int) -> Sequence[MeetingRecord]:
        query = self._query().where(MeetingRecord.case_id == case_id).order_by(MeetingRecord.held_at)
        return self.session.scalars(query).all()

    def latest_for_case(self, case_id: int) -> MeetingRecord | None:
        query = self._query().where(MeetingRecord.case_id == case_id).order_by(MeetingRecord.held_at.desc())
        return self.session.scalars(query).first()

    # --- actions ----------------------------------------------------------------------------

    def get_action(self, action_id: int) -> MeetingAction | None:
        return self.session.get(MeetingAction, action_id)

    def require_action(self, action_id: int) -> MeetingAction:
        """Like `get_action`, for one the caller knows exists."""
        return required(self.get_action(action_id), MeetingAction, action_id)

    def actions_for_case(self, case_id: int) -> Sequence[MeetingAction]:
        """Every action of the case, open or settled, soonest due first."""
        query = (
            select(MeetingAction)
            .where(MeetingAction.case_id == case_id)
            .order_by(MeetingAction.due_on, MeetingAction.id)
        )
        return self.session.scalars(query).all()

    def settle_action(
        self,
        action_id: int,
        *,
        status: str,
        now: datetime,
        by: str,
        on_behalf_of: str | None,
        reason: str | None = None,
    ) -> bool:
        """Mark an open action done or closed (conditional update); True when this call did it."""
        statement = (
            update(MeetingAction)
            .where(MeetingAction.id == action_id, MeetingAction.status == ActionStatus.OPEN)
            .values(status=status, done_at=now, done_by=by, done_on_behalf_of=on_behalf_of, closed_reason=reason)
            .execution_options(synchronize_session="fetch")
        )
        return rowcount(self.session.execute(statement)) == 1

    def actions_due_by(self, case_id: int, *, on: date) -> Sequence[MeetingAction]:
        query = select(MeetingAction).where(
            MeetingAction.case_id == case_id, MeetingAction.status == ActionStatus.OPEN, MeetingAction.due_on <= on
        )
        return self.session.scalars(query).all()
