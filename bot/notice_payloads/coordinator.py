"""Payloads of the coordinator's notices and the few with no feature of their own: digest, letters, delegates,
members, failed deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.digest import Digest
from bot.notice_payloads.base import NoticePayload
from bot.notice_payloads.chased import Chased


class CoordinatorDigest(NoticePayload):
    """To the coordinator (or delegate), each working day: what needs them (`Digest.to_payload` plus whom)."""

    organisation: str
    day: date
    open_cases: int = 0
    on_time: int = 0
    sections: tuple[dict[str, Any], ...] = ()
    recipient: str | None = None
    on_behalf_of: str | None = None
    coordinator: str | None = None

    def digest(self) -> Digest:
        """The digest itself, section by section."""
        return Digest.from_payload(self.to_json())


class LetterNotice(Chased):
    """An institution letter as its notices show it (the institution's details are the coordinator's, not a child's)."""

    letter_id: int
    reference: str
    channel: str
    timezone: str
    organisation: str | None = None
    chair: str | None = None
    coordinator: str | None = None
    status: str | None = None
    kind: str | None = None
    institution_name: str | None = None
    contact: str | None = None
    relationship: str | None = None
    requested_by: str | None = None
    requested_at: datetime | None = None
    details_by: str | None = None
    details_at: datetime | None = None
    sent_by: str | None = None
    sent_at: datetime | None = None
    occasion: str | None = None
    today: date | None = None


class LetterDetailsNeeded(LetterNotice):
    """To the chair: a record flagged an institution; Give the details."""


class LetterToWrite(LetterNotice):
    """To the coordinator (or delegate): the letter's task, Letter sent."""


class LetterDraft(LetterNotice):
    """To the coordinator (or delegate): the draft letter, as a document."""


class DelegateAppointed(NoticePayload):
    """To the new delegate: whom they stand in for, in what, until when."""

    principal: str
    scope: str
    until: date


class MemberAdded(NoticePayload):
    """To the case channel: someone joined the core group, with their role."""

    reference: str
    member: str
    role: str
    added_by: str
    on_behalf_of: str | None = None


class DeliveryFailed(NoticePayload):
    """To the organisation's admins: a notice could not be delivered, and why."""

    kind: str
    recipient: str
    error: str
    reference: str | None = None
