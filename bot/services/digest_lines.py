"""The digest's lines for each kind on the ledger (registered with `bot.services.digest_ledger.renderer`).

Each renderer gets the organisation's listed rows of its kinds and fetches what the feature keeps about them (the CP9,
the letter, the request ...) in one query, for those rows only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot import digest as rules
from bot.digest import DigestItem
from bot.obligations import ObligationKind, Stage
from bot.organisation import policy_for
from bot.requests import URGENT_DECISION
from bot.services.digest_ledger import OVERDUE, Context, renderer
from bot.services.review_conference import referral_to_name
from store.models import (
    AmendmentReferral,
    CaseStatus,
    Cp9,
    Deregistration,
    DeregistrationStatus,
    DueStatus,
    InstitutionLetter,
    LetterStatus,
    MeetingAction,
    MeetingDue,
    MeetingRecord,
    MeetingRequest,
    Obligation,
    PlanCopy,
    PlanReceipt,
    RequestStatus,
    ReviewConference,
)

_MEETINGS_OWED = (ObligationKind.FIRST_MEETING, ObligationKind.NEXT_MEETING)


@renderer(ObligationKind.CP9_SENT, section="cp9", due_soon_working_days=10)
def cp9_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """CP9s overdue or falling due, not marked sent (the chair's)."""
    cp9s = ctx.uow.obligations.subjects(Cp9, (r.subject_id for r in rows))
    found = []
    for row in rows:
        cp9, case = cp9s.get(row.subject_id), ctx.cases[row.case_id]
        if cp9 is None:
            continue
        common: dict[str, Any] = dict(
            reference=case.reference, channel=case.channel, form_name=cp9.form_name, held_on=cp9.held_on
        )
        if row.stage in OVERDUE:
            found.append(rules.cp9_overdue_item(**common, due_on=cp9.due_on, today=ctx.today, chair=case.chair))
        else:
            found.append(rules.cp9_due_item(**common, due_on=cp9.due_on, chair=case.chair))
    return found


@renderer(ObligationKind.CP9_RECEIVED, section="cp9", any_stage=True)
def cp9_sent_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """CP9s marked sent that the coordinator has not marked received."""
    cp9s = ctx.uow.obligations.subjects(Cp9, (r.subject_id for r in rows))
    return [
        rules.cp9_sent_item(
            reference=case.reference,
            channel=case.channel,
            form_name=cp9.form_name,
            sent_on=cp9.sent_on or ctx.today,
            due_on=cp9.due_on,
        )
        for row in rows
        if (cp9 := cp9s.get(row.subject_id)) and (case := ctx.cases[row.case_id]).status == CaseStatus.OPEN
    ]


@renderer(ObligationKind.PLAN_COPY_SENT, ObligationKind.PLAN_COPY_RECEIVED, section="plan_copies")
def plan_copy_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Plan copies still owed past their deadline (not sent, or not confirmed), one item per meeting."""
    copies = ctx.uow.obligations.subjects(PlanCopy, (r.subject_id for r in rows))
    receipts = ctx.uow.obligations.subjects(PlanReceipt, (c.receipt_id for c in copies.values()))
    owed: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if (copy := copies.get(row.subject_id)) is not None and copy.receipt_id in receipts:
            owed[copy.receipt_id].add(copy.id)
    found = []
    for receipt_id, copy_ids in owed.items():
        receipt = receipts[receipt_id]
        case = ctx.cases[receipt.case_id]
        found.append(
            rules.plan_copies_item(
                reference=case.reference,
                channel=case.channel,
                held_on=receipt.held_on,
                due_on=receipt.due_on,
                owed=len(copy_ids),
                today=ctx.today,
                chair=case.chair,
            )
        )
    return found


@renderer(*_MEETINGS_OWED, section="meetings", due_soon_working_days=rules.NOT_SCHEDULED_WORKING_DAYS)
def meeting_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Meetings owed: a breach of the limit since the last one, overdue with nothing scheduled, or due soon with
    nothing scheduled yet."""
    dues = ctx.uow.obligations.subjects(MeetingDue, (r.subject_id for r in rows))
    found = []
    for row in rows:
        due, case = dues.get(row.subject_id), ctx.cases[row.case_id]
        if due is None or case.status != CaseStatus.OPEN:
            continue
        common: dict[str, Any] = dict(reference=case.reference, channel=case.channel, chair=case.chair)
        if row.stage == Stage.BREACHED and row.breach_at is not None:
            # The limit is the day before the breach rung (09:00 the day after the last day allowed).
            limit = ctx.calendar.local_date(row.breach_at) - timedelta(days=1)
            found.append(rules.meeting_breach_item(**common, breach_on=limit))
        elif row.stage in OVERDUE and due.status == DueStatus.FLAGGED:
            found.append(rules.meeting_overdue_item(**common, due_on=due.due_on))
        elif row.stage not in OVERDUE and due.status == DueStatus.OPEN:
            found.append(rules.meeting_not_scheduled_item(**common, due_on=due.due_on))
    return found


@renderer(ObligationKind.MEETING_RECORD, section="unrecorded", stages=(Stage.BREACHED,))
def unrecorded_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Meetings whose record is owed past its breach: held, or not, but never recorded."""
    return [
        rules.unrecorded_meeting_item(
            reference=case.reference,
            channel=case.channel,
            held_on=ctx.calendar.local_date(r.due_at),
            today=ctx.today,
            chair=case.chair,
        )
        for r in rows
        if (case := ctx.cases[r.case_id])
    ]


@renderer(ObligationKind.ACTION, section="actions")
def action_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Actions past their date and not done: whose they are, from which meeting (never their words)."""
    actions = ctx.uow.obligations.subjects(MeetingAction, (r.subject_id for r in rows))
    records = ctx.uow.obligations.subjects(MeetingRecord, (a.record_id for a in actions.values()))
    found = []
    for row in rows:
        action, case = actions.get(row.subject_id), ctx.cases[row.case_id]
        if action is None or action.record_id not in records:
            continue
        found.append(
            rules.action_item(
                reference=case.reference,
                channel=case.channel,
                held_on=ctx.calendar.local_date(records[action.record_id].held_at),
                due_on=action.due_on,
                today=ctx.today,
                owner=action.owner_user_id,
                chair=case.chair,
            )
        )
    return found


@renderer(ObligationKind.REQUEST_DECISION, URGENT_DECISION, section="requests")
@renderer(ObligationKind.COORDINATOR_DECISION, section="escalations", any_stage=True)
def request_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Requests for an additional meeting: escalations waiting for the coordinator, and requests still undecided
    after their reminder or escalation."""
    requests = ctx.uow.obligations.subjects(MeetingRequest, (r.subject_id for r in rows))
    coordinator = ctx.organisation.coordinator
    found, seen = [], set()
    for row in rows:
        r, case = requests.get(row.subject_id), ctx.cases[row.case_id]
        if r is None or r.id in seen or case.status != CaseStatus.OPEN:
            continue
        if r.status not in (RequestStatus.PENDING, RequestStatus.WITH_COORDINATOR):
            continue
        seen.add(r.id)
        common = dict(reference=case.reference, channel=case.channel, concern=r.concern, urgency=r.urgency)
        people = dict(requester=r.requested_by, decider=r.decider)
        if r.status == RequestStatus.WITH_COORDINATOR:
            since = ctx.calendar.local_date(r.coordinator_asked_at or ctx.now)
            found.append(rules.escalation_item(**common, **people, since=since, asked=True))
        elif r.escalated_at and coordinator in (r.escalated_to, r.escalated_on_behalf_of):
            since = ctx.calendar.local_date(r.escalated_at)
            found.append(rules.escalation_item(**common, **people, since=since, asked=False))
        elif r.reminded_at or r.escalated_at:  # the ledger sweep (before the digest) reminded or escalated it
            waiting = r.escalated_to or r.reminded_to or r.routed_to
            requested_on = ctx.calendar.local_date(r.requested_at)
            found.append(rules.request_item(**common, requested_on=requested_on, waiting_on=waiting))
    return found


@renderer(ObligationKind.AMENDMENT_REFERRAL, section="referrals", any_stage=True)
def referral_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Significant-amendment referrals not answered yet, however old: until their recipient answers."""
    referrals = ctx.uow.obligations.subjects(AmendmentReferral, (r.subject_id for r in rows))
    records = ctx.uow.obligations.subjects(MeetingRecord, (r.record_id for r in referrals.values()))
    cases = ctx.uow.cases.get_many(r.case_id for r in rows)  # the referral's recipient is read from its roles
    found = []
    for row in rows:
        referral = referrals.get(row.subject_id)
        record = records.get(referral.record_id) if referral else None
        if referral is None or record is None or row.case_id not in cases:
            continue
        case = ctx.cases[row.case_id]
        found.append(
            rules.referral_item(
                reference=case.reference,
                channel=case.channel,
                held_on=ctx.calendar.local_date(record.held_at),
                due_on=ctx.calendar.local_date(row.due_at),
                to_name=referral_to_name(cases[row.case_id], referral.referred_to),
                today=ctx.today,
                waiting_on=row.owner,
            )
        )
    return found


@renderer(ObligationKind.REVIEW_REPORT, section="reviews", any_stage=True)
def review_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Review conferences in the next working days whose report is still owed."""
    horizon = ctx.calendar.add_working_days(ctx.today, rules.REVIEW_WORKING_DAYS)
    conferences = ctx.uow.obligations.subjects(ReviewConference, (r.subject_id for r in rows))
    name = policy_for(ctx.organisation).review_conference.name
    return [
        rules.review_item(
            reference=case.reference,
            channel=case.channel,
            name=name,
            held_on=conference.held_on,
            due_on=row.due_local_date or ctx.calendar.local_date(row.due_at),
            today=ctx.today,
            chair=case.chair,
        )
        for row in rows
        if (conference := conferences.get(row.subject_id))
        and ctx.today <= conference.held_on <= horizon
        and (case := ctx.cases[row.case_id])
    ]


@renderer(ObligationKind.REVIEW_OUTCOME, section="outcomes")
def outcome_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Review conferences whose decision the coordinator has not recorded past its time."""
    conferences = ctx.uow.obligations.subjects(ReviewConference, (r.subject_id for r in rows))
    name = policy_for(ctx.organisation).review_conference.name
    return [
        rules.outcome_item(
            reference=case.reference,
            channel=case.channel,
            name=name,
            held_on=conference.held_on,
            coordinator=row.owner or ctx.organisation.coordinator,
        )
        for row in rows
        if (conference := conferences.get(row.subject_id)) and (case := ctx.cases[row.case_id])
    ]


@renderer(ObligationKind.LETTER_DETAILS, ObligationKind.LETTER_SENT, section="letters", any_stage=True)
def letter_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Institution letters not sent yet: details awaited from the chair, or to be written."""
    letters = ctx.uow.obligations.subjects(InstitutionLetter, (r.subject_id for r in rows))
    found, seen = [], set()
    for row in rows:
        x, case = letters.get(row.subject_id), ctx.cases[row.case_id]
        if x is None or x.id in seen or x.status not in LetterStatus.open():
            continue
        seen.add(x.id)
        found.append(
            rules.letter_item(
                reference=case.reference,
                channel=case.channel,
                status=x.status,
                since=ctx.calendar.local_date(x.requested_at),
                relationship=x.relationship,
                kind=x.institution_kind,
                waiting_on=case.chair,
            )
        )
    return found


@renderer(ObligationKind.POST_DEREG_MEETING, section="deregistrations")
def window_lines(ctx: Context, rows: Sequence[Obligation]) -> list[DigestItem]:
    """Post-deregistration meeting windows that closed with no outcome recorded (one line per deregistration)."""
    deregistrations = ctx.uow.obligations.subjects(Deregistration, (r.subject_id for r in rows))
    found, seen = [], set()
    for row in rows:
        d, case = deregistrations.get(row.subject_id), ctx.cases[row.case_id]
        if d is None or d.id in seen or d.status != DeregistrationStatus.TRACKING or d.window_closes_on is None:
            continue
        seen.add(d.id)
        found.append(
            rules.window_missed_item(
                reference=case.reference, channel=case.channel, closes_on=d.window_closes_on, convener=d.convener
            )
        )
    return found
