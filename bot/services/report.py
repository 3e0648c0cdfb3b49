"""Use case for the review conference report: who may have it, what it holds, and the audit of every access.

`review_report` reads the case's whole history (meetings against their due dates, attendance, the plan's
re-evaluations, actions, plan copies and CP9s, requests, referrals and institution letters) into a
`bot.report.ReviewReport` and records who had it, when, for which case. The caller commits (the audit) and
turns the report into a document.
"""

from __future__ import annotations

from datetime import datetime

from bot.authority import acting_as, chair_of, coordinator_of
from bot.errors import NotACaseChannelError
from bot.organisation import calendar_for, policy_for
from bot.report import (
    ActionLine,
    Cp9Line,
    DueLine,
    LetterLine,
    Person,
    PlanLine,
    ReportMeeting,
    RequestLine,
    ReviewReport,
)
from bot.services.review_conference import discharge_review_report
from store.models import ActionStatus, Case, CopyStatus, DueStatus, MeetingRequest, PlanReceipt, RequestStatus, Role
from store.uow import UnitOfWork

_DUE_WORDS: dict[str, str] = {
    DueStatus.MET: "met",
    DueStatus.LATE: "late",
    DueStatus.FLAGGED: "overdue",
    DueStatus.OPEN: "due",
    DueStatus.SCHEDULED: "scheduled",
    DueStatus.ENDED: "ended",
}


def review_report(*, uow: UnitOfWork, now: datetime, channel: str, user: str) -> ReviewReport:
    """The case's report to the review conference, for its chair or the coordinator (or a delegate); audited."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        raise NotACaseChannelError()
    on_behalf_of = acting_for_report(uow, case, user, now=now)
    calendar = calendar_for(case.organisation)
    today = calendar.local_date(now)
    local = now.astimezone(calendar.tz)
    records = uow.meeting_records.for_case(case.id)
    meetings = tuple(_meeting(uow, case, record, today=today) for record in records)
    actions = tuple(
        ActionLine(
            a.description,
            _person(case, a.owner_user_id, a.owner_label),
            a.due_on,
            a.status if a.status != ActionStatus.OPEN else ("overdue" if a.due_on < today else "open"),
            calendar.local_date(record.held_at),
            calendar.local_date(a.done_at) if a.done_at else None,
            _person(case, a.done_by, None) if a.done_by else None,
            a.closed_reason,
        )
        for record in records
        for a in record.actions
    )
    requests = tuple(_request(case, r, calendar) for r in uow.requests.for_case(case.id))
    letters = tuple(
        LetterLine(
            x.relationship,
            x.institution_kind,
            x.institution_name,
            calendar.local_date(x.requested_at),
            x.status,
            calendar.local_date(x.sent_at) if x.sent_at else None,
        )
        for x in uow.letters.for_case(case.id)
    )
    dues = tuple(
        DueLine(
            d.due_on,
            _DUE_WORDS.get(d.status, str(d.status)),
            _held_on(uow, calendar, d.resolved_by_meeting_id),
            d.days_late or 0,
        )
        for d in uow.meetings.dues_for(case.id)
    )
    people = sorted(
        {p.user_id for m in meetings for p, _ in m.attendance if p.user_id}
        | {p.user_id for a in actions for p in (a.owner, a.done_by) if p and p.user_id}
        | {r.requested_by for r in requests}
        | {user}
        | ({on_behalf_of} if on_behalf_of else set())
    )
    owed_to = discharge_review_report(uow=uow, now=now, case=case, by=user, on_behalf_of=on_behalf_of)
    report = ReviewReport(
        organisation=case.organisation.name,
        reference=case.reference,
        registered_on=case.registered_on,
        case_status=case.status,
        generated_on=local.strftime("%a %-d %b %Y, %H:%M"),
        generated_by=user,
        on_behalf_of=on_behalf_of,
        today=today,
        dues=dues,
        meetings=meetings,
        actions=actions,
        requests=requests,
        letters=letters,
        people=tuple(people),
        cp9_form=_cp9_form(case, meetings),
        owed_to=owed_to.held_on if owed_to else None,
    )
    uow.audit.record(
        action="report.generated",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        meetings=len(meetings),
        requests=len(requests),
        letters=len(letters),
        conference_id=owed_to.id if owed_to else None,
    )
    return report


def acting_for_report(uow: UnitOfWork, case: Case, user: str, *, now: datetime) -> str | None:
    """None for the case's chair or the coordinator; whom a delegate stands in for; anyone else is refused."""
    return acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[chair_of(case), coordinator_of(case)],
        step=f"have the review conference report for {case.reference}",
        who="the chair ({owner}), the coordinator, or their delegates for chairing or the coordinator's work",
    ).on_behalf_of


# --- helpers ---------------------------------------------------------------------------------


def _cp9_form(case: Case, meetings) -> str | None:
    """The CP9's name when the procedure asks for one, or when an earlier one is on record; else None."""
    rule = policy_for(case.organisation).cp9
    on_record = next((m.cp9.form_name for m in meetings if m.cp9), None)
    return rule.form_name if rule.enabled else on_record


def _person(case: Case, user_id: str | None, label: str | None) -> Person:
    if user_id is None:
        return Person("participant", label=label)
    if user_id == case.chair:
        role = "chair"
    elif user_id == case.team_leader:
        role = "team_leader"
    elif user_id in case.users_with(Role.MEMBER):
        role = "member"
    elif user_id == case.organisation.coordinator:
        role = "coordinator"
    else:
        role = "invited"
    return Person(role, user_id=user_id)


def _meeting(uow: UnitOfWork, case: Case, record, *, today) -> ReportMeeting:
    calendar = calendar_for(case.organisation)
    meeting = uow.meetings.require(record.meeting_id)
    checklist = [
        (item.label, getattr(record, item.key, None) or (record.extra_checklist or {}).get(item.key) or "")
        for item in policy_for(case.organisation).checklist
    ]
    receipt = uow.receipts.for_record(record.id)
    cp9 = uow.cp9s.for_record(record.id)
    return ReportMeeting(
        held_on=calendar.local_date(record.held_at),
        kind=meeting.kind if meeting else "regular",
        attendance=tuple(
            (
                _person(case, a.user_id, a.label),
                "attended" if a.attended else ("absent" if a.invited else "not invited"),
            )
            for a in record.attendance
        ),
        not_invited_reason=record.not_invited_reason,
        checklist=tuple(checklist),
        actions_added=len(record.actions),
        significant_amendment=record.significant_amendment,
        institution=record.institution,
        plan=_plan(receipt, calendar) if receipt else None,
        cp9=Cp9Line(
            cp9.form_name, cp9.due_on, cp9.sent_on, calendar.local_date(cp9.received_at) if cp9.received_at else None
        )
        if cp9
        else None,
    )


def _plan(receipt: PlanReceipt, calendar) -> PlanLine:
    on_time = late = outstanding = 0
    for copy in receipt.copies:
        if copy.status == CopyStatus.RECEIVED:
            done = calendar.local_date(copy.received_at)
        elif copy.status == CopyStatus.SENT and not copy.has_slack:
            done = copy.sent_on
        else:
            outstanding += 1
            continue
        if done <= receipt.due_on:
            on_time += 1
        else:
            late += 1
    return PlanLine(receipt.due_on, len(receipt.copies), on_time, late, outstanding)


def _held_on(uow: UnitOfWork, calendar, meeting_id: int | None):
    meeting = uow.meetings.get(meeting_id) if meeting_id else None
    return calendar.local_date(meeting.starts_at) if meeting else None


def _request(case: Case, r: MeetingRequest, calendar) -> RequestLine:
    def day(moment: datetime | None) -> str:
        return calendar.local_date(moment).strftime("%a %-d %b %Y") if moment else "—"

    by = _person(case, r.decided_by, None).role.replace("_", " ") if r.decided_by else ""
    if r.status == RequestStatus.PENDING:
        outcome = "Waiting for the team leader's decision"
    elif r.status == RequestStatus.APPROVED:
        outcome = f"Approved by the {by} on {day(r.decided_at)}; an additional meeting was scheduled"
    else:
        outcome = f"Refused by the {by} on {day(r.decided_at)}: {r.decision_reason or '—'}"
        if r.status == RequestStatus.WITH_COORDINATOR:
            outcome += f". The member asked the coordinator on {day(r.coordinator_asked_at)}; waiting for the outcome"
        elif r.status == RequestStatus.CONVENED:
            outcome += f". The coordinator convened the meeting after all on {day(r.outcome_at)}"
        elif r.status == RequestStatus.UPHELD:
            outcome += f". The coordinator upheld the refusal on {day(r.outcome_at)}: {r.outcome_reason or '—'}"
    return RequestLine(calendar.local_date(r.requested_at), r.requested_by, r.concern, r.urgency, r.details, outcome)
