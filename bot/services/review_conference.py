"""The review conference the core group reports to (review CPPM in Scotland), kept on the ledger of obligations.

Each case has its next review conference: set by the organisation file (`review_conference:`), by
`/core-group review-conference`, or by a conference chair bringing it forward after a significant-amendment
referral. Setting it owes two things, opened (or moved with the date) in the same unit of work:
- `review_report`: the core group's report, by the chair, the profile's working days before the conference;
  discharged when `/core-group report` is produced for it;
- `review_outcome`: what the conference decided, recorded by the coordinator from the working day after it.
The plan continuing starts the next cycle (a new conference row); the child's name being removed is recorded by
the deregistration flow, which ends the cycle here (`end_review_cycle`).

A meeting record flagging a significant amendment opens an `amendment_referral` owed by the profile's recipient
(the case's conference chair from the organisation file, or the coordinator), due the profile's calendar days on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from bot.notices import NoticeKind, notice_key
from bot.obligations import ObligationKind
from bot.organisation import calendar_for, policy_for
from bot.policy import ReferralRecipient
from bot.services.meeting_plan import route_to
from bot.services.obligations import discharge_obligation, move_obligation, open_obligation, waive_obligation
from store.db import required
from store.models import (
    AmendmentReferral,
    Case,
    MeetingRecord,
    Obligation,
    ReferralStatus,
    ReviewConference,
    ReviewStatus,
)
from store.uow import UnitOfWork

CONFERENCE = "review_conference"  # the subject type of a conference's obligations
REFERRAL = "amendment_referral"
#: A report counts for a conference when produced this many working days before it is due, or later.
REPORT_WINDOW_WORKING_DAYS = 10
REMOVED_REASON = "The child's name was removed from the register at the review conference."


def report_due_on(case: Case, held_on: date) -> date:
    """The day the core group's report to a conference on `held_on` is owed (the profile's working days before)."""
    days = policy_for(case.organisation).review_conference.report_working_days_before
    return calendar_for(case.organisation).subtract_working_days(held_on, days)


def set_review_conference(
    *,
    uow: UnitOfWork,
    now: datetime,
    case: Case,
    held_on: date,
    by: str,
    on_behalf_of: str | None = None,
    via: str = "command",
) -> ReviewConference | None:
    """Set the case's next review conference (or move the one set): its report and its decision are owed; audited and
    the case channel told. None when that date is already the one to come."""
    row = uow.reviews.scheduled_for(case.id)
    if row is not None and row.held_on == held_on:
        return None
    previous = row.held_on if row is not None else None
    if row is None:
        row = uow.reviews.add(
            ReviewConference(case_id=case.id, held_on=held_on, status=ReviewStatus.SCHEDULED, set_by=by, set_at=now)
        )
    else:
        row.held_on, row.set_by, row.set_at = held_on, by, now
    _owe(uow, case, row, now=now)
    uow.audit.record(
        action="review_conference.set",
        at=now,
        case_id=case.id,
        actor=by,
        on_behalf_of=on_behalf_of,
        conference_id=row.id,
        held_on=held_on.isoformat(),
        previous=previous.isoformat() if previous else None,
        via=via,
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.REVIEW_CONFERENCE_SET, row.id, held_on.isoformat(), now.isoformat()),
        kind=NoticeKind.REVIEW_CONFERENCE_SET,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload={
            **_conference_payload(case, row),
            "set_by": by,
            "on_behalf_of": on_behalf_of,
            "via": via,
            "previous": previous.isoformat() if previous else None,
        },
    )
    return row


def _owe(uow: UnitOfWork, case: Case, row: ReviewConference, *, now: datetime) -> None:
    """Open (or move) the conference's report, owed by the chair, and its decision, owed by the coordinator."""
    calendar = calendar_for(case.organisation)
    owed = (
        (ObligationKind.REVIEW_REPORT, "chair", case.chair, calendar.end_of_day(report_due_on(case, row.held_on))),
        (
            ObligationKind.REVIEW_OUTCOME,
            "coordinator",
            case.organisation.coordinator,
            calendar.at_local(calendar.add_working_days(row.held_on, 1), time(9, 0)),
        ),
    )
    for kind, role, owner, due_at in owed:
        found = uow.obligations.find_open(kind=kind, subject_type=CONFERENCE, subject_id=row.id)
        if found is None:
            open_obligation(
                uow=uow,
                case=case,
                kind=kind,
                subject_type=CONFERENCE,
                subject_id=row.id,
                owner_role=role,
                owner=owner,
                due_at=due_at,
                now=now,
            )
        elif found.due_at != due_at:
            move_obligation(uow=uow, case=case, row=found, due_at=due_at, now=now)


def open_conference_obligation(uow: UnitOfWork, row: ReviewConference, kind: str) -> Obligation | None:
    """The conference's open obligation of `kind`, if it is still owed."""
    return uow.obligations.find_open(kind=kind, subject_type=CONFERENCE, subject_id=row.id)


def discharge_review_report(
    *, uow: UnitOfWork, now: datetime, case: Case, by: str, on_behalf_of: str | None
) -> ReviewConference | None:
    """A report produced in the weeks before the conference discharges the report owed to it; the conference, or
    None when no report was owed (none set, already produced, or too early to count)."""
    row = uow.reviews.scheduled_for(case.id)
    owed = open_conference_obligation(uow, row, ObligationKind.REVIEW_REPORT) if row is not None else None
    if owed is None:
        return None
    calendar = calendar_for(case.organisation)
    due_on = required(owed.due_local_date, Obligation, f"{owed.id} due_local_date")  # set when it opened
    if calendar.local_date(now) < calendar.subtract_working_days(due_on, REPORT_WINDOW_WORKING_DAYS):
        return None  # a report months ahead says nothing of the months to come
    discharge_obligation(uow=uow, row=owed, by=by, now=now, on_behalf_of=on_behalf_of, outcome="produced")
    return row


def end_review_cycle(*, uow: UnitOfWork, now: datetime, case: Case, by: str, on_behalf_of: str | None) -> None:
    """The child's name was removed from the register (the deregistration flow): the conference to come is decided
    so, its decision is no longer owed, and neither is its report nor any referral's answer."""
    row = uow.reviews.scheduled_for(case.id)
    if row is not None and uow.reviews.decide(row.id, status=ReviewStatus.REMOVED, by=by, now=now):
        outcome = open_conference_obligation(uow, row, ObligationKind.REVIEW_OUTCOME)
        if outcome is not None:
            discharge_obligation(uow=uow, row=outcome, by=by, now=now, on_behalf_of=on_behalf_of, outcome="removed")
        uow.audit.record(
            action="review_conference.decided",
            at=now,
            case_id=case.id,
            actor=by,
            on_behalf_of=on_behalf_of,
            conference_id=row.id,
            decision=ReviewStatus.REMOVED,
        )
    for owed in uow.obligations.open_for_case(case.id):
        if owed.kind in (
            ObligationKind.REVIEW_REPORT,
            ObligationKind.REVIEW_OUTCOME,
            ObligationKind.AMENDMENT_REFERRAL,
        ):
            waive_obligation(uow=uow, row=owed, by=by, reason=REMOVED_REASON, now=now, on_behalf_of=on_behalf_of)


def _conference_payload(case: Case, row: ReviewConference) -> dict:
    policy = policy_for(case.organisation)
    return {
        "reference": case.reference,
        "channel": case.channel,
        "conference_id": row.id,
        "conference_on": row.held_on.isoformat(),
        "conference_name": policy.review_conference.name,
        "report_due_on": report_due_on(case, row.held_on).isoformat(),
        "chair": case.chair,
    }


# --- significant-amendment referrals ----------------------------------------------------------------


def referral_recipient(case: Case) -> tuple[str, str, bool]:
    """(who answers a referral, their role on the ledger, whether the coordinator stands in for a conference chair
    the organisation file does not name)."""
    rule = policy_for(case.organisation).amendment_referral
    if rule.to == ReferralRecipient.CONFERENCE_CHAIR and case.conference_chair:
        return case.conference_chair, "conference_chair", False
    return case.organisation.coordinator, "coordinator", rule.to == ReferralRecipient.CONFERENCE_CHAIR


def referral_to_name(case: Case, referred_to: str | None) -> str:
    """The title of whoever a referral went to: the profile's, unless the coordinator stands in for a chair."""
    rule = policy_for(case.organisation).amendment_referral
    if rule.to == ReferralRecipient.CONFERENCE_CHAIR and referred_to != case.conference_chair:
        return "the coordinator"
    return rule.to_name


def referral_words(case: Case) -> str:
    """Whom a significant amendment is referred to, in the profile's words ("the CPPM chair for the review CPPM")."""
    policy = policy_for(case.organisation)
    _, _, stand_in = referral_recipient(case)
    to = (
        "the coordinator (no conference chair is named for this case)"
        if stand_in
        else policy.amendment_referral.to_name
    )
    return f"{to} for the {policy.review_conference.name}"


def refer_amendment(*, uow: UnitOfWork, now: datetime, case: Case, record: MeetingRecord, summary: dict) -> None:
    """A record flagging a significant amendment: an answer is owed by the profile's recipient within its days; they
    are told now (with the buttons to answer), chased on the ledger, and the coordinator is told of a breach."""
    person, role, stand_in = referral_recipient(case)
    rule = policy_for(case.organisation).amendment_referral
    referral = uow.referrals.add(
        AmendmentReferral(
            case_id=case.id, record_id=record.id, referred_to=person, referred_at=now, status=ReferralStatus.OPEN
        )
    )
    due_at = now + timedelta(days=rule.days)
    opened = open_obligation(
        uow=uow,
        case=case,
        kind=ObligationKind.AMENDMENT_REFERRAL,
        subject_type=REFERRAL,
        subject_id=referral.id,
        owner_role=role,
        owner=person,
        due_at=due_at,
        now=now,
    )
    to, on_behalf_of = route_to(uow, case, person, now=now)
    key = notice_key(NoticeKind.PLAN_AMENDMENT_REFERRED, record.id, to)
    uow.outbox.enqueue(
        key=key,
        kind=NoticeKind.PLAN_AMENDMENT_REFERRED,
        recipient=to,
        now=now,
        case_id=case.id,
        payload={
            **summary,
            **referral_payload(case, referral, record, due_at=due_at),
            "on_behalf_of": on_behalf_of,
            "owner": person,
            "obligation_id": opened,
            "stand_in": stand_in,
        },
    )
    if opened is not None:  # answering updates this first message in place, as it does the ledger's chases
        uow.obligations.require(opened).notice_keys = [key]
    uow.audit.record(
        action="meeting.referred_to_review",
        at=now,
        case_id=case.id,
        actor=record.recorded_by,
        record_id=record.id,
        referral_id=referral.id,
        to=to,
        on_behalf_of=on_behalf_of,
        due_at=due_at.isoformat(),
    )


def referral_payload(case: Case, referral: AmendmentReferral, record: MeetingRecord, *, due_at: datetime) -> dict:
    """What every message about a referral carries: roles, counts, dates and ids; no words of the record."""
    policy = policy_for(case.organisation)
    return {
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "held_at": record.held_at.isoformat(),
        "chair": case.chair,
        "referral_id": referral.id,
        "attended": len(record.attendees()),
        "absent": len(record.invited_absentees()),
        "actions": len(record.actions),
        "to_name": referral_to_name(case, referral.referred_to),
        "days": policy.amendment_referral.days,
        "due_at": due_at.isoformat(),
        "conference_name": policy.review_conference.name,
    }


# --- the ledger's chases (obligation_sweep NOTICES entries) ---------------------------------------


def review_report_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The chair is reminded of the report owed to the review conference (and, once overdue, the coordinator)."""
    conference = uow.reviews.get(row.subject_id)
    if conference is None:
        return None
    return NoticeKind.REVIEW_REPORT_DUE, _conference_payload(case, conference)


def review_outcome_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The coordinator is asked what the review conference decided (a button opens the form)."""
    conference = uow.reviews.get(row.subject_id)
    if conference is None:
        return None
    return NoticeKind.REVIEW_OUTCOME_DUE, _conference_payload(case, conference)


def amendment_referral_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The referral's recipient is chased with the same message and buttons; at the breach, the coordinator too."""
    referral = uow.referrals.get(row.subject_id)
    record = uow.meeting_records.get(referral.record_id) if referral is not None else None
    if referral is None or record is None:
        return None
    return NoticeKind.PLAN_AMENDMENT_REFERRED, referral_payload(case, referral, record, due_at=row.due_at)


#: The kinds this feature has the ledger chase (added to obligation_sweep.NOTICES).
REVIEW_NOTICES: dict[str, Callable[[UnitOfWork, Case, Obligation], tuple[NoticeKind, dict] | None]] = {
    ObligationKind.REVIEW_REPORT: review_report_notice,
    ObligationKind.REVIEW_OUTCOME: review_outcome_notice,
    ObligationKind.AMENDMENT_REFERRAL: amendment_referral_notice,
}
