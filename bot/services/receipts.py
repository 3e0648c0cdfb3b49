"""Use cases for plan copies: the clock a saved record starts, the chair marking the plan sent, recipients
confirming, and what status shows. Each works in the caller's unit of work; the caller commits.

Everyone who attended the meeting and everyone invited but unable to attend gets a copy (the chair, who
sends it, is not asked to confirm one). People with Slack confirm with a button; for people without Slack
the chair's tick (how and when it was sent) is the end of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.authority import CHAIR_OR_DELEGATE, AlreadyDoneError, NotYoursError, acting_as, chair_of
from bot.errors import InvalidInputError, NotACaseChannelError
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for, policy_for
from bot.receipts import (
    CopyState,
    check_plan_sent,
    copy_state,
    days_overdue,
    plan_schedule,
)
from bot.services import receipt_obligations
from bot.services.cases import case_for_channel
from bot.services.meeting_plan import route_to
from store.db import required
from store.models import Case, CopyStatus, MeetingRecord, PlanCopy, PlanReceipt
from store.uow import UnitOfWork

WHAT = "The plan"


class PlanSentInvalidError(InvalidInputError):
    """The plan-sent form cannot be used as it is; `errors` names each field's problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- the clock starts -----------------------------------------------------------------------


def start_plan_receipt(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> PlanReceipt | None:
    """A record was saved: one copy per attendee and invited absentee, and the chair is asked to send the plan."""
    recipients = (*record.attendees(), *record.invited_absentees())  # never those taken off the invited list
    people = [a for a in recipients if not (a.user_id and a.user_id == case.chair)]
    if not people:
        return None
    calendar = calendar_for(case.organisation)
    schedule = plan_schedule(
        calendar.local_date(record.held_at), policy=policy_for(case.organisation), calendar=calendar
    )
    receipt = PlanReceipt(
        record_id=record.id,
        case_id=case.id,
        meeting_id=record.meeting_id,
        held_on=schedule.held_on,
        due_on=schedule.due_on,
        due_at=schedule.due_at,
        message_keys=[],
        created_at=now,
    )
    receipt.copies = [
        PlanCopy(
            case_id=case.id,
            user_id=a.user_id,
            label=a.label,
            attended=a.attended,
            status=CopyStatus.PENDING,
            due_at=schedule.due_at,
            message_keys=[],
        )
        for a in people
    ]
    uow.receipts.add(receipt)
    receipt_obligations.owe_plan_copies(uow, case, receipt, now=now)
    uow.audit.record(
        action="plan.clock_started",
        at=now,
        case_id=case.id,
        actor=record.recorded_by,
        record_id=record.id,
        receipt_id=receipt.id,
        recipients=len(receipt.copies),
        due_on=schedule.due_on.isoformat(),
    )
    if case.chair:
        tell_chair(uow, case, receipt, occasion="recorded", now=now)
    return receipt


def tell_chair(uow: UnitOfWork, case: Case, receipt: PlanReceipt, *, occasion: str, now: datetime) -> str | None:
    """Send the chair (or their delegate) the plan's recipients and deadline, with Plan sent while any is unsent."""
    if case.chair is None:  # the caller tells the chair only when the case has one
        raise ValueError(f"case {case.id} has no chair to tell")
    to, on_behalf_of = route_to(uow, case, case.chair, now=now)
    kind = NoticeKind.PLAN_TO_SEND
    key = notice_key(kind, receipt.id, to, occasion)
    payload = {**receipt_payload(case, receipt), "occasion": occasion, "on_behalf_of": on_behalf_of}
    if not uow.outbox.enqueue(key=key, kind=kind, recipient=to, now=now, case_id=case.id, payload=payload):
        return None
    if not payload["all_sent"]:
        uow.receipts.remember_messages(receipt, key)
    return to


def receipt_payload(case: Case, receipt: PlanReceipt) -> dict[str, Any]:
    """What the chair's messages show: the case, the meeting, the deadline and every copy's state."""
    return {
        "receipt_id": receipt.id,
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "chair": case.chair,
        "held_on": receipt.held_on.isoformat(),
        "due_on": receipt.due_on.isoformat(),
        "due_at": receipt.due_at.isoformat(),
        "working_days": policy_for(case.organisation).plan_receipt.working_days,
        "copies": [copy_payload(c) for c in receipt.copies],
        "all_sent": all(c.status != CopyStatus.PENDING for c in receipt.copies),
    }


def copy_payload(copy: PlanCopy) -> dict[str, Any]:
    return {
        "id": copy.id,
        "user_id": copy.user_id,
        "label": copy.label,
        "attended": copy.attended,
        "status": copy.status,
        "sent_on": copy.sent_on.isoformat() if copy.sent_on else None,
        "sent_how": copy.sent_how,
        "received_at": copy.received_at.isoformat() if copy.received_at else None,
    }


# --- the chair marks the plan sent ----------------------------------------------------------


@dataclass(frozen=True)
class PlanSentForm:
    """What the plan-sent form offers: who will be asked to confirm, and the people without Slack to tick."""

    receipt_id: int
    reference: str
    channel: str
    timezone: str
    held_on: date
    due_on: date
    today: date
    slack_to_send: tuple[str, ...]  # will get "I have received the plan"
    slack_already: tuple[str, ...]  # were asked before
    labels: tuple[tuple[int, str, bool], ...]  # (copy id, role label, attended) not yet sent


def plan_sent_form(
    *, uow: UnitOfWork, now: datetime, user: str, channel: str | None = None, receipt_id: int | None = None
) -> PlanSentForm:
    """What the chair (or their delegate) needs to mark the plan sent; says so when all is already sent."""
    case, receipt = _receipt(uow, channel=channel, receipt_id=receipt_id)
    acting_chair(uow, case, user, now=now, step="mark the plan sent")
    pending = [c for c in receipt.copies if c.status == CopyStatus.PENDING]
    if not pending:
        last = max((c for c in receipt.copies if c.sent_at), key=lambda c: c.sent_at or now, default=None)
        raise AlreadyDoneError(
            what=f"The plan for {case.reference}",
            done="marked sent to everyone",
            by=last.sent_by if last else None,
            at=last.sent_at if last else None,
            timezone=case.organisation.timezone,
            yours=bool(last and last.sent_by == user),
        )
    return PlanSentForm(
        receipt_id=receipt.id,
        reference=case.reference,
        channel=case.channel,
        timezone=case.organisation.timezone,
        held_on=receipt.held_on,
        due_on=receipt.due_on,
        today=calendar_for(case.organisation).local_date(now),
        slack_to_send=tuple(c.user_id for c in pending if c.user_id is not None),
        slack_already=tuple(
            c.user_id for c in receipt.copies if c.user_id is not None and c.status != CopyStatus.PENDING
        ),
        labels=tuple((c.id, c.label, c.attended) for c in pending if c.label is not None),  # those without Slack
    )


@dataclass(frozen=True)
class PlanSent:
    """What a plan-sent submission did, for the chair's confirmation."""

    reference: str
    asked: tuple[str, ...]  # Slack users now asked to confirm
    ticked: tuple[str, ...]  # role labels marked sent
    still_to_send: tuple[str, ...]  # role labels not sent yet


def mark_plan_sent(
    *,
    uow: UnitOfWork,
    now: datetime,
    receipt_id: int,
    user: str,
    labels: tuple[int, ...] = (),
    how: str | None = None,
    sent_on: date | None = None,
) -> PlanSent:
    """Mark the plan sent: every Slack recipient not yet asked gets "I have received the plan"; ticked people
    without Slack are marked sent, with how and when. The first submission for each copy wins."""
    case, receipt = _receipt(uow, receipt_id=receipt_id)
    on_behalf_of = acting_chair(uow, case, user, now=now, step="mark the plan sent")
    calendar = calendar_for(case.organisation)
    today = calendar.local_date(now)
    pending = {c.id: c for c in receipt.copies if c.status == CopyStatus.PENDING}
    label_ids = {c.id for c in receipt.copies if not c.has_slack}
    if set(labels) - label_ids:
        raise InvalidInputError("Only this meeting's people without Slack can be ticked.")
    labels = tuple(i for i in dict.fromkeys(labels) if i in pending)
    slack_ids = [i for i, c in pending.items() if c.has_slack]
    errors = check_plan_sent(
        labels=labels, how=how, sent_on=sent_on, held_on=receipt.held_on, today=today, slack_to_send=bool(slack_ids)
    )
    if errors:
        raise PlanSentInvalidError(errors)
    asked = uow.receipts.mark_sent(slack_ids, now=now, sent_on=today, how=None, by=user, on_behalf_of=on_behalf_of)
    ticked = (
        uow.receipts.mark_sent(labels, now=now, sent_on=sent_on, how=how, by=user, on_behalf_of=on_behalf_of)
        if sent_on is not None
        else set()
    )  # a tick needs a day (check_plan_sent): no day, none ticked
    if not (asked or ticked):
        raise AlreadyDoneError(
            what="The plan", done="marked sent", by=None, at=None, timezone=case.organisation.timezone
        )
    receipt = uow.receipts.require(receipt.id)
    receipt_obligations.plan_copies_sent(
        uow, case, receipt, asked | ticked, by=user, on_behalf_of=on_behalf_of, now=now
    )
    for copy in receipt.copies:
        if copy.id in asked or copy.id in ticked:
            uow.audit.record(
                action="plan.sent",
                at=now,
                case_id=case.id,
                actor=user,
                on_behalf_of=on_behalf_of,
                receipt_id=receipt.id,
                copy_id=copy.id,
                recipient=copy.user_id or copy.label,
                how=copy.sent_how,
                asked_to_confirm=copy.has_slack,
                sent_on=required(copy.sent_on, PlanCopy, f"{copy.id} sent_on").isoformat(),
            )
        if copy.id in asked and copy.user_id is not None:  # asked: those with Slack
            key = notice_key(NoticeKind.PLAN_COPY, copy.id, copy.user_id, "sent")
            uow.outbox.enqueue(
                key=key,
                kind=NoticeKind.PLAN_COPY,
                recipient=copy.user_id,
                now=now,
                case_id=case.id,
                payload=recipient_payload(case, receipt, copy, occasion="sent"),
            )
            uow.receipts.remember_messages(copy, key)
    changed = min(asked | ticked)  # each copy is marked sent once, so this names the submission
    payload = receipt_payload(case, receipt)
    for key in receipt.message_keys or []:
        _update(uow, key, suffix=f"sent:{changed}", changes=payload, now=now)
    return PlanSent(
        reference=case.reference,
        asked=tuple(c.user_id for c in receipt.copies if c.id in asked and c.user_id is not None),
        ticked=tuple(c.label for c in receipt.copies if c.id in ticked and c.label is not None),
        still_to_send=tuple(c.label for c in receipt.copies if c.status == CopyStatus.PENDING and c.label is not None),
    )


def recipient_payload(case: Case, receipt: PlanReceipt, copy: PlanCopy, *, occasion: str) -> dict[str, Any]:
    """What a recipient's message shows: the case, the meeting, the deadline, and their button."""
    return {
        "copy_id": copy.id,
        "reference": case.reference,
        "timezone": case.organisation.timezone,
        "held_on": receipt.held_on.isoformat(),
        "due_on": receipt.due_on.isoformat(),
        "chair": case.chair,
        "attended": copy.attended,
        "occasion": occasion,
        "confirmed_at": None,
    }


# --- a recipient confirms -------------------------------------------------------------------


def confirm_plan_receipt(*, uow: UnitOfWork, now: datetime, copy_id: int, user: str) -> PlanCopy:
    """The recipient confirms they have the plan (once; only they can); their reminders stop."""
    copy = uow.receipts.get_copy(copy_id)
    if copy is None:
        raise InvalidInputError("That copy of the plan no longer exists.")
    case = uow.cases.require(copy.case_id)
    timezone = case.organisation.timezone
    if copy.user_id != user:
        raise NotYoursError(
            step="confirm receiving this copy of the plan",
            who="the person it was sent to ({owner})",
            owner=copy.user_id,
        )
    if copy.status == CopyStatus.RECEIVED:
        raise AlreadyDoneError(what=WHAT, done="confirmed", by=user, at=copy.received_at, timezone=timezone, yours=True)
    if not uow.receipts.confirm(copy.id, user=user, now=now):
        copy = uow.receipts.require_copy(copy_id)
        if copy.status == CopyStatus.RECEIVED:
            raise AlreadyDoneError(
                what=WHAT, done="confirmed", by=user, at=copy.received_at, timezone=timezone, yours=True
            )
        raise InvalidInputError("The chair has not marked your copy of the plan sent yet.")
    copy = uow.receipts.require_copy(copy_id)
    receipt_obligations.plan_copy_received(uow, copy, by=user, now=now)
    uow.audit.record(
        action="plan.received",
        at=now,
        case_id=case.id,
        actor=user,
        receipt_id=copy.receipt_id,
        copy_id=copy.id,
        late=now > copy.due_at,
    )
    for key in copy.message_keys or []:
        _update(uow, key, suffix="received", changes={"confirmed_at": now.isoformat()}, now=now)
    receipt = uow.receipts.require(copy.receipt_id)  # the chair's messages show who has confirmed
    for key in receipt.message_keys or []:
        _update(uow, key, suffix=f"received:{copy.id}", changes=receipt_payload(case, receipt), now=now)
    return copy


# --- what status shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class CopyView:
    """One recipient's copy as status shows it."""

    user_id: str | None
    label: str | None
    attended: bool
    state: CopyState
    sent_on: date | None
    sent_how: str | None
    received_at: datetime | None
    days_overdue: int


@dataclass(frozen=True)
class PlanStatusView:
    """The plan copies of the case's latest recorded meeting."""

    timezone: str
    held_on: date
    due_on: date
    copies: tuple[CopyView, ...]


def plan_status(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> PlanStatusView | None:
    """The plan-copies part of `/core-group status`, for anyone who may see the case; None before any record."""
    case = case_for_channel(channel, user, uow=uow)
    receipt = uow.receipts.latest_for_case(case.id)
    if receipt is None:
        return None
    today = calendar_for(case.organisation).local_date(now)
    copies = tuple(
        CopyView(
            c.user_id,
            c.label,
            c.attended,
            copy_state(has_slack=c.has_slack, status=c.status, due_at=c.due_at, now=now),
            c.sent_on,
            c.sent_how,
            c.received_at,
            days_overdue(receipt.due_on, today=today),
        )
        for c in receipt.copies
    )
    return PlanStatusView(case.organisation.timezone, receipt.held_on, receipt.due_on, copies)


# --- helpers --------------------------------------------------------------------------------


def acting_chair(uow: UnitOfWork, case: Case, user: str, *, now: datetime, step: str) -> str | None:
    """None when `user` chairs the case, the chair when `user` is their active delegate; anyone else is refused."""
    return acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[chair_of(case)],
        step=step,
        who=CHAIR_OR_DELEGATE.format(reference=case.reference),
    ).on_behalf_of


def _receipt(uow: UnitOfWork, *, channel: str | None = None, receipt_id: int | None = None) -> tuple[Case, PlanReceipt]:
    if receipt_id is not None:
        receipt = uow.receipts.get(receipt_id)
        if receipt is None:
            raise InvalidInputError("That meeting's plan copies no longer exist.")
        return uow.cases.require(receipt.case_id), receipt
    case = uow.cases.get_by_channel(channel or "")
    if case is None:
        raise NotACaseChannelError()
    receipt = uow.receipts.latest_for_case(case.id)
    if receipt is None:
        raise InvalidInputError(
            f"No meeting of {case.reference} has been recorded yet, so there is no plan to send: "
            "record the meeting with `/core-group record` first."
        )
    return case, receipt


def _update(uow: UnitOfWork, key: str, *, suffix: str, changes: dict[str, Any], now: datetime) -> None:
    """Update a sent message in place (its buttons go or change) with `changes` over its payload."""
    original = uow.outbox.get_by_key(key)
    if original is None:
        return
    uow.outbox.enqueue(
        key=f"{key}:{suffix}",
        kind=original.kind,
        recipient=original.recipient,
        now=now,
        case_id=original.case_id,
        payload={**original.payload, **changes},
        replaces_key=key,
    )
