"""Payloads of the meetings' notices: schedule, reminders, records, what is owed (bot/services/meeting*.py)."""

from __future__ import annotations

from datetime import date, datetime

from bot.notice_payloads.base import NoticePayload
from bot.notice_payloads.chased import Chased


class MeetingNotice(NoticePayload):
    """A meeting as every notice about its time shows it: no personal data."""

    reference: str
    channel: str | None = None
    meeting_id: int | None = None
    kind: str = "regular"  # first / regular / additional
    starts_at: datetime
    timezone: str
    mode: str | None = None
    note: str | None = None
    scheduled_by: str | None = None


class MeetingScheduled(MeetingNotice):
    """To the case channel: a meeting was scheduled."""


class MeetingRescheduled(MeetingNotice):
    """To the case channel: a meeting moved (or changed), from when, and why."""

    previous_starts_at: datetime
    reason: str | None = None
    changed_by: str | None = None


class MeetingCancelled(MeetingNotice):
    """To the case channel: a meeting is cancelled, and why."""

    reason: str | None = None
    changed_by: str | None = None


class MeetingReminder(MeetingNotice):
    """To the case channel and each member with Slack: the meeting is this many working days away."""

    working_days_before: int = 0


class FirstMeetingToSchedule(NoticePayload):
    """To the chair: the case record gave no first meeting; it is due by `due_on`."""

    reference: str
    channel: str
    due_on: date
    registered_on: date
    on_behalf_of: str | None = None


class MeetingNotScheduled(Chased):
    """To the chair (ledger): the meeting is due and none is scheduled."""

    reference: str
    channel: str
    due_id: int | None = None
    due_on: date
    basis: str | None = None  # first / after_meeting


class MeetingHeldLate(NoticePayload):
    """To the chair: the recorded meeting came after its due date."""

    reference: str
    channel: str | None = None
    held_on: date
    due_on: date
    days_late: int
    on_behalf_of: str | None = None
    cadence: str = "monthly"


class MeetingBreach(Chased):
    """To the coordinator (ledger): no meeting within the profile's limit after the last one (Wales)."""

    reference: str
    channel: str
    due_id: int | None = None
    held_on: date
    breach_on: date
    weeks: int
    chair: str | None = None


class MeetingRecorded(NoticePayload):
    """To the case channel: who attended, how many actions, when the next meeting is due."""

    reference: str
    channel: str | None = None
    timezone: str
    held_at: datetime
    recorded_by: str | None = None
    attended_users: tuple[str, ...] = ()
    attended_labels: tuple[str, ...] = ()
    absent_users: tuple[str, ...] = ()
    absent_labels: tuple[str, ...] = ()
    actions: int = 0
    next_due_on: date
    significant_amendment: bool = False


class MeetingToRecord(Chased):
    """To the chair (ledger): record the meeting, or say it did not take place."""

    reference: str
    channel: str
    meeting_id: int
    starts_at: datetime
    timezone: str
    breach_on: datetime | None = None


class ActionDue(Chased):
    """To an action's owner (or the chair, for someone without Slack): the action is due, with Mark done."""

    reference: str
    channel: str
    timezone: str
    action_id: int
    description: str
    due_on: date
    owner_user_id: str | None = None
    owner_label: str | None = None
    status: str = "open"
    done_at: datetime | None = None
    done_on_behalf_of: str | None = None
    closed_reason: str | None = None
