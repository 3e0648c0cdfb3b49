"""Meeting rules: due dates, reminder times, and what a schedule change or a meeting record must hold.

Pure functions of dates, the working calendar and the policy: no database, no chat platform, no clock.
"""

from __future__ import annotations

import calendar as _months
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.calendar import WorkingCalendar
from bot.policy import Cadence, MeetingReminder, Policy

#: The local time at which "on the day" things happen: due-date flags and action reminders.
MORNING = time(9)
NOTE_LIMIT = 500
REASON_LIMIT = 500
CHECKLIST_LIMIT = 3000
ACTION_LIMIT = 300
MODES = ("in_person", "online")


def non_working_day_warning(starts_at: datetime, *, calendar: WorkingCalendar) -> str | None:
    """A warning when a meeting falls on a weekend, bank holiday or closure day; None otherwise."""
    day = calendar.local_date(starts_at)
    if calendar.is_working_day(day):
        return None
    return f"{day.strftime('%A %-d %B %Y')} is not a working day (weekend, bank holiday or closure day)."


# --- due dates ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))


def first_meeting_due_on(registered_on: date, *, policy: Policy, calendar: WorkingCalendar) -> date:
    """The nation's default deadline for the first meeting, the conference being day 0.

    England and Wales: N working days after the initial conference. Scotland: N calendar days after the CPPM
    (para 3.137: CPPM Mon 30 Nov 2026 -> Tue 15 Dec 2026); a day that is not a working day moves to the working
    day before, as every calendar-day deadline does.
    """
    rule = policy.first_meeting
    if rule.working:
        return calendar.add_working_days(registered_on, rule.days)
    return calendar.on_or_before(registered_on + timedelta(days=rule.days))


def next_meeting_due_on(held_on: date, *, policy: Policy, calendar: WorkingCalendar) -> date:
    """When the next meeting is due after one held on `held_on`.

    One cadence later (a calendar month, or N weeks); a date that is not a working day moves to the working day
    before, so the group is never "due" on a Sunday or a bank holiday. A profile's breach limit (Wales: 6 weeks)
    is a later, separate step (`meeting_breach_on`), not a shorter cadence.
    """
    cadence = policy.meeting_cadence
    due = add_months(held_on, cadence.months) if cadence.months else held_on + timedelta(weeks=cadence.weeks or 0)
    return calendar.on_or_before(due)


def cadence_words(cadence: Cadence) -> str:
    """'monthly', 'every 2 months', 'every 4 weeks'."""
    if cadence.months:
        return "monthly" if cadence.months == 1 else f"every {cadence.months} months"
    return "weekly" if cadence.weeks == 1 else f"every {cadence.weeks} weeks"


def meeting_breach_on(held_on: date, *, policy: Policy) -> date | None:
    """The day a missing next meeting becomes a breach the coordinator is told of (None: the profile sets none)."""
    weeks = policy.meeting_breach_after_weeks
    return held_on + timedelta(weeks=weeks) if weeks else None


def flag_time(due_on: date, *, calendar: WorkingCalendar) -> datetime:
    """When a due date with nothing scheduled by it is flagged to the chair: 09:00 local on the day."""
    return calendar.at_local(due_on, MORNING)


# --- reminders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderTime:
    """One reminder of a meeting: its offset in working days and the instant (UTC) it is due."""

    working_days_before: int
    due_at: datetime


def reminder_times(
    starts_at: datetime, *, reminders: tuple[MeetingReminder, ...], calendar: WorkingCalendar
) -> list[ReminderTime]:
    """When to remind the group of a meeting at `starts_at`, earliest first.

    Each reminder is N working days before the meeting's local date at the policy's local time (so 09:00
    follows BST and GMT); "0 working days before" on a non-working day is the working day before it. A
    reminder that would come after the meeting has started is dropped, and two offsets landing on the same
    instant give one reminder.
    """
    day = calendar.local_date(starts_at)
    found: dict[datetime, ReminderTime] = {}
    for reminder in reminders:
        on = calendar.subtract_working_days(day, reminder.working_days_before)
        due_at = calendar.at_local(on, reminder.at)
        if due_at > starts_at:
            continue
        current = found.get(due_at)
        if current is None or reminder.working_days_before > current.working_days_before:
            found[due_at] = ReminderTime(reminder.working_days_before, due_at)
    return [found[at] for at in sorted(found)]


# --- scheduling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleChange:
    """What the chair asked for in the schedule modal, checked."""

    meeting_id: int | None  # None: a new meeting
    cancel: bool
    starts_at: datetime | None
    mode: str
    note: str | None
    reason: str | None


@dataclass(frozen=True)
class ExistingMeeting:
    """The few facts about an existing meeting that decide whether a change needs a reason."""

    id: int
    starts_at: datetime
    mode: str
    note: str | None


def check_schedule_change(
    *,
    meeting: ExistingMeeting | None,
    cancel: bool,
    day: date | None,
    at: time | None,
    mode: str | None,
    note: str | None,
    reason: str | None,
    now: datetime,
    calendar: WorkingCalendar,
    in_person: bool = False,
) -> tuple[ScheduleChange | None, dict[str, str]]:
    """The change the chair asked for, or the problems with it by field (date, time, mode, note, reason, meeting).

    `in_person`: the procedure has core groups meet in person (Scotland), so making a meeting online needs a reason.
    """
    errors: dict[str, str] = {}
    note, reason = _clean(note), _clean(reason)
    if note and len(note) > NOTE_LIMIT:
        errors["note"] = f"Keep the note under {NOTE_LIMIT} characters."
    if reason and len(reason) > REASON_LIMIT:
        errors["reason"] = f"Keep the reason under {REASON_LIMIT} characters."
    if cancel:
        if meeting is None:
            errors["meeting"] = "Choose the meeting to cancel."
        elif not reason:
            errors["reason"] = "Say why the meeting is cancelled: the case channel is told."
        if errors or meeting is None:  # no meeting has its error
            return None, errors
        return ScheduleChange(meeting.id, True, None, meeting.mode, meeting.note, reason), {}
    if day is None:
        errors["date"] = "Choose the date of the meeting."
    if at is None:
        errors["time"] = "Choose the time of the meeting."
    mode = mode if mode in MODES else None
    if mode is None:
        errors["mode"] = "Choose in person or online."
    if errors or day is None or at is None or mode is None:  # each missing one has its error
        return None, errors
    if in_person and mode == "online" and (meeting is None or meeting.mode != "online") and not reason:
        return None, {"reason": "Core groups meet in person: say why this meeting is online (the reason is kept)."}
    starts_at = calendar.at_local(day, at)
    if starts_at <= now:
        return None, {"date": "That date and time has already passed. Choose a time in the future."}
    if meeting is not None:
        moved = starts_at != meeting.starts_at
        if not moved and mode == meeting.mode and note == meeting.note:
            return None, {"date": "Nothing has changed: choose a new date or time, or cancel the meeting."}
        if moved and not reason:
            return None, {"reason": "Say why the meeting is moved: the case channel is told."}
    return ScheduleChange(meeting.id if meeting else None, False, starts_at, mode, note, reason), {}


# --- meeting records --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDraft:
    """One new action as typed in the record modal; any part may be missing."""

    description: str | None = None
    owner_user_id: str | None = None
    owner_label: str | None = None
    due_on: date | None = None

    @property
    def empty(self) -> bool:
        return not (_clean(self.description) or self.owner_user_id or self.owner_label or self.due_on)


@dataclass(frozen=True)
class RecordDraft:
    """A meeting record as submitted: who attended, who was not invited and why, the checklist answers, actions
    and the two flags. Everyone else in the group was invited and could not attend (an invited absentee)."""

    meeting_id: int
    attended_users: tuple[str, ...] = ()
    attended_labels: tuple[str, ...] = ()
    not_invited_users: tuple[str, ...] = ()
    not_invited_labels: tuple[str, ...] = ()
    not_invited_reason: str | None = None
    checklist: dict[str, str | None] = field(default_factory=dict)
    actions: tuple[ActionDraft, ...] = ()
    significant_amendment: bool = False
    institution: bool = False


def invited_absentees(
    draft: RecordDraft, *, group: tuple[str, ...], participants: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(users, labels) invited but absent: everyone in the group who neither attended nor was taken off the list."""
    left_out_users = set(draft.attended_users) | set(draft.not_invited_users)
    left_out_labels = set(draft.attended_labels) | set(draft.not_invited_labels)
    return (
        tuple(u for u in group if u not in left_out_users),
        tuple(label for label in participants if label not in left_out_labels),
    )


def check_record(
    draft: RecordDraft,
    *,
    checklist_keys: tuple[str, ...],
    group: tuple[str, ...],
    held_on: date,
    participants: tuple[str, ...] = (),
) -> dict[str, str]:
    """The problems with a meeting record by field ("attended", "not_invited", "not_invited_reason",
    "checklist.<key>", "action.<i>.<part>").

    Every checklist item needs an answer; somebody must have attended; attendees and those taken off the invited
    list are in the group (`group`: with Slack; `participants`: role labels without Slack), nobody both attended
    and was not invited, and taking anyone off the list needs a reason; an action needs what, one owner (a member
    of the group with Slack, or a participant without Slack) and a due date not before the meeting.
    """
    errors: dict[str, str] = {}
    if not (draft.attended_users or draft.attended_labels):
        errors["attended"] = "Say who attended the meeting."
    elif set(draft.attended_users) - set(group) or set(draft.attended_labels) - set(participants):
        errors["attended"] = (
            "Only people in this core group can be recorded as attending. The chair adds a "
            "professional first with `/core-group add @name ROLE`."
        )
    if set(draft.not_invited_users) - set(group) or set(draft.not_invited_labels) - set(participants):
        errors["not_invited"] = "Only people in this core group can be on (or off) the invited list."
    elif set(draft.attended_users) & set(draft.not_invited_users) or (
        set(draft.attended_labels) & set(draft.not_invited_labels)
    ):
        errors["not_invited"] = "Someone is both attended and not invited: choose one for each person."
    reason = _clean(draft.not_invited_reason)
    if (draft.not_invited_users or draft.not_invited_labels) and not reason:
        errors["not_invited_reason"] = "Say why they were not invited: it is kept with the record and in the report."
    elif reason and len(reason) > REASON_LIMIT:
        errors["not_invited_reason"] = f"Keep the reason under {REASON_LIMIT} characters."
    for key in checklist_keys:
        answer = _clean(draft.checklist.get(key))
        if not answer:
            errors[f"checklist.{key}"] = "The plan's re-evaluation must consider this: write what the group agreed."
        elif len(answer) > CHECKLIST_LIMIT:
            errors[f"checklist.{key}"] = f"Keep this under {CHECKLIST_LIMIT} characters."
    for i, action in enumerate(draft.actions):
        if action.empty:
            continue
        where = f"action.{i}"
        description = _clean(action.description)
        if not description:
            errors[f"{where}.what"] = "Say what the action is (or clear its owner and date)."
        elif len(description) > ACTION_LIMIT:
            errors[f"{where}.what"] = f"Keep the action under {ACTION_LIMIT} characters."
        if action.owner_user_id and action.owner_label:
            errors[f"{where}.owner"] = "Choose one owner: a member with Slack or a participant without Slack."
        elif not (action.owner_user_id or action.owner_label):
            errors[f"{where}.owner"] = "Choose who owns this action."
        elif action.owner_user_id and action.owner_user_id not in group:
            errors[f"{where}.owner"] = "The owner must be in this core group."
        if action.due_on is None:
            errors[f"{where}.due"] = "Choose the date this action is due."
        elif action.due_on < held_on:
            errors[f"{where}.due"] = "The due date is before the meeting."
    return errors


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None
