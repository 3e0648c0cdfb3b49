"""Use cases for meeting records: which meeting to record, saving the record, and what status shows of it.

A saved record ends that meeting's reminders, closes its due period (met or late) and opens the next, and
is where later clocks start: `record_meeting` returns the `MeetingRecord` (its `attendees()` and
`invited_absentees()` are the plan's recipients), and every function in `MEETING_RECORDED_HOOKS` is called
with it inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.errors import CoreGroupError, InvalidInputError
from bot.meetings import ActionDraft, ExistingMeeting, RecordDraft, check_record, invited_absentees
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for, policy_for
from bot.policy import ChecklistItem
from bot.services.actions import ActionItem, action_items, owe_actions
from bot.services.cases import case_for_channel
from bot.services.cp9 import start_cp9
from bot.services.letters import flag_institution
from bot.services.meeting_due_chases import discharge_meeting_due, owed_meeting, owed_state
from bot.services.meeting_plan import next_due_after
from bot.services.meetings import chair_case
from bot.services.obligations import discharge_meeting_record
from bot.services.receipts import start_plan_receipt
from bot.services.review_conference import refer_amendment
from store.models import (
    ActionStatus,
    Case,
    Meeting,
    MeetingAction,
    MeetingAttendance,
    MeetingRecord,
    MeetingStatus,
    Role,
)
from store.uow import UnitOfWork

#: The four points every re-evaluation of the plan must consider (the record's own columns).
CORE_CHECKLIST = ("supports", "monitoring", "outcomes", "contingency")

#: Called with `(*, uow, case, record, now)` when a record is saved, in its transaction (plan receipt, CP9 ...).
#: Every later clock a record starts is listed here, once: the plan copies (5 working days), the CP9, and the
#: institution letter when the record's institution flag is set (bot/services/letters.py).
MEETING_RECORDED_HOOKS: list[Callable[..., object]] = [
    start_plan_receipt,
    start_cp9,
    flag_institution,
    discharge_meeting_record,
    owe_actions,
    discharge_meeting_due,
]


class RecordInvalidError(CoreGroupError):
    """The record cannot be saved as it is; `errors` names each field's problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The meeting record is not complete: " + " ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Invitee:
    """Someone the record form lists as invited: a Slack user (with their role in the case) or a participant
    without Slack (known by a role label)."""

    user_id: str | None
    label: str | None
    role: str  # "chair", "team leader", "member", a member's professional role, or "no Slack"


@dataclass(frozen=True)
class RecordForm:
    """What the record modal offers: the meetings that can be recorded, the case's people and the checklist."""

    reference: str
    channel: str
    timezone: str
    meetings: tuple[ExistingMeeting, ...]  # latest first; the first is the one chosen unless the chair picks
    group: tuple[str, ...]  # everyone in the group with Slack
    participants: tuple[str, ...]  # role labels of participants without Slack
    checklist: tuple[ChecklistItem, ...]
    recorder: str
    invitees: tuple[Invitee, ...] = ()  # everyone in the group, each once: all invited unless taken off the list
    # The procedure's words on what the group may change (the profile's wording.significant_amendment).
    amendment_rule: str = ""


def record_form(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> RecordForm:
    """What the chair needs to record a meeting of the case in `channel`; says so when there is nothing to record."""
    case, _ = chair_case(channel, user, uow=uow, now=now, doing="record its meetings")
    ready = uow.meetings.ready_to_record(case.id, now=now)
    if not ready:
        upcoming = uow.meetings.next_for_case(case.id, now=now)
        calendar = calendar_for(case.organisation)
        when = (
            (
                f"the next is on {calendar.local_date(upcoming.starts_at).strftime('%a %-d %b %Y')}, "
                f"{upcoming.starts_at.astimezone(calendar.tz).strftime('%H:%M')}"
            )
            if upcoming
            else "none is scheduled"
        )
        raise InvalidInputError(
            f"There is no meeting of {case.reference} to record yet: {when}. A meeting can be recorded once its time has come."
        )
    return RecordForm(
        reference=case.reference,
        channel=case.channel,
        timezone=case.organisation.timezone,
        meetings=tuple(ExistingMeeting(m.id, m.starts_at, m.mode, m.note) for m in ready),
        group=tuple(case.people_with_slack()),
        participants=tuple(case.participants_without_slack),
        checklist=policy_for(case.organisation).checklist,
        recorder=user,
        invitees=_invitees(case),
        amendment_rule=policy_for(case.organisation).wording.significant_amendment,
    )


def _invitees(case: Case) -> tuple[Invitee, ...]:
    """The core group as the record form lists it: chair, team leader, members, then participants without Slack."""
    words = {Role.CHAIR: "chair", Role.TEAM_LEADER: "team leader", Role.MEMBER: "member"}
    seen: dict[str, Invitee] = {}
    for role in case.roles:
        if role.user_id and role.user_id not in seen and role.role in words:
            label = role.label if role.role == Role.MEMBER and role.label else words[Role(role.role)]
            seen[role.user_id] = Invitee(role.user_id, None, label)
    return (*seen.values(), *(Invitee(None, label, "no Slack") for label in case.participants_without_slack))


def record_problems(draft: RecordDraft, *, channel: str, user: str, uow: UnitOfWork, now: datetime) -> dict[str, str]:
    """What stops this record from being saved, by field (empty when it can be saved); changes nothing."""
    return _check(draft, channel=channel, user=user, uow=uow, now=now)[3]


def record_meeting(draft: RecordDraft, *, channel: str, user: str, uow: UnitOfWork, now: datetime) -> MeetingRecord:
    """Save the record of a meeting whose time has come; the caller commits."""
    case, on_behalf_of, meeting, errors = _check(draft, channel=channel, user=user, uow=uow, now=now)
    if errors:
        raise RecordInvalidError(errors)
    if not uow.meetings.set_status(meeting.id, expected=MeetingStatus.SCHEDULED, status=MeetingStatus.HELD, now=now):
        raise InvalidInputError(f"That meeting is already {meeting.status}: it was not recorded again.")
    answers = {k: (v or "").strip() for k, v in draft.checklist.items()}
    record = MeetingRecord(
        meeting_id=meeting.id,
        case_id=case.id,
        held_at=meeting.starts_at,
        recorded_by=user,
        on_behalf_of=on_behalf_of,
        recorded_at=now,
        supports=answers["supports"],
        monitoring=answers["monitoring"],
        outcomes=answers["outcomes"],
        contingency=answers["contingency"],
        extra_checklist={k: v for k, v in answers.items() if k not in CORE_CHECKLIST},
        significant_amendment=draft.significant_amendment,
        institution=draft.institution,
        not_invited_reason=(draft.not_invited_reason or "").strip() or None,
    )
    # Everyone in the group is invited: whoever did not attend and was not taken off the list is owed the plan.
    absent_users, absent_labels = invited_absentees(
        draft, group=tuple(case.people_with_slack()), participants=tuple(case.participants_without_slack)
    )
    record.attendance = [
        *(MeetingAttendance(user_id=u, attended=True) for u in dict.fromkeys(draft.attended_users)),
        *(MeetingAttendance(label=label, attended=True) for label in dict.fromkeys(draft.attended_labels)),
        *(MeetingAttendance(user_id=u, attended=False) for u in absent_users),
        *(MeetingAttendance(label=label, attended=False) for label in absent_labels),
        *(MeetingAttendance(user_id=u, attended=False, invited=False) for u in dict.fromkeys(draft.not_invited_users)),
        *(
            MeetingAttendance(label=label, attended=False, invited=False)
            for label in dict.fromkeys(draft.not_invited_labels)
        ),
    ]
    record.actions = [
        MeetingAction(
            case_id=case.id,
            description=(a.description or "").strip(),
            owner_user_id=a.owner_user_id,
            owner_label=a.owner_label,
            due_on=_due_on(a),
            status=ActionStatus.OPEN,
        )
        for a in draft.actions
        if not a.empty
    ]
    uow.meeting_records.add(record)
    uow.meetings.cancel_pending_reminders(meeting.id)
    due = next_due_after(uow, case, meeting, now=now)
    uow.audit.record(
        action="meeting.recorded",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        meeting_id=meeting.id,
        record_id=record.id,
        attended=len(record.attendees()),
        absent=len(record.invited_absentees()),
        not_invited=len(record.not_invited()),
        not_invited_reason_length=len(record.not_invited_reason or ""),
        actions=len(record.actions),
        significant_amendment=record.significant_amendment,
        institution=record.institution,
        next_due_on=due.due_on.isoformat(),
    )
    _tell(uow, case, meeting, record, next_due_on=due.due_on, now=now)
    for hook in MEETING_RECORDED_HOOKS:
        hook(uow=uow, case=case, record=record, now=now)
    return record


def _due_on(action: ActionDraft) -> date:
    if action.due_on is None:  # check_record refuses an action with no date
        raise ValueError("an action with no due date passed the record's checks")
    return action.due_on


def _check(draft: RecordDraft, *, channel: str, user: str, uow: UnitOfWork, now: datetime):
    case, on_behalf_of = chair_case(channel, user, uow=uow, now=now, doing="record its meetings")
    meeting = uow.meetings.get(draft.meeting_id)
    if meeting is None or meeting.case_id != case.id:
        raise InvalidInputError("That meeting is not one of this case's.")
    if meeting.status != MeetingStatus.SCHEDULED:
        return case, on_behalf_of, meeting, {"meeting": f"That meeting is already {meeting.status}."}
    if meeting.starts_at > now:
        return case, on_behalf_of, meeting, {"meeting": "That meeting has not happened yet."}
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    errors = check_record(
        draft,
        checklist_keys=tuple(i.key for i in policy.checklist),
        group=tuple(case.people_with_slack()),
        held_on=calendar.local_date(meeting.starts_at),
        participants=tuple(case.participants_without_slack),
    )
    participants = set(case.participants_without_slack)
    for i, action in enumerate(draft.actions):
        if action.owner_label and action.owner_label not in participants:
            errors[f"action.{i}.owner"] = "Only this case's participants without Slack can own an action without Slack."
    return case, on_behalf_of, meeting, errors


def _tell(
    uow: UnitOfWork, case: Case, meeting: Meeting, record: MeetingRecord, *, next_due_on: date, now: datetime
) -> None:
    """The case channel gets the summary; a significant change is referred to the profile's recipient (an obligation)."""
    summary = {
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "held_at": meeting.starts_at.isoformat(),
        "recorded_by": record.recorded_by,
        "attended_users": [a.user_id for a in record.attendees() if a.user_id],
        "attended_labels": [a.label for a in record.attendees() if a.label],
        "absent_users": [a.user_id for a in record.invited_absentees() if a.user_id],
        "absent_labels": [a.label for a in record.invited_absentees() if a.label],
        "actions": len(record.actions),
        "next_due_on": next_due_on.isoformat(),
        "significant_amendment": record.significant_amendment,
    }
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.MEETING_RECORDED, record.id),
        kind=NoticeKind.MEETING_RECORDED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=summary,
    )
    if record.significant_amendment:
        refer_amendment(uow=uow, now=now, case=case, record=record, summary=summary)


# --- what /core-group status shows ------------------------------------------------------------


@dataclass(frozen=True)
class MeetingStatusView:
    """The meeting side of a case's status: the due date, the last record and every action with its state."""

    timezone: str
    due_on: date | None
    due_status: str | None
    last_held_at: datetime | None
    actions: tuple[ActionItem, ...]


def meeting_status(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> MeetingStatusView:
    """The meetings part of `/core-group status`, for anyone who may see the case."""
    case = case_for_channel(channel, user, uow=uow)
    owed = owed_meeting(uow, case.id)
    last = uow.meeting_records.latest_for_case(case.id)
    actions = action_items(uow, case, now=now)
    return MeetingStatusView(
        case.organisation.timezone,
        owed.due_local_date if owed else None,
        owed_state(owed) if owed else None,
        last.held_at if last else None,
        actions,
    )
