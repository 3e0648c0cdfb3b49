"""Payloads of the review conference's notices and significant-amendment referrals (review_conference.py, reviews.py)."""

from __future__ import annotations

from datetime import date, datetime

from bot.notice_payloads.base import NoticePayload
from bot.notice_payloads.chased import Chased


class ConferenceNotice(Chased):
    """The review conference as its notices show it."""

    reference: str
    channel: str
    conference_id: int
    conference_on: date
    conference_name: str
    report_due_on: date
    chair: str | None = None


class ReviewConferenceSet(ConferenceNotice):
    """To the case channel: the date, the report's due date."""

    set_by: str | None = None
    via: str | None = None
    previous: date | None = None


class ReviewReportDue(ConferenceNotice):
    """To the chair (ledger): produce the report with `/core-group report`."""


class ReviewOutcomeDue(ConferenceNotice):
    """To the coordinator (ledger): record the conference's decision."""


class PlanAmendmentReferred(Chased):
    """To the referral's recipient: a meeting recorded a significant amendment (counts and dates, no words)."""

    reference: str
    channel: str
    timezone: str
    referral_id: int
    held_at: datetime
    chair: str | None = None
    attended: int = 0
    absent: int = 0
    actions: int = 0
    to_name: str
    days: int | None = None
    due_at: datetime
    conference_name: str
    stand_in: bool = False
    # The meeting's summary (MeetingRecorded's fields), carried on the first message.
    recorded_by: str | None = None
    attended_users: tuple[str, ...] = ()
    attended_labels: tuple[str, ...] = ()
    absent_users: tuple[str, ...] = ()
    absent_labels: tuple[str, ...] = ()
    next_due_on: date | None = None
    significant_amendment: bool | None = None


class ReferralAnswered(NoticePayload):
    """To the case channel and the coordinator: how a referral was answered."""

    reference: str
    answer: str
    to_name: str
    by: str
    on_behalf_of: str | None = None
    held_on: date
    conference_name: str
    brought_forward_to: date | None = None
