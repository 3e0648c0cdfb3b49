"""Obligations: the kinds of duty the procedure creates, and each kind's ladder (remind → overdue → breach) as data.

A ladder comes from the policy profile's `obligations:` section. Its rungs are offsets from the obligation's
due date (day 0, in the organisation's zone): working days or calendar days at a local time, or working hours
from the due instant itself. When several rungs have come at once (the bot was down, a backfill), the highest
is taken and people are told once.

Pure: no database, no chat platform, no clock. Every `now` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, overload

from bot.calendar import WorkingCalendar, WorkingHours


class ObligationKind(StrEnum):
    """Everything the procedure asks of someone (issue 13, point 1)."""

    FIRST_MEETING = "first_meeting"  # the first meeting to be held
    NEXT_MEETING = "next_meeting"  # the next meeting to be held (cadence)
    MEETING_RECORD = "meeting_record"  # the record of a meeting whose time has come
    PLAN_COPY_SENT = "plan_copy_sent"  # the plan to one recipient: sent by the chair
    PLAN_COPY_RECEIVED = "plan_copy_received"  # ... then received by the recipient
    CP9_SENT = "cp9_sent"  # where the profile has one
    CP9_RECEIVED = "cp9_received"
    ACTION = "action"
    REQUEST_DECISION = "request_decision"  # the team leader's decision on a request for an additional meeting
    COORDINATOR_DECISION = "coordinator_decision"  # after a refusal or an escalation
    AMENDMENT_REFERRAL = "amendment_referral"  # a significant amendment of the plan, for the review conference
    LETTER_DETAILS = "letter_details"  # an institution letter: the chair's details
    LETTER_SENT = "letter_sent"  # ... then the coordinator's letter
    POST_DEREG_MEETING = "post_dereg_meeting"  # where the profile has one
    POST_DEREG_OUTCOME = "post_dereg_outcome"
    REVIEW_REPORT = "review_report"  # the core group's report to the review conference: by the chair
    REVIEW_OUTCOME = "review_outcome"  # what the review conference decided: recorded by the coordinator


class Stage(StrEnum):
    """How far up its ladder an open obligation is."""

    PENDING = "pending"
    REMINDED = "reminded"
    OVERDUE = "overdue"
    BREACHED = "breached"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {stage: i for i, stage in enumerate(Stage)}  # asked for several times a row by the sweep


class Unit(StrEnum):
    """What a ladder's offsets count."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_HOURS = "working_hours"


class Roll(StrEnum):
    """Where a calendar-day rung that falls on a non-working day goes."""

    FORWARD = "forward"  # the next working day (a window opens on its first working day)
    BACK = "back"  # the working day before (the last working day that still counts)
    NONE = "none"  # its own day, working or not (a window is missed at midnight whatever the day)


@dataclass(frozen=True)
class RungRule:
    """How one rung differs from its ladder: its roll (calendar days) and its local time."""

    roll: Roll | None = None
    at: time | None = None


class Audience(StrEnum):
    """Who is told at a rung."""

    OWNER = "owner"
    CHAIR = "chair"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Ladder:
    """When an obligation is chased and who hears of it; offsets count from the due date (negative: before)."""

    unit: Unit
    at: time | None  # local time of day-based rungs; None: the due instant's own local time
    remind: tuple[int, ...]  # reminders before (or after) the due date, in order
    overdue: int
    breach: int | None
    repeat_every_working_days: int | None  # after the last rung taken, chase again this often (09:00-style)
    tell: tuple[tuple[Stage, tuple[Audience, ...]], ...]  # pairs, so a Policy holding ladders stays hashable
    # Per rung ("remind.-7", "overdue", "breach"), a roll or a time other than the ladder's.
    rules: tuple[tuple[str, RungRule], ...] = ()


@dataclass(frozen=True)
class RungTimes:
    """A ladder's instants (UTC) for one due date: the snapshot stored on the row."""

    remind_at: tuple[datetime, ...]
    overdue_at: datetime
    breach_at: datetime | None


class LadderError(ValueError):
    """A ladder in a profile is not usable; the message says which setting."""


def _offset_instant(
    ladder: Ladder, due_at: datetime, offset: int, calendar: WorkingCalendar, hours: WorkingHours, name: str = ""
) -> datetime:
    rule = dict(ladder.rules).get(name, RungRule())
    if ladder.unit is Unit.WORKING_HOURS:
        if offset < 0:
            raise LadderError("working-hour offsets cannot be negative")
        return calendar.add_working_hours(due_at, offset, working_hours=hours)
    day = calendar.local_date(due_at)
    if ladder.unit is Unit.WORKING_DAYS:
        # After: "the Nth working day after day 0" (Sat + 1 = Mon). On or before: the working day itself, or the
        # one before it (an action due on a Sunday is chased on the Friday), as bot/meetings.py does today.
        day = calendar.add_working_days(day, offset) if offset > 0 else calendar.subtract_working_days(day, -offset)
    else:
        # Calendar days land on a working day: by default forward before the due date (a window opens on its first
        # working day), back on or after it (the last working day that still counts); a rung may say otherwise.
        day += timedelta(days=offset)
        roll = rule.roll or (Roll.FORWARD if offset < 0 else Roll.BACK)
        if roll is Roll.FORWARD:
            day = calendar.on_or_after(day)
        elif roll is Roll.BACK:
            day = calendar.on_or_before(day)
    at = rule.at or ladder.at
    at = at if at is not None else due_at.astimezone(calendar.tz).time().replace(tzinfo=None)
    return calendar.at_local(day, at)


#: Working hours where an organisation sets none (the profiles' default).
OFFICE_HOURS = WorkingHours()


def rung_times(
    ladder: Ladder, due_at: datetime, calendar: WorkingCalendar, *, working_hours: WorkingHours = OFFICE_HOURS
) -> RungTimes:
    """The ladder's instants for an obligation due at `due_at` (e.g. +1 working day at 09:00 skips a bank holiday);
    working-hour ladders count the organisation's `working_hours`."""
    hours = working_hours
    remind = tuple(sorted({_offset_instant(ladder, due_at, o, calendar, hours, f"remind.{o}") for o in ladder.remind}))
    overdue = _offset_instant(ladder, due_at, ladder.overdue, calendar, hours, "overdue")
    breach = (
        _offset_instant(ladder, due_at, ladder.breach, calendar, hours, "breach") if ladder.breach is not None else None
    )
    return RungTimes(tuple(t for t in remind if t < overdue), overdue, breach)


@dataclass(frozen=True)
class Step:
    """What the sweep does to an open obligation at `now`: move to `stage` (a repeat keeps it) and tell people."""

    stage: Stage
    repeat: bool  # a repeated chase at the same stage
    skipped: int  # rungs passed over by the catch-up rule (logged, not notified)
    next_step_at: datetime | None


def _repeat_at(ladder: Ladder, after: datetime, calendar: WorkingCalendar) -> datetime | None:
    if not ladder.repeat_every_working_days:
        return None
    day = calendar.add_working_days(calendar.on_or_before(calendar.local_date(after)), ladder.repeat_every_working_days)
    at = ladder.at if ladder.at is not None else after.astimezone(calendar.tz).time().replace(tzinfo=None)
    return calendar.at_local(day, at)


def _rungs(times: RungTimes) -> list[tuple[datetime, Stage]]:
    found = [(t, Stage.REMINDED) for t in times.remind_at] + [(times.overdue_at, Stage.OVERDUE)]
    if times.breach_at is not None:
        found.append((times.breach_at, Stage.BREACHED))
    return sorted(found, key=lambda r: r[0])


def next_after(
    ladder: Ladder, times: RungTimes, *, stage: Stage, last_step_at: datetime | None, calendar: WorkingCalendar
) -> datetime | None:
    """When a row at `stage`, last stepped at `last_step_at`, next needs the sweep: its next rung, or a repeated
    chase (once overdue) if that comes first; None when its ladder has nothing left."""
    candidates = [t for t, _ in _rungs(times) if last_step_at is None or t > last_step_at]
    if last_step_at is not None and stage in (Stage.OVERDUE, Stage.BREACHED):
        repeat = _repeat_at(ladder, last_step_at, calendar)
        if repeat is not None:
            candidates.append(repeat)
    return min(candidates) if candidates else None


def step_at(
    ladder: Ladder,
    times: RungTimes,
    *,
    stage: Stage,
    last_step_at: datetime | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> Step | None:
    """The step due at `now` for a row at `stage` last stepped at `last_step_at`; None when nothing is due.

    Catch-up: every rung whose time has come since the last step is passed and only the highest is taken (one
    notice); a repeated chase is due only when no rung is.
    """
    due = [(t, s) for t, s in _rungs(times) if (last_step_at is None or t > last_step_at) and t <= now]
    if due:
        target = max((s for _, s in due), key=lambda s: s.rank)
        target = target if target.rank >= stage.rank else stage
        return Step(
            target, False, len(due) - 1, next_after(ladder, times, stage=target, last_step_at=now, calendar=calendar)
        )
    if last_step_at is not None and stage in (Stage.OVERDUE, Stage.BREACHED):
        repeat = _repeat_at(ladder, last_step_at, calendar)
        if repeat is not None and repeat <= now:
            return Step(stage, True, 0, next_after(ladder, times, stage=stage, last_step_at=now, calendar=calendar))
    return None


#: The ladders a profile may set: one per kind, and a variant for urgent requests (counted in working hours).
LADDER_NAMES = (*(k.value for k in ObligationKind), "request_decision_urgent")


def ladder_for(ladders: tuple[tuple[str, Ladder], ...], name: str) -> Ladder:
    """The named ladder of a policy's `obligations` (every name has one: the england profile sets them all)."""
    found = dict(ladders).get(str(name))
    if found is None:
        raise LadderError(f"obligations.{name}: missing")
    return found


def audience(ladder: Ladder, stage: Stage) -> tuple[Audience, ...]:
    """Who is told when a row reaches (or is chased again at) `stage`."""
    return dict(ladder.tell).get(stage, (Audience.OWNER,))


# --- reading a ladder from a profile ---------------------------------------------------------------


@overload
def _int(value: Any, name: str, *, signed: bool = False, optional: Literal[False] = False) -> int: ...
@overload
def _int(value: Any, name: str, *, signed: bool = False, optional: bool) -> int | None: ...
def _int(value: Any, name: str, *, signed: bool = False, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or (value < 0 and not signed):
        raise LadderError(f"{name}: must be a whole number{'' if signed else ', 0 or more'}")
    return value


def parse_ladder(value: Any) -> Ladder:
    """A ladder from its profile mapping; LadderError names the setting at fault."""
    if not isinstance(value, Mapping):
        raise LadderError("must be a mapping {unit, at, remind, overdue, breach, repeat_every_working_days, tell}")
    known = {"unit", "at", "remind", "overdue", "breach", "repeat_every_working_days", "tell"}
    for key in value:
        if key not in known:
            raise LadderError(f"{key}: unknown setting")
    try:
        unit = Unit(value.get("unit", Unit.WORKING_DAYS))
    except ValueError:
        raise LadderError("unit: must be one of: " + ", ".join(u.value for u in Unit)) from None
    at = value.get("at", "09:00")
    if at is not None:
        at = _time(at, "at")
    remind = value.get("remind") or []
    if not isinstance(remind, list):
        raise LadderError("remind: must be a list of offsets")
    rules: dict[str, RungRule] = {}
    offsets = tuple(_offset(o, "remind", rules) for o in remind)
    overdue = _offset(value.get("overdue", 0), "overdue", rules)
    breach = _rung(value.get("breach"), "breach", rules, optional=True)
    repeat = _int(value.get("repeat_every_working_days"), "repeat_every_working_days", optional=True) or None
    if breach is not None and breach < overdue:
        raise LadderError("breach: must not be before overdue")
    if unit is Unit.WORKING_HOURS and min((*offsets, overdue), default=0) < 0:
        raise LadderError("remind: working-hour offsets cannot be negative")
    tell: dict[Stage, tuple[Audience, ...]] = {}
    for stage, who in (value.get("tell") or {}).items():
        try:
            tell[Stage(stage)] = tuple(Audience(w) for w in who)
        except (ValueError, TypeError):
            raise LadderError(
                f"tell.{stage}: stages are reminded/overdue/breached, audiences " + ", ".join(a.value for a in Audience)
            ) from None
    return Ladder(unit, at, offsets, overdue, breach, repeat, tuple(tell.items()), tuple(rules.items()))


def _time(value: Any, name: str) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise LadderError(f'{name}: must be a time written "HH:MM" (quoted in YAML), or null')
    return time(int(value[:2]), int(value[3:]))


def _offset(value: Any, name: str, rules: dict[str, RungRule]) -> int:
    """A rung that every ladder has (a reminder, overdue): its offset, never absent."""
    offset = _rung(value, name, rules)
    if offset is None:
        raise LadderError(f"{name}: must be a whole number")
    return offset


def _rung(value: Any, name: str, rules: dict[str, RungRule], *, optional: bool = False) -> int | None:
    """A rung's offset: a whole number, or {offset, roll, at} for a rung that rolls or falls at its own time."""
    if not isinstance(value, Mapping):
        return _int(value, name, signed=True, optional=optional)
    for key in value:
        if key not in ("offset", "roll", "at"):
            raise LadderError(f"{name}.{key}: unknown setting (a rung has offset, roll, at)")
    offset = _int(value.get("offset"), f"{name}.offset", signed=True)
    try:
        roll = Roll(value["roll"]) if value.get("roll") is not None else None
    except ValueError:
        raise LadderError(f"{name}.roll: must be one of: " + ", ".join(r.value for r in Roll)) from None
    at = _time(value["at"], f"{name}.at") if value.get("at") is not None else None
    rules[name if name != "remind" else f"remind.{offset}"] = RungRule(roll, at)
    return offset
