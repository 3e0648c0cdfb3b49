"""Plan-receipt rules: when copies of the plan are due and what a copy's state reads as.

"Within N working days of the meeting": the meeting's local date is day 0 (DESIGN §2); the deadline is
the end of day N in the organisation's zone. When people are chased is the profile's ladders
(`obligations: plan_copy_sent, plan_copy_received`), counted from that deadline.

Pure: no database, no chat platform, no clock. Every `now` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.calendar import WorkingCalendar
from bot.policy import Policy

#: How a copy reached someone without Slack (the chair's choice in the plan-sent form).
SENT_HOW = {"post": "by post", "email": "by email", "by_hand": "by hand"}


@dataclass(frozen=True)
class PlanSchedule:
    """When the plan's copies are due after a meeting."""

    held_on: date  # day 0
    due_on: date  # day N (working days)
    due_at: datetime  # the end of due_on, local, as UTC


def plan_schedule(held_on: date, *, policy: Policy, calendar: WorkingCalendar) -> PlanSchedule:
    """The plan-receipt clock of a meeting held on `held_on` (its local date): N working days.

    Meeting Fri 30 Jul 2027: England due Fri 6 Aug; Scotland Mon 9 Aug (Mon 2 Aug is a bank holiday there).
    """
    due_on = calendar.add_working_days(held_on, policy.plan_receipt.working_days)
    return PlanSchedule(held_on=held_on, due_on=due_on, due_at=calendar.end_of_day(due_on))


class CopyState(StrEnum):
    """A copy of the plan as people read it."""

    RECEIVED = "received"
    SENT = "sent"  # someone without Slack: the chair's tick is the end of it
    AWAITING = "sent, awaiting confirmation"
    NOT_SENT = "not sent"
    OVERDUE = "overdue"


def copy_state(*, has_slack: bool, status: str, due_at: datetime, now: datetime) -> CopyState:
    """Received / sent / sent, awaiting confirmation / not sent / overdue (owed after the deadline)."""
    if status == "received":
        return CopyState.RECEIVED
    if status == "sent" and not has_slack:
        return CopyState.SENT
    if now > due_at:
        return CopyState.OVERDUE
    return CopyState.AWAITING if status == "sent" else CopyState.NOT_SENT


def days_overdue(due_on: date, *, today: date) -> int:
    """Calendar days past the deadline (0 on or before it)."""
    return max((today - due_on).days, 0)


def check_plan_sent(
    *,
    labels: tuple[int, ...],
    how: str | None,
    sent_on: date | None,
    held_on: date,
    today: date,
    slack_to_send: bool,
) -> dict[str, str]:
    """The problems with the chair's plan-sent form, by field ("labels", "how", "when")."""
    if not labels:
        return {} if slack_to_send else {"labels": "Tick who you sent the plan to."}
    errors: dict[str, str] = {}
    if how not in SENT_HOW:
        errors["how"] = "Say how you sent it: post, email or by hand."
    if sent_on is None:
        errors["when"] = "Choose the day you sent it."
    elif sent_on > today:
        errors["when"] = "That day has not come yet: choose the day you sent it."
    elif sent_on < held_on:
        errors["when"] = "That is before the meeting: choose the day you sent it."
    return errors
