"""CP9 rules: when the form is due with the coordinator and what its state reads as.

"Within N days of the meeting" (calendar days): meeting day + N. When that day is not a working day, the
effective deadline is the working day before it (`roll: back`, the default) or after it (`roll: forward`)
(DESIGN §2); the profile's ladders (`obligations: cp9_sent, cp9_received`) chase from it. The form's name
comes from the profile.

Pure: no database, no chat platform, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.calendar import WorkingCalendar
from bot.errors import InvalidInputError
from bot.policy import Policy

NOTE_LIMIT = 300


@dataclass(frozen=True)
class Cp9Schedule:
    """When a meeting's CP9 is due."""

    form_name: str
    days: int
    held_on: date
    nominal_due_on: date  # held_on + N calendar days
    due_on: date  # the effective deadline (a working day)
    due_at: datetime  # the end of due_on, local, as UTC

    @property
    def rolled(self) -> bool:
        """True when the nominal day is not a working day, so the effective deadline differs."""
        return self.nominal_due_on != self.due_on


def cp9_schedule(held_on: date, *, policy: Policy, calendar: WorkingCalendar) -> Cp9Schedule:
    """The CP9 clock of a meeting held on `held_on` (its local date).

    Meeting Sun 1 Aug 2027, 7 days: nominally Sun 8 Aug, so (rolling back) effectively Fri 6 Aug.
    """
    rule = policy.cp9
    nominal = held_on + timedelta(days=rule.days)
    due_on = calendar.calendar_deadline(held_on, rule.days, roll=rule.roll)
    return Cp9Schedule(
        form_name=rule.form_name,
        days=rule.days,
        held_on=held_on,
        nominal_due_on=nominal,
        due_on=due_on,
        due_at=calendar.end_of_day(due_on),
    )


class Cp9State(StrEnum):
    """A CP9 as people read it."""

    RECEIVED = "received"
    SENT = "sent, awaiting receipt"
    NOT_SENT = "not sent"
    OVERDUE = "overdue"


def cp9_state(*, status: str, due_at: datetime, now: datetime) -> Cp9State:
    """Received / sent, awaiting receipt / not sent / overdue (not sent after the effective deadline)."""
    if status == "received":
        return Cp9State.RECEIVED
    if status == "sent":
        return Cp9State.SENT
    return Cp9State.OVERDUE if now > due_at else Cp9State.NOT_SENT


def clean_note(note: str | None) -> str | None:
    """The chair's note or link for the coordinator, trimmed; too long is refused."""
    note = " ".join((note or "").split())
    if len(note) > NOTE_LIMIT:
        raise InvalidInputError(f"Keep the note under {NOTE_LIMIT} characters: a link or a few words.")
    return note or None


def check_sent_on(sent_on: date | None, *, held_on: date, today: date) -> str | None:
    """The problem with the day the chair says the CP9 went, or None."""
    if sent_on is None:
        return "Choose the day you sent it."
    if sent_on > today:
        return "That day has not come yet: choose the day you sent it."
    if sent_on < held_on:
        return "That is before the meeting: choose the day you sent it."
    return None
