"""What follows from a meeting's place in the calendar: its reminder rows and the case's due date.

Called inside the services that schedule, move, cancel and record meetings, in their transaction; the
sweep then only reads the indexed due times these functions write.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.authority import duty_in, recipient_for
from bot.meetings import cadence_words, first_meeting_due_on, meeting_breach_on, next_meeting_due_on, reminder_times
from bot.notice_payloads.meetings import FirstMeetingToSchedule, MeetingHeldLate
from bot.notices import NoticeKind, notice_key
from bot.obligations import Stage
from bot.organisation import calendar_for, policy_for
from bot.services.meeting_due_chases import owe_meeting, park_or_resume
from store.models import Case, DueStatus, Meeting, MeetingDue, MeetingReminder, MeetingStatus, ReminderStatus
from store.uow import UnitOfWork


def plan_reminders(uow: UnitOfWork, case: Case, meeting: Meeting, *, now: datetime) -> list[MeetingReminder]:
    """Replace a meeting's pending reminders with those for its current time (none unless it is scheduled).

    A reminder whose time has already passed when the meeting is scheduled is not created; one already
    sent for this very meeting time is not sent again (the row is unique per meeting, offset and time).
    """
    uow.meetings.cancel_pending_reminders(meeting.id)
    if meeting.status != MeetingStatus.SCHEDULED:
        return []
    policy, calendar = policy_for(case.organisation), calendar_for(case.organisation)
    planned = []
    for when in reminder_times(meeting.starts_at, reminders=policy.meeting_reminders, calendar=calendar):
        if when.due_at <= now:
            continue
        existing = uow.meetings.reminder(meeting.id, when.working_days_before, meeting.starts_at)
        if existing is not None:
            if existing.status == ReminderStatus.CANCELLED:
                existing.status, existing.due_at = ReminderStatus.PENDING, when.due_at
                planned.append(existing)
            continue
        reminder = MeetingReminder(
            meeting_id=meeting.id,
            case_id=case.id,
            working_days_before=when.working_days_before,
            meeting_starts_at=meeting.starts_at,
            due_at=when.due_at,
            status=ReminderStatus.PENDING,
        )
        uow.meetings.add_reminder(reminder)
        planned.append(reminder)
    return planned


def open_due(
    uow: UnitOfWork,
    case: Case,
    *,
    due_on: date,
    basis: str,
    now: datetime,
    after_meeting_id: int | None = None,
    breach_on: date | None = None,
) -> MeetingDue:
    """Start a new due period for the case and the chair's obligation to hold its meeting (on the ledger), parked
    if a meeting is booked by the due date; `breach_on`: the profile's limit after the last meeting (Wales)."""
    due = MeetingDue(
        case_id=case.id,
        basis=basis,
        after_meeting_id=after_meeting_id,
        due_on=due_on,
        status=DueStatus.OPEN,
        created_at=now,
        breach_on=breach_on,
    )
    uow.meetings.add_due(due)
    owe_meeting(uow, case, due, now=now)
    refresh_due(uow, case, now=now)
    return due


def refresh_due(uow: UnitOfWork, case: Case, *, now: datetime) -> MeetingDue | None:
    """Bring the case's current due period, and its obligation, in line with its scheduled meetings (after any
    schedule change, or a meeting that did not take place)."""
    due = uow.meetings.current_due(case.id)
    if due is None:
        return None
    calendar = calendar_for(case.organisation)
    after = uow.meetings.get(due.after_meeting_id) if due.after_meeting_id else None
    booked = uow.meetings.first_scheduled_by(
        case.id, until=calendar.end_of_day(due.due_on), since=after.starts_at if after else None
    )
    row = park_or_resume(uow, case, due, now=now)
    if booked is not None:
        due.status = DueStatus.SCHEDULED
    elif due.status == DueStatus.SCHEDULED:
        # Moved past the due date or cancelled: back to waiting, or straight back to flagged if the chair was
        # already told (the ledger sweep tells them if the date has passed and they were not).
        told = row is not None and row.stage in (Stage.OVERDUE, Stage.BREACHED)
        due.status = DueStatus.FLAGGED if told else DueStatus.OPEN
    return due


def ensure_first_due(uow: UnitOfWork, case: Case, *, now: datetime) -> MeetingDue:
    """The first due period: the case record's first meeting, else the nation's default deadline (and the chair is asked)."""
    current = uow.meetings.current_due(case.id)
    if current is not None:
        return refresh_due(uow, case, now=now) or current
    calendar = calendar_for(case.organisation)
    if case.first_meeting_at is not None:
        return open_due(uow, case, due_on=calendar.local_date(case.first_meeting_at), basis="first", now=now)
    due_on = first_meeting_due_on(case.registered_on, policy=policy_for(case.organisation), calendar=calendar)
    due = open_due(uow, case, due_on=due_on, basis="first", now=now)
    chair = case.chair
    if chair:
        to, on_behalf_of = route_to(uow, case, chair, now=now)
        uow.outbox.enqueue(
            key=notice_key(NoticeKind.FIRST_MEETING_TO_SCHEDULE, case.id, due_on.isoformat(), to),
            kind=NoticeKind.FIRST_MEETING_TO_SCHEDULE,
            recipient=to,
            now=now,
            case_id=case.id,
            payload=FirstMeetingToSchedule(
                reference=case.reference,
                channel=case.channel,
                due_on=due_on,
                registered_on=case.registered_on,
                on_behalf_of=on_behalf_of,
            ),
        )
    return due


def next_due_after(uow: UnitOfWork, case: Case, meeting: Meeting, *, now: datetime) -> MeetingDue:
    """Close the current due period with this meeting (met or late) and open the next one."""
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    held_on = calendar.local_date(meeting.starts_at)
    current = uow.meetings.current_due(case.id)
    if current is not None:
        late = (held_on - current.due_on).days
        current.status = DueStatus.LATE if late > 0 else DueStatus.MET
        current.days_late = max(late, 0)
        current.resolved_by_meeting_id, current.resolved_at = meeting.id, now
        if late > 0 and case.chair:
            to, on_behalf_of = route_to(uow, case, case.chair, now=now)
            uow.outbox.enqueue(
                key=notice_key(NoticeKind.MEETING_HELD_LATE, current.id, to),
                kind=NoticeKind.MEETING_HELD_LATE,
                recipient=to,
                now=now,
                case_id=case.id,
                payload=MeetingHeldLate(
                    reference=case.reference,
                    channel=case.channel,
                    held_on=held_on,
                    due_on=current.due_on,
                    days_late=late,
                    on_behalf_of=on_behalf_of,
                    cadence=cadence_words(policy.meeting_cadence),
                ),
            )
    due_on = next_meeting_due_on(held_on, policy=policy, calendar=calendar)
    return open_due(
        uow,
        case,
        due_on=due_on,
        basis="after_meeting",
        after_meeting_id=meeting.id,
        now=now,
        breach_on=meeting_breach_on(held_on, policy=policy),
    )


def route_to(uow: UnitOfWork, case: Case, user: str, *, now: datetime) -> tuple[str, str | None]:
    """Who gets a message meant for `user` in `case` today: their delegate for that part (bot.authority), else them."""
    return recipient_for(uow=uow, organisation=case.organisation, principal=user, duty=duty_in(case, user), now=now)
