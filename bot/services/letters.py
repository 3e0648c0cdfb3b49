"""Use cases for institution letters: a record's institution flag asks the chair for the details; the details
(from that request or `/core-group institution`) give the coordinator a task with a draft letter; the coordinator
marks it sent. Each works in the caller's unit of work; the caller commits.

What is owed is in the ledger: `letter_details` (the chair's details) then `letter_sent` (the coordinator's letter),
chased every 2 working days by the ledger sweep until discharged; each chase carries the letter's buttons and is
updated in place with the rest once the letter moves on.

The institution's name is kept on the letter (it is not the child's personal data) but never written to the
audit or a log; the person in the institution is known only by their relationship to the child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.authority import COORDINATOR_OR_DELEGATE, AlreadyDoneError, acting_as, chair_of, coordinator_of
from bot.errors import InvalidInputError, NotACaseChannelError, NotAllowedError
from bot.letters import LetterDetails, person_key
from bot.notices import NoticeKind, notice_key
from bot.obligations import ObligationKind
from bot.organisation import calendar_for
from bot.requests import SYSTEM_ACTOR
from bot.services.meeting_plan import route_to
from bot.services.obligations import discharge_obligation, open_obligation
from store.db import required
from store.models import (
    Case,
    CaseStatus,
    InstitutionLetter,
    LetterStatus,
    MeetingRecord,
    Obligation,
    OutboxStatus,
    Role,
)
from store.uow import UnitOfWork

# --- a record flags an institution ---------------------------------------------------------------


def flag_institution(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> InstitutionLetter | None:
    """A saved record says a parent or relative is in an institution: the chair is asked for the letter's details."""
    if not record.institution or uow.letters.for_record(record.id) is not None:
        return None
    if uow.letters.awaiting_details(case.id) is not None:  # the chair is already asked (and chased) for details
        return None
    letter = InstitutionLetter(
        case_id=case.id,
        record_id=record.id,
        status=LetterStatus.DETAILS_NEEDED,
        requested_by=record.recorded_by,
        requested_on_behalf_of=record.on_behalf_of,
        requested_at=now,
        message_keys=[],
        created_at=now,
    )
    uow.letters.add(letter)
    _owe(uow, case, letter, ObligationKind.LETTER_DETAILS, now=now)
    uow.audit.record(
        action="letter.flagged",
        at=now,
        case_id=case.id,
        actor=record.recorded_by,
        on_behalf_of=record.on_behalf_of,
        letter_id=letter.id,
        record_id=record.id,
    )
    if case.chair:
        _ask_for_details(uow, case, letter, occasion="flagged", now=now)
    return letter


# --- the details form --------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterForm:
    """What the details form shows: the case, and the letter it completes (None: a new letter)."""

    reference: str
    channel: str
    letter_id: int | None
    coordinator: str
    participants: tuple[str, ...]  # the case's role labels, as suggestions for the relationship


def letter_form(
    *, uow: UnitOfWork, now: datetime, user: str, channel: str | None = None, letter_id: int | None = None
) -> LetterForm:
    """What the chair or the coordinator (or a delegate) needs to give a letter's details; refuses anyone else."""
    case, letter = _case_and_letter(uow, channel=channel, letter_id=letter_id)
    acting_for_letter(uow, case, user, now=now)
    if letter is not None:
        _require_details_needed(uow, case, letter, user)
    if case.status == CaseStatus.CLOSED:
        raise NotAllowedError(f"Case {case.reference} is closed: no letters are written for it.")
    return LetterForm(
        case.reference,
        case.channel,
        letter.id if letter else None,
        case.organisation.coordinator,
        tuple(case.participants_without_slack),
    )


def request_letter(
    *,
    uow: UnitOfWork,
    now: datetime,
    user: str,
    details: LetterDetails,
    channel: str | None = None,
    letter_id: int | None = None,
) -> InstitutionLetter:
    """Save a letter's details, one letter per person in an institution per case: a letter about the same person
    is updated, else the letter a record asked for is completed, else a new one is made; the coordinator (or
    delegate, the coordinator keeping a copy) gets the task and the draft whenever there is something to write."""
    case, asked = _case_and_letter(uow, channel=channel, letter_id=letter_id)
    on_behalf_of = acting_for_letter(uow, case, user, now=now)
    if case.status == CaseStatus.CLOSED:
        raise NotAllowedError(f"Case {case.reference} is closed: no letters are written for it.")
    key = person_key(details.relationship)
    values = dict(
        relationship=details.relationship,
        person_key=key,
        institution_kind=details.kind,
        institution_name=details.institution_name,
        contact=details.contact,
        details_by=user,
        details_on_behalf_of=on_behalf_of,
        details_at=now,
    )
    flagged = asked or uow.letters.awaiting_details(case.id)
    letter = uow.letters.for_person(case.id, key)
    completed = None  # the flagged letter whose details were just given (its letter_details obligation is met)
    if letter is None and flagged is not None and uow.letters.give_details(flagged.id, **values):
        letter, flagged, action = uow.letters.require(flagged.id), None, "letter.requested"
        completed = letter.id
    elif letter is None:
        letter = InstitutionLetter(
            case_id=case.id,
            record_id=None,
            status=LetterStatus.TO_SEND,
            requested_by=user,
            requested_on_behalf_of=on_behalf_of,
            requested_at=now,
            message_keys=[],
            created_at=now,
            **values,
        )
        action = "letter.requested"
        if not uow.letters.add_for_person(letter):  # a simultaneous submission wrote about this person first
            letter, action = uow.letters.for_person(case.id, key), ""
    else:
        action = ""
    if letter is None:  # pragma: no cover - the unique index means a rival's letter exists
        raise InvalidInputError("The letter could not be saved: please try again.")
    if not action:  # a second submission about the same person updates that person's letter
        action = "letter.updated" if _differs(letter, details) else "letter.details_confirmed"
        if action == "letter.updated":
            uow.letters.update_details(letter.id, reopen=letter.status == LetterStatus.SENT, **values)
    absorbed = flagged is not None and flagged.id != letter.id and uow.letters.absorb(flagged, into=letter)
    if absorbed and flagged is not None:  # (absorbed only when there was a flagged letter: said for mypy)
        completed = flagged.id
        uow.audit.record(
            action="letter.merged",
            at=now,
            case_id=case.id,
            actor=user,
            on_behalf_of=on_behalf_of,
            letter_id=letter.id,
            merged_letter_id=flagged.id,
            record_id=flagged.record_id,
        )
    letter = uow.letters.require(letter.id)
    # The institution's name is kept on the letter, never in the audit: the kind says enough.
    uow.audit.record(
        action=action,
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        letter_id=letter.id,
        kind=letter.institution_kind,
        record_id=letter.record_id,
    )
    first = action == "letter.requested"
    suffix = "details" if first else f"details:{now.isoformat()}"
    if completed is not None:
        _settle(
            uow,
            case,
            letter,
            ObligationKind.LETTER_DETAILS,
            subject_id=completed,
            by=user,
            on_behalf_of=on_behalf_of,
            outcome=suffix,
            now=now,
        )
    if action != "letter.details_confirmed" or absorbed:  # the messages with this letter's buttons show it now
        _update_all(uow, case, letter, suffix=suffix, now=now)
    if action == "letter.details_confirmed":
        return letter  # the same details again: the letter stands (or was sent) as it is
    _owe(uow, case, letter, ObligationKind.LETTER_SENT, now=now)  # owed (again, once reopened) until marked sent
    occurrence = () if first else (now.isoformat(),)
    for person, on_behalf in _coordinator_people(uow, case, now=now):
        payload = {**letter_payload(case, letter), "occasion": "requested", "on_behalf_of": on_behalf}
        key = notice_key(NoticeKind.LETTER_TO_WRITE, letter.id, person, *occurrence)
        if uow.outbox.enqueue(
            key=key, kind=NoticeKind.LETTER_TO_WRITE, recipient=person, now=now, case_id=case.id, payload=payload
        ):
            uow.letters.remember_messages(letter, key)
        uow.outbox.enqueue(
            key=notice_key(NoticeKind.LETTER_DRAFT, letter.id, person, *occurrence),
            kind=NoticeKind.LETTER_DRAFT,
            recipient=person,
            now=now,
            case_id=case.id,
            payload=payload,
        )
    return letter


def _differs(letter: InstitutionLetter, details: LetterDetails) -> bool:
    """Whether the submitted details change what the letter says (and so whether there is a letter to write)."""
    return (letter.relationship, letter.institution_kind, letter.institution_name, letter.contact) != (
        details.relationship,
        details.kind,
        details.institution_name,
        details.contact,
    )


# --- the coordinator marks it sent ---------------------------------------------------------------


def mark_letter_sent(*, uow: UnitOfWork, now: datetime, letter_id: int, user: str) -> InstitutionLetter:
    """The coordinator (or their delegate) marks the letter sent, once; its reminders stop and its buttons go."""
    case, found = _case_and_letter(uow, letter_id=letter_id)
    letter = required(found, InstitutionLetter, letter_id)  # given an id, the letter is found or refused
    on_behalf_of = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[coordinator_of(case)],
        step="mark this letter sent",
        who=COORDINATOR_OR_DELEGATE,
    ).on_behalf_of
    if letter.status == LetterStatus.DETAILS_NEEDED:
        raise InvalidInputError("The letter's details have not been given yet, so there is no letter to send.")
    if not uow.letters.mark_sent(letter.id, now=now, by=user, on_behalf_of=on_behalf_of):
        letter = uow.letters.require(letter.id)
        raise AlreadyDoneError(
            what="The letter",
            done="marked sent",
            by=letter.sent_by,
            at=letter.sent_at,
            timezone=case.organisation.timezone,
            yours=letter.sent_by == user,
        )
    letter = uow.letters.require(letter.id)
    uow.audit.record(
        action="letter.sent",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        letter_id=letter.id,
        kind=letter.institution_kind,
    )
    _settle(
        uow,
        case,
        letter,
        ObligationKind.LETTER_SENT,
        subject_id=letter.id,
        by=user,
        on_behalf_of=on_behalf_of,
        outcome="sent",
        now=now,
    )
    _update_all(uow, case, letter, suffix="sent", now=now)
    return letter


# --- the ledger: details owed by the chair, then the letter by the coordinator ---------------------------------


def _owe(uow: UnitOfWork, case: Case, letter: InstitutionLetter, kind: ObligationKind, *, now: datetime) -> None:
    chair = kind == ObligationKind.LETTER_DETAILS
    open_obligation(
        uow=uow,
        case=case,
        kind=kind,
        subject_type="letter",
        subject_id=letter.id,
        owner_role=Role.CHAIR if chair else "coordinator",
        owner=case.chair if chair else case.organisation.coordinator,
        due_at=now,
        now=now,
    )


def _settle(
    uow: UnitOfWork,
    case: Case,
    letter: InstitutionLetter,
    kind: ObligationKind,
    *,
    subject_id: int,
    by: str,
    on_behalf_of: str | None,
    outcome: str,
    now: datetime,
) -> None:
    """Discharge what is owed about letter `subject_id` (a flagged letter merged into `letter` included): its unsent
    chases are withdrawn and its latest ones updated in place with `letter` as it is now, under the keys
    `_update_all` then uses for every other message (`outcome` is its suffix), so each message is updated once."""
    row = uow.obligations.find_open(kind=kind, subject_type="letter", subject_id=subject_id)
    if row is not None:
        discharge_obligation(
            uow=uow,
            row=row,
            by=by,
            now=now,
            on_behalf_of=on_behalf_of,
            outcome=outcome,
            closing=letter_payload(case, letter),
        )


def letter_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The ledger's chase of a letter not sent: the chair for its details, or the coordinator for the letter."""
    letter = uow.letters.get(row.subject_id)
    if letter is None or letter.status not in LetterStatus.open():
        return None
    kind = NoticeKind.LETTER_DETAILS_NEEDED if row.kind == ObligationKind.LETTER_DETAILS else NoticeKind.LETTER_TO_WRITE
    return kind, {**letter_payload(case, letter), "occasion": "reminder"}


def letter_chased(
    uow: UnitOfWork, case: Case, row: Obligation, *, keys: list[str], to: list[str], stage: str, now: datetime
) -> None:
    """A chase went: its messages carry the letter's buttons, so they are updated in place when it moves on."""
    letter = uow.letters.get(row.subject_id)
    if letter is None:
        return
    uow.letters.remember_messages(letter, *keys)
    uow.audit.record(
        action="letter.reminded",
        at=now,
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        letter_id=letter.id,
        status=letter.status,
        to=to,
    )


# --- helpers ---------------------------------------------------------------------------------


def acting_for_letter(uow: UnitOfWork, case: Case, user: str, *, now: datetime) -> str | None:
    """None when `user` chairs the case or is the coordinator; whom they stand in for as a delegate; else refused."""
    return acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=[chair_of(case), coordinator_of(case)],
        step="give the details of a letter to an institution",
        who=f"the chair of {case.reference} ({{owner}}), the coordinator, or their delegates for this work",
    ).on_behalf_of


def letter_payload(case: Case, letter: InstitutionLetter) -> dict[str, Any]:
    """What every letter message shows (and the draft is written from)."""
    return {
        "letter_id": letter.id,
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "organisation": case.organisation.name,
        "coordinator": case.organisation.coordinator,
        "chair": case.chair,
        "status": letter.status,
        "relationship": letter.relationship,
        "kind": letter.institution_kind,
        "institution_name": letter.institution_name,
        "contact": letter.contact,
        "requested_at": letter.requested_at.isoformat(),
        "requested_by": letter.requested_by,
        "details_by": letter.details_by,
        "details_at": letter.details_at.isoformat() if letter.details_at else None,
        "sent_by": letter.sent_by,
        "sent_at": letter.sent_at.isoformat() if letter.sent_at else None,
        "today": calendar_for(case.organisation).local_date(letter.details_at or letter.requested_at).isoformat(),
    }


def _ask_for_details(
    uow: UnitOfWork,
    case: Case,
    letter: InstitutionLetter,
    *,
    occasion: str,
    now: datetime,
    occurrence: str | None = None,
) -> str | None:
    chair = required(case.chair, Case, f"{case.id} chair")  # asked only of a case with a chair
    to, on_behalf_of = route_to(uow, case, chair, now=now)
    key = notice_key(NoticeKind.LETTER_DETAILS_NEEDED, letter.id, to, occurrence or occasion)
    payload = {**letter_payload(case, letter), "occasion": occasion, "on_behalf_of": on_behalf_of}
    if not uow.outbox.enqueue(
        key=key, kind=NoticeKind.LETTER_DETAILS_NEEDED, recipient=to, now=now, case_id=case.id, payload=payload
    ):
        return None
    uow.letters.remember_messages(letter, key)
    return to


def _coordinator_people(
    uow: UnitOfWork, case: Case, *, now: datetime, copy: bool = True
) -> list[tuple[str, str | None]]:
    """(person, on whose behalf): the coordinator's delegate while they are away, and the coordinator's own copy."""
    coordinator = case.organisation.coordinator
    to, on_behalf_of = route_to(uow, case, coordinator, now=now)
    people = [(to, on_behalf_of)]
    if copy and to != coordinator:
        people.append((coordinator, None))
    return people


def _case_and_letter(
    uow: UnitOfWork, *, channel: str | None = None, letter_id: int | None = None
) -> tuple[Case, InstitutionLetter | None]:
    if letter_id is not None:
        letter = uow.letters.get(letter_id)
        if letter is None:
            raise InvalidInputError("That letter no longer exists.")
        return uow.cases.require(letter.case_id), letter
    case = uow.cases.get_by_channel(channel or "")
    if case is None:
        raise NotACaseChannelError()
    return case, None


def _require_details_needed(uow: UnitOfWork, case: Case, letter: InstitutionLetter, user: str) -> None:
    if letter.status != LetterStatus.DETAILS_NEEDED:
        raise AlreadyDoneError(
            what="The letter's details",
            done="given",
            by=letter.details_by,
            at=letter.details_at,
            timezone=case.organisation.timezone,
            yours=letter.details_by == user,
        )


def _update_all(uow: UnitOfWork, case: Case, letter: InstitutionLetter, *, suffix: str, now: datetime) -> None:
    """Update every message that carried this letter's buttons, in place, with its state now."""
    changes = letter_payload(case, letter)
    for key in letter.message_keys or []:
        original = uow.outbox.get_by_key(key)
        if original is None or original.status == OutboxStatus.WITHDRAWN:  # a chase that never went
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
