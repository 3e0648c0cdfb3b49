"""Payloads of deregistration, closure and re-opening (bot/services/deregistration.py, post_dereg_window.py, reopen.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.notice_payloads.base import NoticePayload
from bot.notice_payloads.chased import Chased


class DeregistrationNotice(Chased):
    """The deregistration and its post-deregistration meeting's window, as every notice about it shows them."""

    deregistration_id: int
    reference: str
    channel: str
    timezone: str
    conference_on: date
    agreed_by: str | None = None
    convener: str | None = None
    meeting_chair: str | None = None
    reviewing_officer: str | None = None
    start_weeks: int | None = None
    end_weeks: int | None = None
    opens_on: date | None = None
    target_on: date | None = None
    closes_on: date | None = None
    meeting_at: datetime | None = None
    role: str | None = None
    step: str | None = None
    closed: dict[str, Any] | None = None  # once decided: the outcome (the message is updated in place)


class CaseDeregistered(DeregistrationNotice):
    """To the case channel: the core group stops; the post-deregistration meeting's window."""

    recorded_by: str | None = None
    cancelled: tuple[datetime, ...] = ()


class PostDeregToConvene(DeregistrationNotice):
    """To the convener and the meeting's chair: Set the date / Record the outcome."""


class PostDeregReminder(DeregistrationNotice):
    """To them: the window opens / a week left / its last day."""


class PostDeregScheduled(DeregistrationNotice):
    """To the case channel: the meeting's date."""

    set_by: str | None = None


class AssessmentNeeded(DeregistrationNotice):
    """To the chair and the team leader: risk escalated, social work assesses."""

    chair: str | None = None
    team_leader: str | None = None
    held_on: date | None = None
    outcome_by: str | None = None


class PostDeregEscalated(AssessmentNeeded):
    """To the coordinator: risk escalated after deregistration."""


class CaseClosed(DeregistrationNotice):
    """To the case channel: risks remain reduced; how the plan continues."""

    closed_by: str | None = None
    held_on: date | None = None
    plan_type: str | None = None
    lead_agency: str | None = None
    activity_reviewed: bool | None = None
    retention_years: int | None = None


class CaseReopened(NoticePayload):
    """To the case channel: registered again; the first meeting's due date."""

    reference: str
    channel: str
    registered_on: date
    due_on: date
    chair: str | None = None
    reopened_by: str | None = None
