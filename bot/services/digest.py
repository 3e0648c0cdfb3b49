"""The coordinator's digest: one query function per feature, the digest they make, and the daily sweeper.

Each `*_items` function asks one feature's repository for what needs the coordinator and turns it into
`DigestItem`s (the rules in `bot/digest.py` do the ordering and counting). `build_digest` is also what the
coordinator's Home tab shows live. `send_daily_digests` enqueues one digest per organisation per working day,
at the profile's `digest_time`, keyed by digest + organisation + local date, so however often the sweep runs,
exactly one goes; none on a weekend, bank holiday or closure day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot import digest as rules
from bot.authority import Duty, recipient_for
from bot.digest import Digest, DigestItem, assemble_digest, digest_day, digest_key
from bot.notice_payloads.coordinator import CoordinatorDigest
from bot.notices import NoticeKind
from bot.obligations import ObligationKind, Stage
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from bot.services.review_conference import referral_to_name
from store.db import required
from store.models import Case, CaseStatus, Deregistration, DueStatus, Obligation, Organisation, RequestStatus
from store.uow import UnitOfWork, UnitOfWorkFactory

#: CP9s pending with a deadline further off than this are not listed as due (none are: the CP9 is 7 days).
_CP9_HORIZON = timedelta(days=60)


def build_digest(*, uow: UnitOfWork, organisation: Organisation, now: datetime) -> Digest:
    """Everything that needs the organisation's coordinator at `now`, section by section, oldest first."""
    cases = _Cases(uow)
    items = {
        "cp9": cp9_items(uow, organisation, now, cases),
        **request_items(uow, organisation, now, cases),
        "referrals": referral_items(uow, organisation, now, cases),
        "reviews": review_items(uow, organisation, now, cases),
        "letters": letter_items(uow, organisation, now, cases),
        "plan_copies": plan_copy_items(uow, organisation, now, cases),
        "meetings": meeting_items(uow, organisation, now, cases),
        "unrecorded": unrecorded_meeting_items(uow, organisation, now, cases),
        "deregistrations": deregistration_items(uow, organisation, now, cases),
    }
    open_refs = [c.reference for c in uow.cases.list(status=CaseStatus.OPEN) if c.organisation_id == organisation.id]
    form_name = policy_for(organisation).cp9.form_name
    return assemble_digest(
        organisation=organisation.name,
        day=calendar_for(organisation).local_date(now),
        open_references=open_refs,
        items=items,
        titles={"cp9": f"{form_name}s due and overdue"},
    )


def send_daily_digests(*, uow_factory: UnitOfWorkFactory, now: datetime) -> int:
    """Enqueue today's digest for each organisation whose digest time has come on a working day; how many."""
    with uow_factory() as uow:
        organisation_ids = [o.id for o in uow.organisations.list()]
    sent = 0
    for organisation_id in organisation_ids:
        with uow_factory() as uow:
            organisation = uow.organisations.require(organisation_id)
            day = digest_day(now, calendar=calendar_for(organisation), policy=policy_for(organisation))
            if day is None or uow.outbox.get_by_key(digest_key(organisation.id, day)) is not None:
                continue
            digest = build_digest(uow=uow, organisation=organisation, now=now)
            to, on_behalf_of = coordinator_route(uow, organisation, now=now)
            payload = CoordinatorDigest.from_json(
                {
                    **digest.to_payload(),
                    "recipient": to,
                    "on_behalf_of": on_behalf_of,
                    "coordinator": organisation.coordinator,
                }
            )
            if uow.outbox.enqueue(
                key=digest_key(organisation.id, day),
                kind=NoticeKind.COORDINATOR_DIGEST,
                recipient=to,
                now=now,
                payload=payload,
                platform=organisation.platform,  # no case: the organisation's own platform
            ):
                uow.audit.record(
                    action="digest.sent",
                    at=now,
                    actor=SYSTEM_ACTOR,
                    to=to,
                    on_behalf_of=on_behalf_of,
                    day=day.isoformat(),
                    items=digest.total,
                    sections={s.key: s.count for s in digest.non_empty()},
                )
                sent += 1
            uow.commit()
    return sent


def coordinator_route(uow: UnitOfWork, organisation: Organisation, *, now: datetime) -> tuple[str, str | None]:
    """Who gets what is meant for the coordinator today: their active delegate (on their behalf), else them."""
    return recipient_for(
        uow=uow, organisation=organisation, principal=organisation.coordinator, duty=Duty.COORDINATE, now=now
    )


# --- one query function per feature ---------------------------------------------------------------


class _Cases:
    """Cases by id, loaded once per digest; closed cases are left out of every section."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow, self.known = uow, dict[int, Case]()

    def load(self, ids) -> dict[int, Case]:
        ids = list(ids)
        missing = set(ids) - set(self.known)
        if missing:
            self.known.update(self.uow.cases.get_many(missing))
        return {i: self.known[i] for i in ids if i in self.known and self.known[i].status != CaseStatus.CLOSED}


def cp9_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Plan copies and the CP9 (issue 6): CP9s overdue, due, and sent but not marked received."""
    today = calendar_for(organisation).local_date(now)
    overdue = uow.cp9s.overdue(now=now, organisation_id=organisation.id)
    due = uow.cp9s.due(now=now, until=now + _CP9_HORIZON, organisation_id=organisation.id)
    sent = uow.overview.cp9s_awaiting_receipt(organisation.id)
    known = cases.load([c.case_id for c in overdue] + [c.case_id for c in due] + [c.case_id for c in sent])
    held = _held_on(uow, organisation, [c.record_id for c in overdue])
    found = [
        rules.cp9_overdue_item(
            reference=c.reference,
            channel=known[c.case_id].channel,
            form_name=c.form_name,
            held_on=held[c.record_id],
            due_on=c.due_on,
            today=today,
            chair=known[c.case_id].chair,
        )
        for c in overdue
        if c.case_id in known
    ]
    found += [
        rules.cp9_due_item(
            reference=known[c.case_id].reference,
            channel=known[c.case_id].channel,
            form_name=c.form_name,
            held_on=c.held_on,
            due_on=c.due_on,
            chair=known[c.case_id].chair,
        )
        for c in due
        if c.case_id in known
    ]
    found += [
        rules.cp9_sent_item(
            reference=known[c.case_id].reference,
            channel=known[c.case_id].channel,
            form_name=c.form_name,
            sent_on=c.sent_on or today,
            due_on=c.due_on,
        )
        for c in sent
        if c.case_id in known
    ]
    return found


def request_items(
    uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases
) -> dict[str, list[DigestItem]]:
    """Requests for an additional meeting (issue 4): escalations waiting for the coordinator, and requests
    still undecided after their reminder or escalation time."""
    calendar = calendar_for(organisation)
    coordinator = organisation.coordinator
    requests = uow.overview.open_requests(organisation.id)
    known = cases.load(r.case_id for r in requests)
    escalations, late = [], []
    for r in requests:
        case = known.get(r.case_id)
        if case is None:
            continue
        common = dict(reference=case.reference, channel=case.channel, concern=r.concern, urgency=r.urgency)
        if r.status == RequestStatus.WITH_COORDINATOR:
            escalations.append(
                rules.escalation_item(
                    **common,
                    since=calendar.local_date(r.coordinator_asked_at or now),
                    asked=True,
                    requester=r.requested_by,
                    decider=r.decider,
                )
            )
        elif r.escalated_at and coordinator in (r.escalated_to, r.escalated_on_behalf_of):
            escalations.append(
                rules.escalation_item(
                    **common,
                    since=calendar.local_date(r.escalated_at),
                    asked=False,
                    requester=r.requested_by,
                    decider=r.decider,
                )
            )
        elif r.reminded_at or r.escalated_at:  # the ledger sweep (before the digest) reminded or escalated it
            waiting = r.escalated_to or r.reminded_to or r.routed_to
            late.append(
                rules.request_item(**common, requested_on=calendar.local_date(r.requested_at), waiting_on=waiting)
            )
    return {"escalations": escalations, "requests": late}


def referral_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Significant-amendment referrals (the ledger) not answered yet, however old: until their recipient answers."""
    calendar, today = calendar_for(organisation), calendar_for(organisation).local_date(now)
    owed = _open_of_kind(uow, organisation, ObligationKind.AMENDMENT_REFERRAL)
    referrals = uow.referrals.get_many(o.subject_id for o in owed)
    known = cases.load(o.case_id for o in owed)
    items = []
    for o in owed:
        referral = referrals.get(o.subject_id)
        record = uow.meeting_records.get(referral.record_id) if referral else None
        if o.case_id in known and referral is not None and record is not None:
            items.append(
                rules.referral_item(
                    reference=known[o.case_id].reference,
                    channel=known[o.case_id].channel,
                    held_on=calendar.local_date(record.held_at),
                    due_on=calendar.local_date(o.due_at),
                    to_name=referral_to_name(known[o.case_id], referral.referred_to),
                    today=today,
                    waiting_on=o.owner,
                )
            )
    return items


def review_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Review conferences in the next working days whose report (the ledger) is still owed."""
    calendar, today = calendar_for(organisation), calendar_for(organisation).local_date(now)
    horizon = calendar.add_working_days(today, rules.REVIEW_WORKING_DAYS)
    owed = _open_of_kind(uow, organisation, ObligationKind.REVIEW_REPORT)
    conferences = uow.reviews.get_many(o.subject_id for o in owed)
    known = cases.load(o.case_id for o in owed)
    name = policy_for(organisation).review_conference.name
    return [
        rules.review_item(
            reference=known[o.case_id].reference,
            channel=known[o.case_id].channel,
            name=name,
            held_on=conferences[o.subject_id].held_on,
            due_on=o.due_local_date,
            today=today,
            chair=known[o.case_id].chair,
        )
        for o in owed
        if o.case_id in known and o.subject_id in conferences and today <= conferences[o.subject_id].held_on <= horizon
    ]


def _open_of_kind(uow: UnitOfWork, organisation: Organisation, kind: str):
    """The organisation's open obligations of one kind, at any stage, oldest due first."""
    return uow.obligations.overdue_for_organisation(organisation.id, stages=tuple(Stage), kinds=(kind,))


def letter_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Institution letters (this issue) not sent yet: details awaited from the chair, or to be written."""
    calendar = calendar_for(organisation)
    letters = uow.letters.not_sent(organisation_id=organisation.id)
    known = cases.load(letter.case_id for letter in letters)
    return [
        rules.letter_item(
            reference=known[x.case_id].reference,
            channel=known[x.case_id].channel,
            status=x.status,
            since=calendar.local_date(x.requested_at),
            relationship=x.relationship,
            kind=x.institution_kind,
            waiting_on=known[x.case_id].chair,
        )
        for x in letters
        if x.case_id in known
    ]


def plan_copy_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Plan copies (issue 6) still owed after their deadline, one item per meeting."""
    today = calendar_for(organisation).local_date(now)
    by_record: dict[int, list] = defaultdict(list)
    for copy in uow.receipts.overdue_copies(now=now, organisation_id=organisation.id):
        by_record[copy.record_id].append(copy)
    known = cases.load(copies[0].case_id for copies in by_record.values())
    held = _held_on(uow, organisation, list(by_record))
    found = []
    for record_id, copies in by_record.items():
        case = known.get(copies[0].case_id)
        if case is None:
            continue
        found.append(
            rules.plan_copies_item(
                reference=case.reference,
                channel=case.channel,
                held_on=held[record_id],
                due_on=copies[0].due_on,
                owed=len(copies),
                today=today,
                chair=case.chair,
            )
        )
    return found


_MEETINGS_OWED = (ObligationKind.FIRST_MEETING, ObligationKind.NEXT_MEETING)


def meeting_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Meetings (issue 5): overdue with nothing scheduled, due soon and not scheduled, or recently held late."""
    calendar = calendar_for(organisation)
    today = calendar.local_date(now)
    case_ids = uow.overview.case_ids(organisation.id)
    flagged = uow.meetings.overdue(organisation_case_ids=case_ids)
    breached = [
        r
        for r in uow.obligations.overdue_for_organisation(
            organisation.id, stages=(Stage.BREACHED,), kinds=_MEETINGS_OWED
        )
        if r.breach_at
    ]
    soon = uow.overview.dues_not_scheduled(
        organisation.id, by=calendar.add_working_days(today, rules.NOT_SCHEDULED_WORKING_DAYS)
    )
    known = cases.load([d.case_id for d in flagged] + [r.case_id for r in breached] + [d.case_id for d in soon])
    # The limit is the day before the breach rung (09:00 the day after the last day allowed).
    found = [
        rules.meeting_breach_item(
            reference=known[r.case_id].reference,
            channel=known[r.case_id].channel,
            breach_on=calendar.local_date(required(r.breach_at, Obligation, r.id)) - timedelta(days=1),
            chair=known[r.case_id].chair,
        )
        for r in breached
        if r.case_id in known and known[r.case_id].status == CaseStatus.OPEN
    ]
    listed = {r.subject_id for r in breached}
    for due in flagged:
        case = known.get(due.case_id)
        if case is None or due.id in listed:  # listed once, as the breach
            continue
        if due.status == DueStatus.FLAGGED and case.status == CaseStatus.OPEN:
            found.append(
                rules.meeting_overdue_item(
                    reference=case.reference, channel=case.channel, due_on=due.due_on, chair=case.chair
                )
            )
        elif due.resolved_at and due.resolved_at >= now - timedelta(days=rules.HELD_LATE_DAYS):
            found.append(
                rules.meeting_late_item(
                    reference=case.reference,
                    channel=case.channel,
                    due_on=due.due_on,
                    days_late=due.days_late or 0,
                    chair=case.chair,
                )
            )
    found += [
        rules.meeting_not_scheduled_item(
            reference=known[d.case_id].reference,
            channel=known[d.case_id].channel,
            due_on=d.due_on,
            chair=known[d.case_id].chair,
        )
        for d in soon
        if d.case_id in known
    ]
    return found


def unrecorded_meeting_items(
    uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases
) -> list[DigestItem]:
    """Meetings whose record is owed past its breach (the ledger): held, or not, but never recorded."""
    calendar = calendar_for(organisation)
    rows = uow.obligations.overdue_for_organisation(
        organisation.id, stages=(Stage.BREACHED,), kinds=(ObligationKind.MEETING_RECORD,)
    )
    known = cases.load(r.case_id for r in rows)
    return [
        rules.unrecorded_meeting_item(
            reference=known[r.case_id].reference,
            channel=known[r.case_id].channel,
            held_on=calendar.local_date(r.due_at),
            today=calendar.local_date(now),
            chair=known[r.case_id].chair,
        )
        for r in rows
        if r.case_id in known
    ]


def deregistration_items(uow: UnitOfWork, organisation: Organisation, now: datetime, cases: _Cases) -> list[DigestItem]:
    """Deregistration (issue 8): post-deregistration meeting windows that closed with no outcome."""
    missed = uow.deregistrations.missed_windows(organisation_id=organisation.id)
    known = cases.load(d.case_id for d in missed)
    return [
        rules.window_missed_item(
            reference=known[d.case_id].reference,
            channel=known[d.case_id].channel,
            closes_on=required(d.window_closes_on, Deregistration, f"{d.id} window_closes_on"),
            convener=d.convener,
        )
        for d in missed
        if d.case_id in known
    ]


def _held_on(uow: UnitOfWork, organisation: Organisation, record_ids: list[int]) -> dict:
    """The local date of each record's meeting, in one query."""
    calendar = calendar_for(organisation)
    return {i: calendar.local_date(at) for i, at in uow.overview.record_times(record_ids).items()}
