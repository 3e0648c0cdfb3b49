"""Payloads of the plan copies' and the CP9's notices (bot/services/receipts.py, cp9.py, receipt_chases.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.notice_payloads.chased import Chased


class PlanToSend(Chased):
    """To the chair: who must have the plan by when, with Plan sent (recorded / reminder)."""

    receipt_id: int
    reference: str
    channel: str
    timezone: str
    chair: str | None = None
    held_on: date
    due_on: date
    due_at: datetime | None = None
    working_days: int | None = None
    copies: tuple[dict[str, Any], ...] = ()
    all_sent: bool = False
    occasion: str | None = None


class PlanOverdue(PlanToSend):
    """To the chair: copies still owed after the deadline (the ids in `overdue`)."""

    overdue: tuple[int, ...] = ()


class PlanCopy(Chased):
    """To a recipient with Slack: I have received the plan (sent / reminder / deadline); updated once confirmed."""

    copy_id: int
    reference: str
    timezone: str
    held_on: date
    due_on: date
    chair: str | None = None
    attended: bool = False
    occasion: str | None = None
    confirmed_at: datetime | None = None


class Cp9Notice(Chased):
    """The CP9 as its notices show it: the form's name, its dates, who sent and received it."""

    cp9_id: int
    reference: str
    channel: str
    timezone: str
    form_name: str = "CP9"
    days: int | None = None
    held_on: date
    nominal_due_on: date | None = None
    due_on: date
    chair: str | None = None
    coordinator: str | None = None
    status: str = "pending"
    sent_on: date | None = None
    sent_by: str | None = None
    sent_note: str | None = None
    received_at: datetime | None = None
    received_by: str | None = None
    occasion: str | None = None


class Cp9ToSend(Cp9Notice):
    """To the chair: Mark CP9 sent (recorded / reminder / deadline / overdue)."""


class Cp9Due(Cp9Notice):
    """To the coordinator: the CP9 is due by when, Mark CP9 received."""

    delegate: str | None = None
