"""Use cases for meetings: schedule, move or cancel one, and the notices and reminders that go with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.authority import CHAIR_OR_DELEGATE, acting_as, chair_of
from bot.errors import InvalidInputError, NotACaseChannelError, NotAllowedError
from bot.meetings import ExistingMeeting, ScheduleChange, check_schedule_change, non_working_day_warning
from bot.notice_payloads.meetings import MeetingCancelled, MeetingRescheduled, MeetingScheduled
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for, policy_for
from bot.services.meeting_plan import ensure_first_due, plan_reminders, refresh_due
from bot.services.obligations import owe_meeting_record
from store.models import Case, CaseStatus, DueStatus, Meeting, MeetingKind, MeetingMove, MeetingStatus
from store.repositories_meetings import SweepCase
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
    """Save a scheduled meeting, audit it, tell the case channel and plan its reminders; the caller commits."""
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is {case.status}: its core group no longer meets.")
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be tz-aware")
    if starts_at <= now:
        raise InvalidInputError("That date and time has already passed. Choose a time in the future.")
    meeting = Meeting(
        case_id=case.id,
        kind=kind,
        status=MeetingStatus.SCHEDULED,
        starts_at=starts_at,
        mode=mode,
        note=note,
        scheduled_by=actor,
        created_at=now,
        updated_at=now,
    )
    uow.meetings.add(meeting)
    uow.audit.record(
        action="meeting.scheduled",
        at=now,
        case_id=case.id,
        actor=actor,
        on_behalf_of=on_behalf_of,
        meeting_id=meeting.id,
        kind=str(kind),
        starts_at=starts_at.isoformat(),
        reason=reason,
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.MEETING_SCHEDULED, meeting.id),
        kind=NoticeKind.MEETING_SCHEDULED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=MeetingScheduled(**meeting_fields(case, meeting)),
    )
    plan_reminders(uow, case, meeting, now=now)
    refresh_due(uow, case, now=now)
    owe_meeting_record(uow, case, meeting, now=now)
    return meeting


def reschedule_meeting(
    *,
    uow: UnitOfWork,
    case: Case,
    meeting: Meeting,
    starts_at: datetime,
    actor: str,
    now: datetime,
    reason: str,
    mode: str | None = None,
    note: str | None = None,
    on_behalf_of: str | None = None,
) -> Meeting:
    """Move (or change the mode or note of) a scheduled meeting, tell the case channel, re-plan its reminders."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be tz-aware")
    if starts_at <= now:
        raise InvalidInputError("That date and time has already passed. Choose a time in the future.")
    _require_scheduled(meeting, case)
    previous = meeting.starts_at
    meeting.starts_at, meeting.updated_at = starts_at, now
    meeting.mode = mode or meeting.mode
    meeting.note = note
    move = MeetingMove(
        meeting_id=meeting.id,
        moved_at=now,
        moved_by=actor,
        previous_starts_at=previous,
        starts_at=starts_at,
        reason=reason,
    )
    uow.meetings.add_move(move)
    # The reason is free text: it lives on the move, the audit keeps its length.
    uow.audit.record(
        action="meeting.rescheduled",
        at=now,
        case_id=case.id,
        actor=actor,
        on_behalf_of=on_behalf_of,
        meeting_id=meeting.id,
        move_id=move.id,
        previous=previous.isoformat(),
        starts_at=starts_at.isoformat(),
        reason_length=len(reason),
    )
    uow.outbox.enqueue(
        key=notice_key(
            NoticeKind.MEETING_RESCHEDULED, meeting.id, previous.isoformat(), starts_at.isoformat(), now.isoformat()
        ),
        kind=NoticeKind.MEETING_RESCHEDULED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=MeetingRescheduled(
            **meeting_fields(case, meeting), previous_starts_at=previous, reason=reason, changed_by=actor
        ),
    )
    plan_reminders(uow, case, meeting, now=now)
    refresh_due(uow, case, now=now)
    owe_meeting_record(uow, case, meeting, now=now)
    return meeting


def cancel_meeting(
    *,
    uow: UnitOfWork,
    case: Case,
    meeting: Meeting,
    actor: str,
    now: datetime,
    reason: str,
    on_behalf_of: str | None = None,
) -> Meeting:
    """Cancel a scheduled meeting (once: a conditional update), stop its reminders, tell the case channel."""
    if not uow.meetings.set_status(
        meeting.id, expected=MeetingStatus.SCHEDULED, status=MeetingStatus.CANCELLED, now=now, cancel_reason=reason
    ):
        raise InvalidInputError(f"That meeting is already {meeting.status}: nothing was changed.")
    # The reason is free text: it lives on the meeting (cancel_reason), the audit keeps its length.
    uow.audit.record(
        action="meeting.cancelled",
        at=now,
        case_id=case.id,
        actor=actor,
        on_behalf_of=on_behalf_of,
        meeting_id=meeting.id,
        starts_at=meeting.starts_at.isoformat(),
        reason_length=len(reason),
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.MEETING_CANCELLED, meeting.id),
        kind=NoticeKind.MEETING_CANCELLED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=MeetingCancelled(**meeting_fields(case, meeting), reason=reason, changed_by=actor),
    )
    plan_reminders(uow, case, meeting, now=now)
    refresh_due(uow, case, now=now)
    owe_meeting_record(uow, case, meeting, now=now, actor=actor, reason=reason)
    return meeting


def meeting_fields(case: Case | SweepCase, meeting: Meeting) -> dict[str, Any]:
    """The fields every meeting notice carries (`MeetingNotice`): everything the renderer needs, no personal data."""
    return dict(
        reference=case.reference,
        channel=case.channel,
        meeting_id=meeting.id,
        kind=str(meeting.kind),
        starts_at=meeting.starts_at,
        timezone=case.organisation.timezone,
        mode=meeting.mode,
        note=meeting.note,
        scheduled_by=meeting.scheduled_by,
    )


def sync_first_meeting(*, uow: UnitOfWork, case: Case, actor: str, now: datetime) -> Meeting | None:
    """Make the case record's first meeting a scheduled meeting (once; later changes move it if not yet held).

    With no first meeting in the record, the first meeting is due by the nation's default deadline and
    the chair is asked to schedule it.
    """
    meetings = uow.meetings.for_case(case.id)
    if case.first_meeting_at is None:
        if not meetings:
            ensure_first_due(uow, case, now=now)
        return None
    first = next((m for m in meetings if m.kind == MeetingKind.FIRST), None)
    if first is None:
        if meetings:
            return None  # the group already runs on meetings scheduled in Slack
        if case.first_meeting_at <= now:
            first = Meeting(
                case_id=case.id,
                kind=MeetingKind.FIRST,
                status=MeetingStatus.SCHEDULED,
                starts_at=case.first_meeting_at,
                mode="in_person",
                scheduled_by=None,
                created_at=now,
                updated_at=now,
            )
            uow.meetings.add(first)
            uow.audit.record(
                action="meeting.scheduled",
                at=now,
                case_id=case.id,
                actor=actor,
                meeting_id=first.id,
                kind="first",
                starts_at=first.starts_at.isoformat(),
            )
            owe_meeting_record(uow, case, first, now=now)
        else:
            first = schedule_meeting(
                uow=uow, case=case, starts_at=case.first_meeting_at, actor=actor, now=now, kind=MeetingKind.FIRST
            )
        ensure_first_due(uow, case, now=now)
        return first
    if first.status == MeetingStatus.SCHEDULED and first.starts_at != case.first_meeting_at:
        if case.first_meeting_at > now:
            reschedule_meeting(
                uow=uow,
                case=case,
                meeting=first,
                starts_at=case.first_meeting_at,
                actor=actor,
                now=now,
                reason="the case record changed",
                note=first.note,
            )
        else:
            previous, reason = first.starts_at, "case record changed"
            first.starts_at, first.updated_at = case.first_meeting_at, now
            move = MeetingMove(
                meeting_id=first.id,
                moved_at=now,
                moved_by=actor,
                previous_starts_at=previous,
                starts_at=first.starts_at,
                reason=reason,
            )
            uow.meetings.add_move(move)
            uow.audit.record(
                action="meeting.rescheduled",
                at=now,
                case_id=case.id,
                actor=actor,
                meeting_id=first.id,
                move_id=move.id,
                starts_at=first.starts_at.isoformat(),
                reason_length=len(reason),
            )
            plan_reminders(uow, case, first, now=now)
            refresh_due(uow, case, now=now)
            owe_meeting_record(uow, case, first, now=now)
    return first


# --- the chair's schedule form ------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleForm:
    """What the schedule modal offers: the case, its upcoming meetings and when the next one is due."""

    case_id: int
    reference: str
    channel: str
    timezone: str
    upcoming: tuple[ExistingMeeting, ...]
    due_on: date | None
    in_person: bool = False  # the procedure has core groups meet in person: online needs a reason


@dataclass(frozen=True)
class ScheduleOutcome:
    """What a schedule change did, for the chair's confirmation."""

    action: str  # scheduled | rescheduled | cancelled
    reference: str
    starts_at: datetime | None
    timezone: str
    warnings: tuple[str, ...] = ()


def chair_case(channel: str, user: str, *, uow: UnitOfWork, now: datetime, doing: str) -> tuple[Case, str | None]:
    """The case of `channel` if `user` chairs it or stands in for its chair today (chairing); and on whose behalf."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        raise NotACaseChannelError()
    acting = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[chair_of(case)],
        step=doing,
        who=CHAIR_OR_DELEGATE.format(reference=case.reference),
    )
    return case, acting.on_behalf_of


def schedule_form(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> ScheduleForm:
    """What the chair needs to schedule, move or cancel a meeting of the case in `channel`."""
    case, _ = chair_case(channel, user, uow=uow, now=now, doing="schedule its meetings")
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is {case.status}: its core group no longer meets.")
    upcoming = tuple(
        ExistingMeeting(m.id, m.starts_at, m.mode, m.note) for m in uow.meetings.upcoming(case.id, now=now)
    )
    due = uow.meetings.current_due(case.id)
    return ScheduleForm(
        case.id,
        case.reference,
        case.channel,
        case.organisation.timezone,
        upcoming,
        due.due_on if due else None,
        policy_for(case.organisation).meetings_in_person,
    )


def existing_meeting(case_id: int, meeting_id: int | None, *, uow: UnitOfWork) -> ExistingMeeting | None:
    """The meeting the chair chose in the form, if it still belongs to the case."""
    if meeting_id is None:
        return None
    meeting = uow.meetings.get(meeting_id)
    if meeting is None or meeting.case_id != case_id:
        raise InvalidInputError("That meeting is not one of this case's.")
    return ExistingMeeting(meeting.id, meeting.starts_at, meeting.mode, meeting.note)


def prepare_schedule_change(
    *,
    channel: str,
    user: str,
    meeting_id: int | None,
    cancel: bool,
    day: date | None,
    at: time | None,
    mode: str | None,
    note: str | None,
    reason: str | None,
    uow: UnitOfWork,
    now: datetime,
) -> tuple[ScheduleChange | None, dict[str, str]]:
    """Check what the chair typed against the case's calendar and chosen meeting; the change, or problems by field."""
    case, _ = chair_case(channel, user, uow=uow, now=now, doing="schedule its meetings")
    meeting = existing_meeting(case.id, meeting_id, uow=uow)
    if meeting is not None and uow.meetings.require(meeting.id).status != MeetingStatus.SCHEDULED:
        return None, {"meeting": "That meeting is no longer scheduled: choose another."}
    return check_schedule_change(
        meeting=meeting,
        cancel=cancel,
        day=day,
        at=at,
        mode=mode,
        note=note,
        reason=reason,
        now=now,
        calendar=calendar_for(case.organisation),
        in_person=policy_for(case.organisation).meetings_in_person,
    )


def change_schedule(
    change: ScheduleChange, *, channel: str, user: str, uow: UnitOfWork, now: datetime
) -> ScheduleOutcome:
    """Apply the chair's checked change: a new meeting, a move, or a cancellation."""
    case, on_behalf_of = chair_case(channel, user, uow=uow, now=now, doing="schedule its meetings")
    tz = case.organisation.timezone
    meeting = uow.meetings.get(change.meeting_id) if change.meeting_id else None
    if change.meeting_id and (meeting is None or meeting.case_id != case.id):
        raise InvalidInputError("That meeting is not one of this case's.")
    if change.cancel:
        if meeting is None:  # check_schedule_change asks for the meeting to cancel
            raise InvalidInputError("Choose the meeting to cancel.")
        cancel_meeting(
            uow=uow,
            case=case,
            meeting=meeting,
            actor=user,
            now=now,
            reason=change.reason or "",
            on_behalf_of=on_behalf_of,
        )
        return ScheduleOutcome("cancelled", case.reference, meeting.starts_at, tz)
    starts_at = change.starts_at
    if starts_at is None:  # only a cancellation has no time
        raise ValueError("a meeting to schedule or move has no time")
    if meeting is None:
        meeting = schedule_meeting(
            uow=uow,
            case=case,
            starts_at=starts_at,
            actor=user,
            now=now,
            mode=change.mode,
            note=change.note,
            on_behalf_of=on_behalf_of,
            reason=change.reason,
        )
        action = "scheduled"
    else:
        reschedule_meeting(
            uow=uow,
            case=case,
            meeting=meeting,
            starts_at=starts_at,
            actor=user,
            now=now,
            reason=change.reason or "details changed",
            mode=change.mode,
            note=change.note,
            on_behalf_of=on_behalf_of,
        )
        action = "rescheduled"
    return ScheduleOutcome(action, case.reference, meeting.starts_at, tz, _warnings(uow, case, meeting))


def _warnings(uow: UnitOfWork, case: Case, meeting: Meeting) -> tuple[str, ...]:
    calendar = calendar_for(case.organisation)
    warnings = []
    day = non_working_day_warning(meeting.starts_at, calendar=calendar)
    if day:
        warnings.append(day)
    due = uow.meetings.current_due(case.id)
    if due is not None and due.status != DueStatus.SCHEDULED and calendar.local_date(meeting.starts_at) > due.due_on:
        warnings.append(
            f"The next meeting is due by {due.due_on.strftime('%a %-d %b %Y')}: this one will be recorded as late."
        )
    return tuple(warnings)


def _require_scheduled(meeting: Meeting, case: Case) -> None:
    if meeting.case_id != case.id:
        raise InvalidInputError("That meeting is not one of this case's.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInputError(f"That meeting is already {meeting.status}: nothing was changed.")
