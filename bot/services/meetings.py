"""Use cases for meetings: schedule one, and the notices that go with it."""

from __future__ import annotations

from datetime import datetime

from bot.errors import InvalidInputError
from bot.notices import NoticeKind, notice_key
from store.models import Case, Meeting, MeetingKind, MeetingStatus
from store.uow import UnitOfWork


def schedule_meeting(
    *,
    uow: UnitOfWork,
    case: Case,
    starts_at: datetime,
    actor: str,
    now: datetime,
    kind: str = MeetingKind.REGULAR,
    mode: str = "in_person",
    note: str | None = None,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> Meeting:
    """Save a scheduled meeting, audit it and tell the case channel; the caller commits."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be tz-aware")
    if starts_at <= now:
        raise InvalidInputError("That date and time has already passed. Choose a time in the future.")
    meeting = Meeting(
        case_id=case.id, kind=kind, status=MeetingStatus.SCHEDULED, starts_at=starts_at, mode=mode, note=note,
        scheduled_by=actor, created_at=now, updated_at=now,
    )
    uow.meetings.add(meeting)
    uow.audit.record(
        action="meeting.scheduled", at=now, case_id=case.id, actor=actor, on_behalf_of=on_behalf_of,
        meeting_id=meeting.id, kind=str(kind), starts_at=starts_at.isoformat(), reason=reason,
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.MEETING_SCHEDULED, meeting.id),
        kind=NoticeKind.MEETING_SCHEDULED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=meeting_payload(case, meeting),
    )
    return meeting


def meeting_payload(case: Case, meeting: Meeting) -> dict:
    """What a meeting notice carries: everything the renderer needs, no personal data."""
    return {
        "reference": case.reference,
        "meeting_id": meeting.id,
        "kind": str(meeting.kind),
        "starts_at": meeting.starts_at.isoformat(),
        "timezone": case.organisation.timezone,
        "mode": meeting.mode,
        "note": meeting.note,
        "scheduled_by": meeting.scheduled_by,
    }


def sync_first_meeting(*, uow: UnitOfWork, case: Case, actor: str, now: datetime) -> Meeting | None:
    """Make the case record's first meeting a scheduled meeting (once; later changes move it if not yet held)."""
    if case.first_meeting_at is None:
        return None
    meetings = uow.meetings.for_case(case.id)
    first = next((m for m in meetings if m.kind == MeetingKind.FIRST), None)
    if first is None:
        if meetings:
            return None  # the group already runs on meetings scheduled in Slack
        if case.first_meeting_at <= now:
            first = Meeting(
                case_id=case.id, kind=MeetingKind.FIRST, status=MeetingStatus.SCHEDULED,
                starts_at=case.first_meeting_at, mode="in_person", scheduled_by=None, created_at=now, updated_at=now,
            )
            uow.meetings.add(first)
            uow.audit.record(action="meeting.scheduled", at=now, case_id=case.id, actor=actor,
                             meeting_id=first.id, kind="first", starts_at=first.starts_at.isoformat())
            return first
        return schedule_meeting(uow=uow, case=case, starts_at=case.first_meeting_at, actor=actor, now=now,
                                kind=MeetingKind.FIRST)
    if first.status == MeetingStatus.SCHEDULED and first.starts_at != case.first_meeting_at:
        first.starts_at, first.updated_at = case.first_meeting_at, now
        uow.audit.record(action="meeting.rescheduled", at=now, case_id=case.id, actor=actor,
                         meeting_id=first.id, starts_at=first.starts_at.isoformat(), reason="case record changed")
    return first
