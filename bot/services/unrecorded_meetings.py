"""Meetings whose time has come and that have no record: the chair records them from the ledger's DM, or says
they did not take place (then the next meeting is owed again: a meeting not held never satisfies the cadence)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.errors import InvalidInputError
from bot.meetings import REASON_LIMIT
from bot.obligations import ObligationKind
from bot.services.meeting_plan import refresh_due
from bot.services.meeting_records import RecordForm, record_form
from bot.services.meetings import chair_case
from bot.services.obligations import discharge_obligation
from store.models import Meeting, MeetingStatus
from store.uow import UnitOfWork


def record_form_for(meeting_id: int, *, user: str, uow: UnitOfWork, now: datetime) -> RecordForm:
    """The record form on one meeting (the one a DM was about), for its chair or their delegate."""
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        raise InvalidInputError("That meeting no longer exists.")
    case = uow.cases.require(meeting.case_id)
    form = record_form(case.channel, user, uow=uow, now=now)
    chosen = [m for m in form.meetings if m.id == meeting_id]
    if not chosen:
        raise InvalidInputError(f"That meeting is {_words(meeting.status)}: there is nothing to record.")
    return replace(form, meetings=(*chosen, *(m for m in form.meetings if m.id != meeting_id)))


def meeting_for_not_held(meeting_id: int, *, user: str, uow: UnitOfWork, now: datetime) -> Meeting:
    """The meeting a chair may say did not take place (scheduled, its time come); says why not otherwise."""
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        raise InvalidInputError("That meeting no longer exists.")
    case = uow.cases.require(meeting.case_id)
    chair_case(case.channel, user, uow=uow, now=now, doing="say whether its meetings took place")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInputError(f"That meeting is {_words(meeting.status)}: nothing was changed.")
    if meeting.starts_at > now:
        raise InvalidInputError("That meeting has not started yet: move or cancel it with `/core-group schedule`.")
    return meeting


def record_not_held(*, uow: UnitOfWork, meeting_id: int, user: str, reason: str | None, now: datetime) -> Meeting:
    """The chair says a meeting did not take place: it is marked not held (with the reason), its record is no longer
    owed, and the case's next meeting is owed again (it goes overdue if its date has passed). The caller commits."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInputError("Say why the meeting did not take place.")
    if len(reason) > REASON_LIMIT:
        raise InvalidInputError(f"Keep the reason under {REASON_LIMIT} characters.")
    meeting = meeting_for_not_held(meeting_id, user=user, uow=uow, now=now)
    case, on_behalf_of = chair_case(
        uow.cases.require(meeting.case_id).channel, user, uow=uow, now=now, doing="say whether its meetings took place"
    )
    if not uow.meetings.set_status(
        meeting.id, expected=MeetingStatus.SCHEDULED, status=MeetingStatus.NOT_HELD, now=now, cancel_reason=reason
    ):
        raise InvalidInputError(f"That meeting is {_words(meeting.status)}: nothing was changed.")
    uow.meetings.cancel_pending_reminders(meeting.id)
    row = uow.obligations.find_open(kind=ObligationKind.MEETING_RECORD, subject_type="meeting", subject_id=meeting.id)
    if row is not None:
        discharge_obligation(uow=uow, row=row, by=user, now=now, on_behalf_of=on_behalf_of, outcome="not_held")
    # A meeting that did not take place never satisfies the cadence: the due period goes back to waiting
    # (or straight to flagged), and the meetings sweep flags it if its date has passed.
    refresh_due(uow, case, now=now)
    uow.audit.record(
        action="meeting.not_held",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        meeting_id=meeting.id,
        starts_at=meeting.starts_at.isoformat(),
        reason_length=len(reason),
    )
    return meeting


def _words(status: str) -> str:
    return {"held": "already recorded", "cancelled": "cancelled", "not_held": "marked as not having taken place"}.get(
        str(status), str(status)
    )
