"""Use cases for the CP9: the clock a saved record starts, the chair marking it sent, the coordinator marking
it received, and what status shows. Each works in the caller's unit of work; the caller commits.

The coordinator (or their active delegate, who gets the message while they are away, the coordinator
keeping a copy) is told the CP9 is due; the chair (or delegate) gets **Mark CP9 sent**, the coordinator
**Mark CP9 received**. Once a step is taken, the messages that carried its button are updated in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.authority import COORDINATOR_OR_DELEGATE, AlreadyDoneError, acting_as, coordinator_of
from bot.cp9 import Cp9State, check_sent_on, clean_note, cp9_schedule, cp9_state
from bot.errors import InvalidInputError, NotACaseChannelError
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for, policy_for
from bot.receipts import days_overdue
from bot.services import receipt_obligations
from bot.services.cases import case_for_channel
from bot.services.meeting_plan import route_to
from bot.services.receipts import acting_chair
from store.models import Case, Cp9, Cp9Status, MeetingRecord
from store.uow import UnitOfWork


class Cp9SentInvalidError(InvalidInputError):
    """The CP9-sent form cannot be used as it is; `errors` names each field's problem ("when", "note")."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- the clock starts -----------------------------------------------------------------------


def start_cp9(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> Cp9 | None:
    """A record was saved: the CP9 is due with the coordinator; the coordinator is told, the chair asked to send it.

    Only where the procedure has a CP9 (South Ayrshire, or an organisation's `policy` turning it on): elsewhere
    nothing starts, so no message, button, status line, Home item, digest section or report column follows.
    """
    if not policy_for(case.organisation).cp9.enabled:
        return None
    calendar = calendar_for(case.organisation)
    schedule = cp9_schedule(
        calendar.local_date(record.held_at), policy=policy_for(case.organisation), calendar=calendar
    )
    cp9 = Cp9(
        record_id=record.id,
        case_id=case.id,
        meeting_id=record.meeting_id,
        form_name=schedule.form_name,
        held_on=schedule.held_on,
        nominal_due_on=schedule.nominal_due_on,
        due_on=schedule.due_on,
        due_at=schedule.due_at,
        status=Cp9Status.PENDING,
        chair_message_keys=[],
        coordinator_message_keys=[],
        created_at=now,
    )
    uow.cp9s.add(cp9)
    receipt_obligations.owe_cp9(uow, case, cp9, now=now)
    uow.audit.record(
        action="cp9.clock_started",
        at=now,
        case_id=case.id,
        actor=record.recorded_by,
        record_id=record.id,
        cp9_id=cp9.id,
        form_name=cp9.form_name,
        nominal_due_on=cp9.nominal_due_on.isoformat(),
        due_on=cp9.due_on.isoformat(),
    )
    coordinator = case.organisation.coordinator
    to, on_behalf_of = route_to(uow, case, coordinator, now=now)
    for person in dict.fromkeys((to, coordinator)):  # away: the delegate has it, the coordinator keeps a copy
        key = notice_key(NoticeKind.CP9_DUE, cp9.id, person)
        payload = {
            **cp9_payload(case, cp9),
            "occasion": "recorded",
            "on_behalf_of": on_behalf_of if person == to else None,
            "delegate": to if person != to else None,
        }
        if uow.outbox.enqueue(
            key=key, kind=NoticeKind.CP9_DUE, recipient=person, now=now, case_id=case.id, payload=payload
        ):
            uow.cp9s.remember_messages(cp9, coordinator=(key,))
    uow.audit.record(
        action="cp9.coordinator_told", at=now, case_id=case.id, actor=to, on_behalf_of=on_behalf_of, cp9_id=cp9.id
    )
    if case.chair:
        tell_chair(uow, case, cp9, occasion="recorded", now=now)
    return cp9


def tell_chair(uow: UnitOfWork, case: Case, cp9: Cp9, *, occasion: str, now: datetime) -> str | None:
    """Send the chair (or their delegate) the CP9's deadline with Mark CP9 sent; who it went to (None: sent before)."""
    if case.chair is None:  # the caller tells the chair only when the case has one
        raise ValueError(f"case {case.id} has no chair to tell")
    to, on_behalf_of = route_to(uow, case, case.chair, now=now)
    key = notice_key(NoticeKind.CP9_TO_SEND, cp9.id, to, occasion)
    payload = {**cp9_payload(case, cp9), "occasion": occasion, "on_behalf_of": on_behalf_of}
    if not uow.outbox.enqueue(
        key=key, kind=NoticeKind.CP9_TO_SEND, recipient=to, now=now, case_id=case.id, payload=payload
    ):
        return None
    uow.cp9s.remember_messages(cp9, chair=(key,))
    return to


def cp9_payload(case: Case, cp9: Cp9) -> dict[str, Any]:
    """What every CP9 message shows: the case, the meeting, both deadlines and where the form is."""
    return {
        "cp9_id": cp9.id,
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "form_name": cp9.form_name,
        "days": (cp9.nominal_due_on - cp9.held_on).days,
        "held_on": cp9.held_on.isoformat(),
        "nominal_due_on": cp9.nominal_due_on.isoformat(),
        "due_on": cp9.due_on.isoformat(),
        "chair": case.chair,
        "coordinator": case.organisation.coordinator,
        "status": cp9.status,
        "sent_on": cp9.sent_on.isoformat() if cp9.sent_on else None,
        "sent_by": cp9.sent_by,
        "sent_note": cp9.sent_note,
        "received_at": cp9.received_at.isoformat() if cp9.received_at else None,
        "received_by": cp9.received_by,
    }


# --- the chair marks it sent, the coordinator marks it received -----------------------------


@dataclass(frozen=True)
class Cp9SentForm:
    """What the CP9-sent form shows."""

    cp9_id: int
    reference: str
    form_name: str
    coordinator: str
    held_on: date
    due_on: date
    today: date


def cp9_sent_form(
    *, uow: UnitOfWork, now: datetime, user: str, channel: str | None = None, cp9_id: int | None = None
) -> Cp9SentForm:
    """What the chair (or their delegate) needs to mark the CP9 sent; says so when it already is."""
    if channel is not None and cp9_id is None:
        _require_cp9_procedure(uow, channel)
    case, cp9 = _cp9(uow, channel=channel, cp9_id=cp9_id)
    acting_chair(uow, case, user, now=now, step=f"mark the {cp9.form_name} sent")
    _require_pending(cp9, case, user)
    return Cp9SentForm(
        cp9.id,
        case.reference,
        cp9.form_name,
        case.organisation.coordinator,
        cp9.held_on,
        cp9.due_on,
        calendar_for(case.organisation).local_date(now),
    )


def mark_cp9_sent(
    *, uow: UnitOfWork, now: datetime, cp9_id: int, user: str, sent_on: date | None, note: str | None = None
) -> Cp9:
    """The chair (or delegate) marks the CP9 sent (once); the chair's buttons go, the coordinator sees it."""
    case, cp9 = _cp9(uow, cp9_id=cp9_id)
    on_behalf_of = acting_chair(uow, case, user, now=now, step=f"mark the {cp9.form_name} sent")
    _require_pending(cp9, case, user)
    errors = {}
    problem = check_sent_on(sent_on, held_on=cp9.held_on, today=calendar_for(case.organisation).local_date(now))
    if problem:
        errors["when"] = problem
    try:
        note = clean_note(note)
    except InvalidInputError as error:
        errors["note"] = error.message
    if errors or sent_on is None:  # no day has its error
        raise Cp9SentInvalidError(errors)
    if not uow.cp9s.mark_sent(cp9.id, now=now, sent_on=sent_on, note=note, by=user, on_behalf_of=on_behalf_of):
        _require_pending(uow.cp9s.require(cp9.id), case, user)
    cp9 = uow.cp9s.require(cp9.id)
    receipt_obligations.cp9_sent(uow, case, cp9, by=user, on_behalf_of=on_behalf_of, now=now)
    uow.audit.record(
        action="cp9.sent",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        cp9_id=cp9.id,
        sent_on=sent_on.isoformat(),
        late=sent_on > cp9.due_on,
        with_note=note is not None,
    )
    _update_all(uow, case, cp9, suffix="sent", now=now)
    return cp9


def mark_cp9_received(*, uow: UnitOfWork, now: datetime, cp9_id: int, user: str) -> Cp9:
    """The coordinator (or delegate) marks the CP9 received (once); every button about it goes."""
    case, cp9 = _cp9(uow, cp9_id=cp9_id)
    on_behalf_of = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[coordinator_of(case)],
        step=f"mark the {cp9.form_name} received",
        who=COORDINATOR_OR_DELEGATE,
    ).on_behalf_of
    if not uow.cp9s.mark_received(cp9.id, now=now, by=user, on_behalf_of=on_behalf_of):
        cp9 = uow.cp9s.require(cp9.id)
        raise AlreadyDoneError(
            what=f"The {cp9.form_name}",
            done="marked received",
            by=cp9.received_by,
            at=cp9.received_at,
            timezone=case.organisation.timezone,
            yours=cp9.received_by == user,
        )
    cp9 = uow.cp9s.require(cp9.id)
    receipt_obligations.cp9_received(uow, cp9, by=user, on_behalf_of=on_behalf_of, now=now)
    uow.audit.record(
        action="cp9.received",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        cp9_id=cp9.id,
        late=now > cp9.due_at,
    )
    _update_all(uow, case, cp9, suffix="received", now=now)
    return cp9


# --- what status shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cp9StatusView:
    """The CP9 of the case's latest recorded meeting, as status shows it."""

    timezone: str
    form_name: str
    held_on: date
    nominal_due_on: date
    due_on: date
    state: Cp9State
    sent_on: date | None
    sent_by: str | None
    received_at: datetime | None
    days_overdue: int


def cp9_status(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> Cp9StatusView | None:
    """The CP9 part of `/core-group status`, for anyone who may see the case; None before any record."""
    case = case_for_channel(channel, user, uow=uow)
    cp9 = uow.cp9s.latest_for_case(case.id)
    if cp9 is None:
        return None
    today = calendar_for(case.organisation).local_date(now)
    return Cp9StatusView(
        case.organisation.timezone,
        cp9.form_name,
        cp9.held_on,
        cp9.nominal_due_on,
        cp9.due_on,
        cp9_state(status=cp9.status, due_at=cp9.due_at, now=now),
        cp9.sent_on,
        cp9.sent_by,
        cp9.received_at,
        days_overdue(cp9.due_on, today=today),
    )


# --- helpers --------------------------------------------------------------------------------


def _require_cp9_procedure(uow: UnitOfWork, channel: str) -> None:
    """`/core-group cp9-sent` where the procedure has no CP9 (and none is on record) says so."""
    case = uow.cases.get_by_channel(channel)
    if case is None or policy_for(case.organisation).cp9.enabled or uow.cp9s.latest_for_case(case.id):
        return
    raise InvalidInputError(
        f"{case.organisation.name}'s procedure ({case.organisation.profile}) has no CP9: there is "
        "nothing to mark sent. An organisation turns it on with `cp9: {enabled: true}` under `policy`."
    )


def _cp9(uow: UnitOfWork, *, channel: str | None = None, cp9_id: int | None = None) -> tuple[Case, Cp9]:
    if cp9_id is not None:
        cp9 = uow.cp9s.get(cp9_id)
        if cp9 is None:
            raise InvalidInputError("That meeting's CP9 no longer exists.")
        return uow.cases.require(cp9.case_id), cp9
    case = uow.cases.get_by_channel(channel or "")
    if case is None:
        raise NotACaseChannelError()
    cp9 = uow.cp9s.latest_for_case(case.id)
    if cp9 is None:
        raise InvalidInputError(
            f"No meeting of {case.reference} has been recorded yet, so no {policy_for(case.organisation).cp9.form_name} "
            "is due: record the meeting with `/core-group record` first."
        )
    return case, cp9


def _require_pending(cp9: Cp9, case: Case, user: str) -> None:
    """Refuse a second "sent": say who marked it sent (or received) and when."""
    timezone = case.organisation.timezone
    if cp9.status == Cp9Status.SENT:
        raise AlreadyDoneError(
            what=f"The {cp9.form_name}",
            done="marked sent",
            by=cp9.sent_by,
            at=cp9.sent_at,
            timezone=timezone,
            yours=cp9.sent_by == user,
        )
    if cp9.status == Cp9Status.RECEIVED:
        raise AlreadyDoneError(
            what=f"The {cp9.form_name}",
            done="marked received",
            by=cp9.received_by,
            at=cp9.received_at,
            timezone=timezone,
        )


def _update_all(uow: UnitOfWork, case: Case, cp9: Cp9, *, suffix: str, now: datetime) -> None:
    """Update every message about this CP9 that carried a button, in place, with its state now."""
    changes = cp9_payload(case, cp9)
    for key in [*(cp9.chair_message_keys or []), *(cp9.coordinator_message_keys or [])]:
        original = uow.outbox.get_by_key(key)
        if original is None:
            continue
        uow.outbox.enqueue(
            key=f"{key}:{suffix}",
            kind=original.kind,
            recipient=original.recipient,
            now=now,
            case_id=original.case_id,
            payload={**original.payload, **changes},
            replaces_key=key,
        )
