"""Use cases for institution letters: a record's institution flag asks the chair for the details; the details
(from that request or `/core-group institution`) give the coordinator a task with a draft letter; the coordinator
marks it sent; the sweep chases a letter not sent. Each works in the caller's unit of work; the caller commits.

The institution's name is kept on the letter (it is not the child's personal data) but never written to the
audit or a log; the person in the institution is known only by their relationship to the child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.authority import COORDINATOR_OR_DELEGATE, AlreadyDoneError, acting_as, chair_of, coordinator_of
from bot.errors import InvalidInputError, NotACaseChannelError, NotAllowedError
from bot.letters import LetterDetails, next_reminder_at, person_key
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for
from bot.requests import SYSTEM_ACTOR
from bot.services.meeting_plan import route_to
from store.models import Case, CaseStatus, InstitutionLetter, LetterStatus, MeetingRecord
from store.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 500


# --- a record flags an institution ---------------------------------------------------------------


def flag_institution(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> InstitutionLetter | None:
    """A saved record says a parent or relative is in an institution: the chair is asked for the letter's details."""
    if not record.institution or uow.letters.for_record(record.id) is not None:
        return None
    if uow.letters.awaiting_details(case.id) is not None:  # the chair is already asked (and chased) for details
        return None
    calendar = calendar_for(case.organisation)
    letter = InstitutionLetter(
        case_id=case.id, record_id=record.id, status=LetterStatus.DETAILS_NEEDED, requested_by=record.recorded_by,
        requested_on_behalf_of=record.on_behalf_of, requested_at=now,
        remind_at=next_reminder_at(now, calendar=calendar), reminders_sent=0, message_keys=[], created_at=now,
    )
    uow.letters.add(letter)
    uow.audit.record(action="letter.flagged", at=now, case_id=case.id, actor=record.recorded_by,
                     on_behalf_of=record.on_behalf_of, letter_id=letter.id, record_id=record.id)
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


def letter_form(*, uow: UnitOfWork, now: datetime, user: str, channel: str | None = None,
                letter_id: int | None = None) -> LetterForm:
    """What the chair or the coordinator (or a delegate) needs to give a letter's details; refuses anyone else."""
    case, letter = _case_and_letter(uow, channel=channel, letter_id=letter_id)
    acting_for_letter(uow, case, user, now=now)
    if letter is not None:
        _require_details_needed(uow, case, letter, user)
    if case.status == CaseStatus.CLOSED:
        raise NotAllowedError(f"Case {case.reference} is closed: no letters are written for it.")
    return LetterForm(case.reference, case.channel, letter.id if letter else None, case.organisation.coordinator,
                      tuple(case.participants_without_slack))


def request_letter(*, uow: UnitOfWork, now: datetime, user: str, details: LetterDetails, channel: str | None = None,
                   letter_id: int | None = None) -> InstitutionLetter:
    """Save a letter's details, one letter per person in an institution per case: a letter about the same person
    is updated, else the letter a record asked for is completed, else a new one is made; the coordinator (or
    delegate, the coordinator keeping a copy) gets the task and the draft whenever there is something to write."""
    case, asked = _case_and_letter(uow, channel=channel, letter_id=letter_id)
    on_behalf_of = acting_for_letter(uow, case, user, now=now)
    if case.status == CaseStatus.CLOSED:
        raise NotAllowedError(f"Case {case.reference} is closed: no letters are written for it.")
    calendar = calendar_for(case.organisation)
    key = person_key(details.relationship)
    values = dict(relationship=details.relationship, person_key=key, institution_kind=details.kind,
                  institution_name=details.institution_name, contact=details.contact, details_by=user,
                  details_on_behalf_of=on_behalf_of, details_at=now, remind_at=next_reminder_at(now, calendar=calendar))
    flagged = asked or uow.letters.awaiting_details(case.id)
    letter = uow.letters.for_person(case.id, key)
    if letter is None and flagged is not None and uow.letters.give_details(flagged.id, **values):
        letter, flagged, action = uow.letters.get(flagged.id), None, "letter.requested"
    elif letter is None:
        letter = InstitutionLetter(case_id=case.id, record_id=None, status=LetterStatus.TO_SEND, requested_by=user,
                                   requested_on_behalf_of=on_behalf_of, requested_at=now, reminders_sent=0,
                                   message_keys=[], created_at=now, **values)
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
    if absorbed:
        uow.audit.record(action="letter.merged", at=now, case_id=case.id, actor=user, on_behalf_of=on_behalf_of,
                         letter_id=letter.id, merged_letter_id=flagged.id, record_id=flagged.record_id)
    letter = uow.letters.get(letter.id)
    # The institution's name is kept on the letter, never in the audit: the kind says enough.
    uow.audit.record(action=action, at=now, case_id=case.id, actor=user, on_behalf_of=on_behalf_of,
                     letter_id=letter.id, kind=letter.institution_kind, record_id=letter.record_id)
    first = action == "letter.requested"
    if action != "letter.details_confirmed" or absorbed:  # the messages with this letter's buttons show it now
        _update_all(uow, case, letter, suffix="details" if first else f"details:{now.isoformat()}", now=now)
    if action == "letter.details_confirmed":
        return letter  # the same details again: the letter stands (or was sent) as it is
    occurrence = () if first else (now.isoformat(),)
    for person, on_behalf in _coordinator_people(uow, case, now=now):
        payload = {**letter_payload(case, letter), "occasion": "requested", "on_behalf_of": on_behalf}
        key = notice_key(NoticeKind.LETTER_TO_WRITE, letter.id, person, *occurrence)
        if uow.outbox.enqueue(key=key, kind=NoticeKind.LETTER_TO_WRITE, recipient=person, now=now, case_id=case.id,
                              payload=payload):
            uow.letters.remember_messages(letter, key)
        uow.outbox.enqueue(key=notice_key(NoticeKind.LETTER_DRAFT, letter.id, person, *occurrence),
                           kind=NoticeKind.LETTER_DRAFT, recipient=person, now=now, case_id=case.id, payload=payload)
    return letter


def _differs(letter: InstitutionLetter, details: LetterDetails) -> bool:
    """Whether the submitted details change what the letter says (and so whether there is a letter to write)."""
    return (letter.relationship, letter.institution_kind, letter.institution_name, letter.contact) != (
        details.relationship, details.kind, details.institution_name, details.contact)


# --- the coordinator marks it sent ---------------------------------------------------------------


def mark_letter_sent(*, uow: UnitOfWork, now: datetime, letter_id: int, user: str) -> InstitutionLetter:
    """The coordinator (or their delegate) marks the letter sent, once; its reminders stop and its buttons go."""
    case, letter = _case_and_letter(uow, letter_id=letter_id)
    on_behalf_of = acting_as(uow=uow, organisation=case.organisation, user=user, now=now,
                             principals=[coordinator_of(case)], step="mark this letter sent",
                             who=COORDINATOR_OR_DELEGATE).on_behalf_of
    if letter.status == LetterStatus.DETAILS_NEEDED:
        raise InvalidInputError("The letter's details have not been given yet, so there is no letter to send.")
    if not uow.letters.mark_sent(letter.id, now=now, by=user, on_behalf_of=on_behalf_of):
        letter = uow.letters.require(letter.id)
        raise AlreadyDoneError(what="The letter", done="marked sent", by=letter.sent_by, at=letter.sent_at,
                               timezone=case.organisation.timezone, yours=letter.sent_by == user)
    letter = uow.letters.get(letter.id)
    uow.audit.record(action="letter.sent", at=now, case_id=case.id, actor=user, on_behalf_of=on_behalf_of,
                     letter_id=letter.id, kind=letter.institution_kind)
    _update_all(uow, case, letter, suffix="sent", now=now)
    return letter


# --- the sweep ---------------------------------------------------------------------------------


def sweep_letter_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Chase every letter not sent whose reminder is due (the chair for details, the coordinator for the letter)."""
    total = 0
    while True:
        with uow_factory() as uow:
            letters = uow.letters.claim_to_remind(now=now, limit=batch)
            cases = uow.cases.get_many(x.case_id for x in letters)
            for letter in letters:
                total += _remind(uow, cases[letter.case_id], letter, now=now)
            uow.commit()
        if len(letters) < batch:
            return total


def _remind(uow: UnitOfWork, case: Case, letter: InstitutionLetter, *, now: datetime) -> int:
    calendar = calendar_for(case.organisation)
    live = case.status != CaseStatus.CLOSED
    next_at = next_reminder_at(now, calendar=calendar) if live else None
    if not uow.letters.advance_reminder(letter.id, was=letter.remind_at, next_at=next_at, sent=live):
        return 0  # a rival sweep took it
    if not live:
        return 0
    occurrence = f"reminder{letter.reminders_sent + 1}"
    if letter.status == LetterStatus.DETAILS_NEEDED:
        sent = [_ask_for_details(uow, case, letter, occasion="reminder", now=now, occurrence=occurrence)] if case.chair else []
    else:
        sent = []
        for person, on_behalf in _coordinator_people(uow, case, now=now, copy=False):
            key = notice_key(NoticeKind.LETTER_TO_WRITE, letter.id, person, occurrence)
            payload = {**letter_payload(case, letter), "occasion": "reminder", "on_behalf_of": on_behalf}
            if uow.outbox.enqueue(key=key, kind=NoticeKind.LETTER_TO_WRITE, recipient=person, now=now,
                                  case_id=case.id, payload=payload):
                uow.letters.remember_messages(letter, key)
                sent.append(person)
    uow.audit.record(action="letter.reminded", at=now, case_id=case.id, actor=SYSTEM_ACTOR, letter_id=letter.id,
                     status=letter.status, to=[p for p in sent if p])
    return len([p for p in sent if p])


# --- helpers ---------------------------------------------------------------------------------


def acting_for_letter(uow: UnitOfWork, case: Case, user: str, *, now: datetime) -> str | None:
    """None when `user` chairs the case or is the coordinator; whom they stand in for as a delegate; else refused."""
    return acting_as(uow=uow, organisation=case.organisation, user=user, now=now,
                     principals=[chair_of(case), coordinator_of(case)],
                     step="give the details of a letter to an institution",
                     who=f"the chair of {case.reference} ({{owner}}), the coordinator, or their delegates for this "
                         "work").on_behalf_of


def letter_payload(case: Case, letter: InstitutionLetter) -> dict[str, Any]:
    """What every letter message shows (and the draft is written from)."""
    return {
        "letter_id": letter.id, "reference": case.reference, "channel": case.channel,
        "timezone": case.organisation.timezone, "organisation": case.organisation.name,
        "coordinator": case.organisation.coordinator, "chair": case.chair, "status": letter.status,
        "relationship": letter.relationship, "kind": letter.institution_kind,
        "institution_name": letter.institution_name, "contact": letter.contact,
        "requested_at": letter.requested_at.isoformat(), "requested_by": letter.requested_by,
        "details_by": letter.details_by, "details_at": letter.details_at.isoformat() if letter.details_at else None,
        "sent_by": letter.sent_by, "sent_at": letter.sent_at.isoformat() if letter.sent_at else None,
        "today": calendar_for(case.organisation).local_date(letter.details_at or letter.requested_at).isoformat(),
    }


def _ask_for_details(uow: UnitOfWork, case: Case, letter: InstitutionLetter, *, occasion: str, now: datetime,
                     occurrence: str | None = None) -> str | None:
    to, on_behalf_of = route_to(uow, case, case.chair, now=now)
    key = notice_key(NoticeKind.LETTER_DETAILS_NEEDED, letter.id, to, occurrence or occasion)
    payload = {**letter_payload(case, letter), "occasion": occasion, "on_behalf_of": on_behalf_of}
    if not uow.outbox.enqueue(key=key, kind=NoticeKind.LETTER_DETAILS_NEEDED, recipient=to, now=now, case_id=case.id,
                              payload=payload):
        return None
    uow.letters.remember_messages(letter, key)
    return to


def _coordinator_people(uow: UnitOfWork, case: Case, *, now: datetime, copy: bool = True) -> list[tuple[str, str | None]]:
    """(person, on whose behalf): the coordinator's delegate while they are away, and the coordinator's own copy."""
    coordinator = case.organisation.coordinator
    to, on_behalf_of = route_to(uow, case, coordinator, now=now)
    people = [(to, on_behalf_of)]
    if copy and to != coordinator:
        people.append((coordinator, None))
    return people


def _case_and_letter(uow: UnitOfWork, *, channel: str | None = None,
                     letter_id: int | None = None) -> tuple[Case, InstitutionLetter | None]:
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
        raise AlreadyDoneError(what="The letter's details", done="given", by=letter.details_by, at=letter.details_at,
                               timezone=case.organisation.timezone, yours=letter.details_by == user)


def _update_all(uow: UnitOfWork, case: Case, letter: InstitutionLetter, *, suffix: str, now: datetime) -> None:
    """Update every message that carried this letter's buttons, in place, with its state now."""
    changes = letter_payload(case, letter)
    for key in letter.message_keys or []:
        original = uow.outbox.get_by_key(key)
        if original is None:
            continue
        uow.outbox.enqueue(key=f"{key}:{suffix}", kind=original.kind, recipient=original.recipient, now=now,
                           case_id=original.case_id, payload={**original.payload, **changes}, replaces_key=key)
