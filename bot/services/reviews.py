"""Use cases people take on the review conference: set its date (`/core-group review-conference`), record what it
decided (the coordinator's button the working day after), and answer a significant-amendment referral (brought
forward to a date, or considered with no early review). Each checks who is acting (the person, or their active
delegate), saves, audits and tells people in the caller's unit of work; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.authority import COORDINATOR_OR_DELEGATE, acting_as, coordinator_of, duty_in
from bot.errors import CoreGroupError, InvalidInputError, NotAllowedError, StaleButtonError
from bot.meetings import REASON_LIMIT
from bot.notices import NoticeKind, notice_key
from bot.obligations import ObligationKind
from bot.organisation import calendar_for, policy_for
from bot.orgfile import LATEST
from bot.services.deregistration import acting_for, case_in
from bot.services.obligations import discharge_obligation, waive_obligation
from bot.services.review_conference import (
    REFERRAL,
    open_conference_obligation,
    referral_to_name,
    report_due_on,
    set_review_conference,
)
from store.db import required
from store.models import AmendmentReferral, Case, CaseStatus, ReferralStatus, ReviewConference, ReviewStatus
from store.uow import UnitOfWork


class AlreadyAnsweredError(CoreGroupError):
    """A decision or an answer was recorded already (a second click, or someone else first)."""


@dataclass(frozen=True)
class ConferenceView:
    """A review conference as people are told of it."""

    reference: str
    channel: str
    conference_id: int
    conference_name: str
    held_on: date
    report_due_on: date
    previous: date | None = None


def _view(case: Case, row: ReviewConference, previous: date | None = None) -> ConferenceView:
    return ConferenceView(
        case.reference,
        case.channel,
        row.id,
        policy_for(case.organisation).review_conference.name,
        row.held_on,
        report_due_on(case, row.held_on),
        previous,
    )


def _future_date(case: Case, day: date | None, *, now: datetime, what: str) -> date:
    today = calendar_for(case.organisation).local_date(now)
    if day is None:
        raise InvalidInputError(f"Give the date of {what} (YYYY-MM-DD).")
    if day < today:
        raise InvalidInputError(f"{day:%a %-d %b %Y} has passed: give the date of {what}, today or later.")
    if day > LATEST:
        raise InvalidInputError(f"{day.isoformat()} is too far ahead: give the date of {what}.")
    return day


# --- /core-group review-conference YYYY-MM-DD --------------------------------------------------------


def set_conference_by_command(
    *, uow: UnitOfWork, now: datetime, channel: str, user: str, held_on: date | None
) -> ConferenceView:
    """The chair or the coordinator (or a delegate) sets the case's next review conference; audited, channel told."""
    case = case_in(channel, uow)
    name = policy_for(case.organisation).review_conference.name
    on_behalf_of = acting_for(
        uow,
        case,
        user,
        (case.chair, case.organisation.coordinator),
        now=now,
        who=f"the chair of {case.reference} or the coordinator",
        doing=f"set its {name}",
    )
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is {case.status}: it has no {name} to come.")
    held_on = _future_date(case, held_on, now=now, what=f"the {name}")
    before = uow.reviews.scheduled_for(case.id)
    previous = before.held_on if before is not None else None
    row = set_review_conference(uow=uow, now=now, case=case, held_on=held_on, by=user, on_behalf_of=on_behalf_of)
    if row is None:
        raise InvalidInputError(f"The {name} for {case.reference} is already set for {held_on:%a %-d %b %Y}.")
    return _view(case, row, previous)


# --- the conference's decision (the coordinator) ------------------------------------------------------


def _decidable(
    uow: UnitOfWork, conference_id: int, user: str, *, now: datetime
) -> tuple[Case, ReviewConference, str | None]:
    row = uow.reviews.get(conference_id)
    if row is None:
        raise StaleButtonError()
    case = uow.cases.require(row.case_id)
    name = policy_for(case.organisation).review_conference.name
    on_behalf_of = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[coordinator_of(case)],
        who=COORDINATOR_OR_DELEGATE,
        step=f"record what the {name} for {case.reference} decided",
    ).on_behalf_of
    if row.status != ReviewStatus.SCHEDULED:
        said = "the plan continues" if row.status == ReviewStatus.CONTINUES else "the child's name was removed"
        raise AlreadyAnsweredError(
            f"The decision of the {name} of {row.held_on:%a %-d %b %Y} was already recorded: {said}."
        )
    if case.status != CaseStatus.OPEN:
        raise AlreadyAnsweredError(f"Case {case.reference} is already {case.status}.")
    if row.held_on > calendar_for(case.organisation).local_date(now):
        raise InvalidInputError(f"The {name} is on {row.held_on:%a %-d %b %Y}: record its decision after it.")
    return case, row, on_behalf_of


def outcome_form(*, uow: UnitOfWork, now: datetime, conference_id: int, user: str) -> ConferenceView:
    """The decision form, for the coordinator (or delegate) of a conference held and not yet decided."""
    case, row, _ = _decidable(uow, conference_id, user, now=now)
    return _view(case, row)


def deregistration_channel(*, uow: UnitOfWork, now: datetime, conference_id: int, user: str) -> str:
    """The child's name was removed: the case's channel, for the deregistration flow to take over (it records the
    decision and ends the cycle when it is saved)."""
    case, _, _ = _decidable(uow, conference_id, user, now=now)
    return case.channel


def record_plan_continues(
    *, uow: UnitOfWork, now: datetime, conference_id: int, user: str, next_on: date | None
) -> ConferenceView:
    """The plan continues: the conference is decided, its decision no longer owed, and the next one is set (the
    cycle repeats: its report and its decision are owed)."""
    case, row, on_behalf_of = _decidable(uow, conference_id, user, now=now)
    name = policy_for(case.organisation).review_conference.name
    next_on = _future_date(case, next_on, now=now, what=f"the next {name}")
    if next_on <= row.held_on:
        raise InvalidInputError(f"The next {name} must come after the one of {row.held_on:%a %-d %b %Y}.")
    if not uow.reviews.decide(row.id, status=ReviewStatus.CONTINUES, by=user, now=now):
        raise AlreadyAnsweredError(f"The decision of the {name} of {row.held_on:%a %-d %b %Y} was already recorded.")
    outcome = open_conference_obligation(uow, row, ObligationKind.REVIEW_OUTCOME)
    if outcome is not None:
        discharge_obligation(uow=uow, row=outcome, by=user, now=now, on_behalf_of=on_behalf_of, outcome="continues")
    report = open_conference_obligation(uow, row, ObligationKind.REVIEW_REPORT)
    if report is not None:  # the conference was held without the group's report: it is no longer owed
        waive_obligation(
            uow=uow, row=report, by=user, reason="The review conference was held.", now=now, on_behalf_of=on_behalf_of
        )
    uow.audit.record(
        action="review_conference.decided",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        conference_id=row.id,
        decision=ReviewStatus.CONTINUES,
        next_on=next_on.isoformat(),
    )
    following = set_review_conference(
        uow=uow,
        now=now,
        case=case,
        held_on=next_on,
        by=user,
        on_behalf_of=on_behalf_of,
        via="review conference decision",
    )
    following = required(following, ReviewConference, f"after {row.id}")  # the decided one is no longer to come
    return _view(case, following, row.held_on)


# --- significant-amendment referrals (the conference chair, or the profile's recipient) ---------------


@dataclass(frozen=True)
class ReferralView:
    """A referral as its answer form and its confirmation show it."""

    referral_id: int
    reference: str
    channel: str
    to_name: str
    conference_name: str
    held_on: date  # the meeting that made it
    conference_on: date | None  # the review conference to come, if set
    answer: str = ""
    brought_forward_to: date | None = None


def _answerable(uow: UnitOfWork, referral_id: int, user: str, *, now: datetime):
    referral = uow.referrals.get(referral_id)
    if referral is None:
        raise StaleButtonError()
    case = uow.cases.require(referral.case_id)
    person = referral.referred_to
    on_behalf_of = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[(person, duty_in(case, person))],
        step="answer this referral",
        who=f"{referral_to_name(case, person)} for {case.reference} ({{owner}}) or their delegate",
    ).on_behalf_of
    if referral.status != ReferralStatus.OPEN:
        said = (
            "the review conference was brought forward"
            if referral.status == ReferralStatus.BROUGHT_FORWARD
            else "considered: no early review"
        )
        raise AlreadyAnsweredError(f"This referral was already answered: {said}.")
    if case.status != CaseStatus.OPEN:
        raise AlreadyAnsweredError(f"Case {case.reference} is already {case.status}.")
    return case, referral, on_behalf_of


def _referral_view(uow: UnitOfWork, case: Case, referral: AmendmentReferral, answer: str = "") -> ReferralView:
    policy = policy_for(case.organisation)
    record = uow.meeting_records.require(referral.record_id)
    conference = uow.reviews.scheduled_for(case.id)
    return ReferralView(
        referral.id,
        case.reference,
        case.channel,
        referral_to_name(case, referral.referred_to),
        policy.review_conference.name,
        calendar_for(case.organisation).local_date(record.held_at),
        conference.held_on if conference else None,
        answer,
        referral.brought_forward_to,
    )


def referral_form(*, uow: UnitOfWork, now: datetime, referral_id: int, user: str) -> ReferralView:
    """The answer forms, for the referral's recipient (or delegate) while it is unanswered."""
    case, referral, _ = _answerable(uow, referral_id, user, now=now)
    return _referral_view(uow, case, referral)


def answer_referral(
    *,
    uow: UnitOfWork,
    now: datetime,
    referral_id: int,
    user: str,
    brought_forward_to: date | None = None,
    reason: str | None = None,
    considered: bool = False,
) -> ReferralView:
    """Brought forward to a date (the case's review conference is set to it) or considered with no early review (a
    reason, kept on the referral; the audit keeps its length): the referral is answered and leaves the digest."""
    case, referral, on_behalf_of = _answerable(uow, referral_id, user, now=now)
    name = policy_for(case.organisation).review_conference.name
    values = {"answered_by": user, "on_behalf_of": on_behalf_of, "answered_at": now}
    if considered:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInputError("Give the reason there is no early review.")
        if len(reason) > REASON_LIMIT:
            raise InvalidInputError(f"Keep the reason under {REASON_LIMIT} characters.")
        values.update(status=ReferralStatus.CONSIDERED, reason=reason)
        brought_forward_to = None  # a date sent with "considered" is not used
    else:
        brought_forward_to = _future_date(case, brought_forward_to, now=now, what=f"the {name}")
        conference = uow.reviews.scheduled_for(case.id)
        if conference is not None and brought_forward_to >= conference.held_on:
            raise InvalidInputError(
                f"The {name} is already set for {conference.held_on:%a %-d %b %Y}: bringing "
                "it forward means an earlier date."
            )
        values.update(status=ReferralStatus.BROUGHT_FORWARD, brought_forward_to=brought_forward_to)
    if not uow.referrals.answer(referral.id, **values):
        raise AlreadyAnsweredError("This referral was already answered.")
    if brought_forward_to is not None:  # brought forward (not considered)
        set_review_conference(
            uow=uow,
            now=now,
            case=case,
            held_on=brought_forward_to,
            by=user,
            on_behalf_of=on_behalf_of,
            via="significant-amendment referral",
        )
    owed = uow.obligations.find_open(
        kind=ObligationKind.AMENDMENT_REFERRAL, subject_type=REFERRAL, subject_id=referral.id
    )
    if owed is not None:
        discharge_obligation(
            uow=uow, row=owed, by=user, now=now, on_behalf_of=on_behalf_of, outcome=str(values["status"])
        )
    uow.audit.record(
        action="referral.answered",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        referral_id=referral.id,
        answer=str(values["status"]),
        brought_forward_to=brought_forward_to.isoformat() if brought_forward_to else None,
        reason_length=len(reason or "") if considered else None,
    )
    view = _referral_view(uow, case, referral, answer=str(values["status"]))
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.REFERRAL_ANSWERED, referral.id),
        kind=NoticeKind.REFERRAL_ANSWERED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload={
            "reference": case.reference,
            "answer": view.answer,
            "to_name": view.to_name,
            "by": user,
            "on_behalf_of": on_behalf_of,
            "held_on": view.held_on.isoformat(),
            "conference_name": name,
            "brought_forward_to": brought_forward_to.isoformat() if brought_forward_to else None,
        },
    )
    return view
