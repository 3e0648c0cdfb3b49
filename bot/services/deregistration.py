"""Use cases for deregistration: record the review conference's decision, set the post-deregistration meeting's
date, record its outcome (risk escalated: social work assesses; risks remain reduced: the case closes), and
re-open a case when the child is registered again.

Each saves the change, its audit events and its notices in the caller's unit of work; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.authority import AlreadyDoneError, acting_as, duty_in
from bot.deregistration import (
    DeregistrationDraft,
    OutcomeDraft,
    Window,
    check_deregistration,
    check_outcome,
    post_deregistration_window,
)
from bot.errors import CoreGroupError, InvalidInputError, NotACaseChannelError, NotAllowedError
from bot.meetings import non_working_day_warning
from bot.notices import NoticeKind, notice_key
from bot.obligations import ObligationKind, Stage
from bot.organisation import calendar_for, policy_for
from bot.services.meeting_due_chases import end_meeting_obligation
from bot.services.meeting_plan import route_to
from bot.services.obligations import waive_obligation
from bot.services.post_dereg_window import (
    owe_post_dereg_meeting,
    owe_post_dereg_outcome,
    post_dereg_payload,
    settle_post_dereg,
    window_of,
)
from bot.services.review_conference import end_review_cycle
from store.db import required
from store.models import Case, CaseStatus, Deregistration, DeregistrationStatus, DueStatus, MeetingStatus
from store.uow import UnitOfWork

CLOSED_REASON = "The case was closed."
STOPPED_REASON = "The child's name was removed from the register at the review conference."


class DeregistrationInvalidError(CoreGroupError):
    """What was typed cannot be saved; `errors` names each field's problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def acting_for(
    uow: UnitOfWork, case: Case, user: str, people: tuple[str | None, ...], *, now: datetime, who: str, doing: str
) -> str | None:
    """None when `user` is one of `people`; whom they stand in for when a delegate covering that person's part
    (the coordinator's work for the coordinator, chairing for anyone else); else refused."""
    principals = [(p, duty_in(case, p)) for p in dict.fromkeys(people) if p]
    return acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=principals,
        step=doing,
        who=f"{who} or their delegate",
    ).on_behalf_of


def case_in(channel: str, uow: UnitOfWork) -> Case:
    case = uow.cases.get_by_channel(channel)
    if case is None:
        raise NotACaseChannelError()
    return case


# --- /core-group deregister -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeregisterForm:
    """What the deregistration modal shows: the case and the profile's window."""

    reference: str
    channel: str
    today: date
    start_weeks: int
    end_weeks: int
    meeting: bool = True  # the profile's post-deregistration meeting; without it the case closes at once


def deregister_form(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> DeregisterForm:
    """The form for the chair or the coordinator (or their delegate) of an open case."""
    case = _deregistrable(channel, user, uow=uow, now=now)[0]
    rule = policy_for(case.organisation).post_deregistration
    return DeregisterForm(
        case.reference,
        case.channel,
        calendar_for(case.organisation).local_date(now),
        rule.window_start_weeks,
        rule.window_end_weeks,
        rule.enabled,
    )


def _deregistrable(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> tuple[Case, str | None]:
    case = case_in(channel, uow)
    on_behalf_of = acting_for(
        uow,
        case,
        user,
        (case.chair, case.organisation.coordinator),
        now=now,
        who=f"the chair of {case.reference} ({{owner}}) or the coordinator",
        doing="record its deregistration",
    )
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is already {case.status}.")
    return case, on_behalf_of


def deregistration_problems(
    draft: DeregistrationDraft, *, channel: str, user: str, uow: UnitOfWork, now: datetime
) -> dict[str, str]:
    """What stops this deregistration from being saved, by field; changes nothing."""
    case = _deregistrable(channel, user, uow=uow, now=now)[0]
    return check_deregistration(
        draft, today=calendar_for(case.organisation).local_date(now), policy=policy_for(case.organisation)
    )


def deregister_case(
    draft: DeregistrationDraft, *, channel: str, user: str, uow: UnitOfWork, now: datetime
) -> tuple[Deregistration, int]:
    """Record the deregistration: the core group stops and the post-deregistration meeting is tracked instead;
    the row, and how many upcoming meetings were cancelled."""
    case, on_behalf_of = _deregistrable(channel, user, uow=uow, now=now)
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    errors = check_deregistration(draft, today=calendar.local_date(now), policy=policy)
    if errors:
        raise DeregistrationInvalidError(errors)
    if not policy.post_deregistration.enabled:
        return _close_at_once(draft, uow, case, user=user, on_behalf_of=on_behalf_of, now=now)
    conference_on = required(draft.conference_on, DeregistrationDraft, "conference_on")  # checked above
    target_on = required(draft.target_on, DeregistrationDraft, "target_on")
    window = post_deregistration_window(conference_on, policy=policy)
    row = Deregistration(
        case_id=case.id,
        review_conference_on=draft.conference_on,
        convener=draft.convener,
        meeting_chair=draft.meeting_chair,
        agreed_by=draft.agreed_by,
        reviewing_officer=draft.reviewing_officer,
        target_on=draft.target_on,
        window_opens_on=window.opens_on,
        window_closes_on=window.closes_on,
        recorded_by=user,
        on_behalf_of=on_behalf_of,
        recorded_at=now,
        status=DeregistrationStatus.TRACKING,
        message_keys=[],
        outcome_count=0,
    )
    uow.deregistrations.add(row)
    owe_post_dereg_meeting(uow, case, row, now=now)
    case.status, case.updated_at = CaseStatus.DEREGISTERED, now
    cancelled = stop_core_group(uow, case, now=now)
    end_review_cycle(uow=uow, now=now, case=case, by=user, on_behalf_of=on_behalf_of)
    uow.audit.record(
        action="case.deregistered",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        deregistration_id=row.id,
        review_conference_on=row.review_conference_on.isoformat(),
        target_on=target_on.isoformat(),
        window=[window.opens_on.isoformat(), window.closes_on.isoformat()],
        convener=row.convener,
        meeting_chair=row.meeting_chair,
        agreed_by=row.agreed_by,
        reviewing_officer=row.reviewing_officer,
        meetings_cancelled=len(cancelled),
    )
    payload = post_dereg_payload(case, row)
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.CASE_DEREGISTERED, row.id),
        kind=NoticeKind.CASE_DEREGISTERED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload={**payload, "recorded_by": user, "cancelled": [m.starts_at.isoformat() for m in cancelled]},
    )
    keys = tell_organisers(uow, case, row, kind=NoticeKind.POST_DEREG_TO_CONVENE, occurrence=None, now=now)
    uow.deregistrations.remember_messages(row, keys)
    return row, len(cancelled)


def _close_at_once(
    draft: DeregistrationDraft, uow: UnitOfWork, case: Case, *, user: str, on_behalf_of: str | None, now: datetime
) -> tuple[Deregistration, int]:
    """No post-deregistration meeting in this procedure: record how the plan continues and close the case now."""
    row = Deregistration(
        case_id=case.id,
        review_conference_on=draft.conference_on,
        recorded_by=user,
        on_behalf_of=on_behalf_of,
        recorded_at=now,
        status=DeregistrationStatus.COMPLETED,
        message_keys=[],
        outcome_count=1,
        outcome_at=now,
        outcome_by=user,
        outcome_on_behalf_of=on_behalf_of,
        risk_escalated=False,
        plan_type=draft.plan_type,
        lead_agency=(draft.lead_agency or "").strip(),
    )
    uow.deregistrations.add(row)
    cancelled = [m for m in uow.meetings.upcoming(case.id, now=now)]
    uow.audit.record(
        action="case.deregistered",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        deregistration_id=row.id,
        review_conference_on=row.review_conference_on.isoformat(),
        post_deregistration_meeting=False,
        plan_type=row.plan_type,
        lead_agency_length=len(row.lead_agency or ""),
        meetings_cancelled=len(cancelled),
    )
    end_review_cycle(uow=uow, now=now, case=case, by=user, on_behalf_of=on_behalf_of)
    close_case(uow, case, row, now=now, actor=user, on_behalf_of=on_behalf_of)
    return row, len(cancelled)


def stop_core_group(uow: UnitOfWork, case: Case, *, now: datetime) -> list:
    """Cancel the upcoming meetings, stop every pending reminder and end the due date; the meetings cancelled."""
    cancelled = [
        m
        for m in uow.meetings.upcoming(case.id, now=now)
        if uow.meetings.set_status(
            m.id,
            expected=MeetingStatus.SCHEDULED,
            status=MeetingStatus.CANCELLED,
            now=now,
            cancel_reason=STOPPED_REASON,
        )
    ]
    for meeting in uow.meetings.for_case(case.id):
        uow.meetings.cancel_pending_reminders(meeting.id)
    due = uow.meetings.current_due(case.id)
    if due is not None:
        due.status, due.resolved_at = DueStatus.ENDED, now
        end_meeting_obligation(uow, due, reason=STOPPED_REASON, now=now)
    return cancelled


def tell_organisers(
    uow: UnitOfWork, case: Case, row: Deregistration, *, kind: NoticeKind, occurrence: str | None, now: datetime
) -> list[str]:
    """DM the convener and the meeting's chair (or their delegates) with the buttons; the keys of the messages."""
    keys = []
    for person, role in ((row.convener, "convener"), (row.meeting_chair, "chair")):
        if person == row.convener and role == "chair":
            continue
        # A tracked deregistration names both (check_deregistration); only tracked ones reach the organisers.
        to, on_behalf_of = route_to(uow, case, required(person, Deregistration, f"{row.id} {role}"), now=now)
        both = row.convener == row.meeting_chair
        key = notice_key(kind, row.id, *([occurrence] if occurrence else []), to)
        uow.outbox.enqueue(
            key=key,
            kind=kind,
            recipient=to,
            now=now,
            case_id=case.id,
            payload={
                **post_dereg_payload(case, row),
                "role": "both" if both else role,
                "on_behalf_of": on_behalf_of,
                "step": occurrence,
            },
        )
        keys.append(key)
    return keys


# --- the convener's buttons -------------------------------------------------------------------


@dataclass(frozen=True)
class PostDeregView:
    """What the date and outcome forms show about the deregistration."""

    deregistration_id: int
    reference: str
    timezone: str
    window: Window
    target_on: date
    meeting_at: datetime | None
    outcome_count: int
    status: str
    today: date
    review_activity: bool = False  # Fife: the outcome asks for the review of the Child's Plan's activity first


def organisers(case: Case, row: Deregistration) -> tuple[str | None, ...]:
    """Who may set the date and record the outcome: the convener, the meeting's chair, the case's chair and team leader."""
    return (row.convener, row.meeting_chair, case.chair, case.team_leader)


def _acting_on(
    uow: UnitOfWork, deregistration_id: int, user: str, *, now: datetime, doing: str, statuses: tuple[str, ...]
) -> tuple[Case, Deregistration, str | None]:
    row = uow.deregistrations.get(deregistration_id)
    if row is None:
        raise InvalidInputError("That deregistration no longer exists.")
    case = uow.cases.require(row.case_id)
    on_behalf_of = acting_for(
        uow,
        case,
        user,
        organisers(case, row),
        now=now,
        doing=doing,
        who=f"the convener ({{owner}}) or chair of the post-deregistration meeting of {case.reference}",
    )
    if row.status not in statuses:
        raise already_done(case, row)
    return case, row, on_behalf_of


def already_done(case: Case, row: Deregistration) -> CoreGroupError:
    """The outcome was recorded already (by whom, when, what), or the case was re-opened meanwhile."""
    if row.status == DeregistrationStatus.SUPERSEDED:
        return NotAllowedError(
            f"Case {case.reference} was re-opened (the child was registered again): nothing more is needed here."
        )
    what = (
        "risk had escalated, and social work is assessing"
        if row.risk_escalated
        else "risks remain reduced, and the case is closed"
    )
    return AlreadyDoneError(
        what="The outcome of this meeting",
        done=f"recorded ({what})",
        by=row.outcome_by,
        at=row.outcome_at,
        timezone=case.organisation.timezone,
    )


def post_dereg_view(deregistration_id: int, user: str, *, uow: UnitOfWork, now: datetime, step: str) -> PostDeregView:
    """Check that `user` may set the date (`step="date"`) or record the outcome, and what the form shows."""
    statuses = (DeregistrationStatus.TRACKING,) if step == "date" else DeregistrationStatus.active()
    doing = "set the date of this meeting" if step == "date" else "record this meeting's outcome"
    case, row, _ = _acting_on(uow, deregistration_id, user, now=now, doing=doing, statuses=statuses)
    return PostDeregView(
        row.id,
        case.reference,
        case.organisation.timezone,
        window_of(row),
        required(row.target_on, Deregistration, f"{row.id} target_on"),  # set while tracked
        row.meeting_at,
        row.outcome_count,
        row.status,
        calendar_for(case.organisation).local_date(now),
        policy_for(case.organisation).post_deregistration.review_activity,
    )


def set_post_dereg_date(
    *, uow: UnitOfWork, now: datetime, deregistration_id: int, user: str, starts_at: datetime
) -> tuple[Deregistration, list[str]]:
    """Record when the post-deregistration meeting is held and tell the case channel; warnings for the person."""
    case, row, on_behalf_of = _acting_on(
        uow,
        deregistration_id,
        user,
        now=now,
        doing="set the date of this meeting",
        statuses=(DeregistrationStatus.TRACKING,),
    )
    if starts_at <= now:
        raise DeregistrationInvalidError(
            {"date": "That date and time has already passed. Choose a time in the future."}
        )
    if not uow.deregistrations.set_meeting(row.id, at=starts_at, by=user):
        raise already_done(case, row)
    calendar = calendar_for(case.organisation)
    warnings = [w for w in [non_working_day_warning(starts_at, calendar=calendar)] if w]
    window = window_of(row)
    if not window.contains(calendar.local_date(starts_at)):
        warnings.append(f"That is outside the window: the meeting should be {window.words()}.")
    uow.audit.record(
        action="deregistration.meeting_set",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        deregistration_id=row.id,
        starts_at=starts_at.isoformat(),
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.POST_DEREG_SCHEDULED, row.id, starts_at.isoformat()),
        kind=NoticeKind.POST_DEREG_SCHEDULED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload={**post_dereg_payload(case, row), "set_by": user},
    )
    return row, warnings


def record_post_dereg_outcome(
    draft: OutcomeDraft, *, uow: UnitOfWork, now: datetime, deregistration_id: int, user: str, expected_count: int
) -> Deregistration:
    """Save the meeting's outcome: escalated risk goes to social work (and the coordinator); otherwise the case closes."""
    case, row, on_behalf_of = _acting_on(
        uow,
        deregistration_id,
        user,
        now=now,
        doing="record this meeting's outcome",
        statuses=DeregistrationStatus.active(),
    )
    errors = outcome_problems(draft, case=case, row=row, now=now)
    if errors:
        raise DeregistrationInvalidError(errors)
    escalated = bool(draft.risk_escalated)
    saved = uow.deregistrations.record_outcome(
        row.id,
        expected_count=expected_count,
        status=DeregistrationStatus.ESCALATED if escalated else DeregistrationStatus.COMPLETED,
        outcome_at=now,
        outcome_by=user,
        outcome_on_behalf_of=on_behalf_of,
        held_on=draft.held_on,
        risk_escalated=escalated,
        plan_type=None if escalated else draft.plan_type,
        lead_agency=None if escalated else (draft.lead_agency or "").strip(),
        activity_reviewed=None if escalated else draft.activity_reviewed,
    )
    if not saved:
        raise already_done(case, uow.deregistrations.require(row.id))
    held_on = required(row.held_on, Deregistration, f"{row.id} held_on")  # the outcome just saved sets it
    uow.audit.record(
        action="deregistration.outcome",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        deregistration_id=row.id,
        held_on=held_on.isoformat(),
        risk_escalated=escalated,
        plan_type=row.plan_type,
        lead_agency_length=len(row.lead_agency or ""),
    )
    outcome = {
        "by": user,
        "on_behalf_of": on_behalf_of,
        "at": now.isoformat(),
        "risk_escalated": escalated,
        "plan_type": row.plan_type,
        "lead_agency": row.lead_agency,
    }
    settle_post_dereg(uow, row, closed=outcome, now=now, by=user, on_behalf_of=on_behalf_of)
    close_messages(uow, row, outcome=outcome, now=now)
    if escalated:
        owe_post_dereg_outcome(uow, case, row, now=now)
        _ask_for_assessment(uow, case, row, now=now)
    else:
        close_case(uow, case, row, now=now, actor=user, on_behalf_of=on_behalf_of)
    return row


def outcome_problems(draft: OutcomeDraft, *, case: Case, row: Deregistration, now: datetime) -> dict[str, str]:
    """The outcome form's problems by field."""
    return check_outcome(
        draft,
        today=calendar_for(case.organisation).local_date(now),
        conference_on=row.review_conference_on,
        review_activity=policy_for(case.organisation).post_deregistration.review_activity,
    )


def close_messages(uow: UnitOfWork, row: Deregistration, *, outcome: dict[str, Any], now: datetime) -> None:
    """Update every message that carries the buttons in place: the buttons go, and it says what happened."""
    for key in row.message_keys or []:
        original = uow.outbox.get_by_key(key)
        if original is None:
            continue
        uow.outbox.enqueue(
            key=f"{key}:closed{row.outcome_count}",
            kind=original.kind,
            recipient=original.recipient,
            now=now,
            case_id=original.case_id,
            payload={**original.payload, "closed": outcome},
            replaces_key=key,
        )
    uow.deregistrations.remember_messages(row, [])


def _ask_for_assessment(uow: UnitOfWork, case: Case, row: Deregistration, *, now: datetime) -> None:
    """Risk escalated: the chair and the team leader get the assessment task; the coordinator is told."""
    held_on = required(row.held_on, Deregistration, f"{row.id} held_on")  # an outcome was just recorded
    payload = {
        **post_dereg_payload(case, row),
        "held_on": held_on.isoformat(),
        "chair": case.chair,
        "team_leader": case.team_leader,
        "outcome_by": row.outcome_by,
    }
    keys = []
    for person in dict.fromkeys(p for p in (case.chair, case.team_leader) if p):
        to, on_behalf_of = route_to(uow, case, person, now=now)
        key = notice_key(NoticeKind.ASSESSMENT_NEEDED, row.id, row.outcome_count, to)
        role = "chair" if person == case.chair else "team leader"
        uow.outbox.enqueue(
            key=key,
            kind=NoticeKind.ASSESSMENT_NEEDED,
            recipient=to,
            now=now,
            case_id=case.id,
            payload={**payload, "role": role, "on_behalf_of": on_behalf_of},
        )
        keys.append(key)
    uow.deregistrations.remember_messages(row, keys)
    coordinator = case.organisation.coordinator
    to, on_behalf_of = route_to(uow, case, coordinator, now=now)
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.POST_DEREG_ESCALATED, row.id, row.outcome_count, to),
        kind=NoticeKind.POST_DEREG_ESCALATED,
        recipient=to,
        now=now,
        case_id=case.id,
        payload={**payload, "on_behalf_of": on_behalf_of},
    )
    uow.audit.record(
        action="deregistration.assessment_requested",
        at=now,
        case_id=case.id,
        actor=row.outcome_by,
        deregistration_id=row.id,
        to=list(dict.fromkeys(p for p in (case.chair, case.team_leader) if p)),
        coordinator=to,
    )


def close_case(
    uow: UnitOfWork, case: Case, row: Deregistration, *, now: datetime, actor: str, on_behalf_of: str | None
) -> None:
    """Close the case: no more reminders of any kind; the case channel is told how the plan continues."""
    case.status, case.closed_at, case.updated_at = CaseStatus.CLOSED, now, now
    stop_core_group(uow, case, now=now)
    # Nothing stays owed in a closed case: each open obligation is waived, so the ledger says why it ended.
    for owed in uow.obligations.open_for_case(case.id):
        waive_obligation(uow=uow, row=owed, by=actor, reason=CLOSED_REASON, now=now, on_behalf_of=on_behalf_of)
    uow.audit.record(
        action="case.closed",
        at=now,
        case_id=case.id,
        actor=actor,
        on_behalf_of=on_behalf_of,
        deregistration_id=row.id,
        plan_type=row.plan_type,
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.CASE_CLOSED, case.id, now.isoformat()),
        kind=NoticeKind.CASE_CLOSED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload={
            **post_dereg_payload(case, row),
            "held_on": row.held_on.isoformat() if row.held_on else None,
            "activity_reviewed": row.activity_reviewed,
            "plan_type": row.plan_type,
            "lead_agency": row.lead_agency,
            "closed_by": actor,
            "retention_years": case.organisation.retention_years,
        },
    )


# --- what /core-group status shows -------------------------------------------------------------


@dataclass(frozen=True)
class DeregistrationStatusView:
    """The deregistration part of a case's status: the window, who convenes and chairs, the outcome."""

    case_status: str
    timezone: str
    payload: dict[str, Any]  # as the notices carry it (dates as ISO strings, Slack ids)
    status: str
    missed: bool
    held_on: date | None
    risk_escalated: bool | None
    plan_type: str | None
    lead_agency: str | None
    closed_at: datetime | None


def deregistration_status(case: Case, *, uow: UnitOfWork) -> DeregistrationStatusView | None:
    """The latest deregistration of a deregistered or closed case (None for an open case)."""
    row = uow.deregistrations.latest_for_case(case.id)
    if row is None or case.status == CaseStatus.OPEN:
        return None
    missed = any(
        o.kind == ObligationKind.POST_DEREG_MEETING and o.stage in (Stage.OVERDUE, Stage.BREACHED)
        for o in uow.obligations.open_for_subject("deregistration", row.id)
    )
    return DeregistrationStatusView(
        case.status,
        case.organisation.timezone,
        post_dereg_payload(case, row),
        row.status,
        missed,
        row.held_on,
        row.risk_escalated,
        row.plan_type,
        row.lead_agency,
        case.closed_at,
    )
