"""The typed fields of a policy profile: each validator turns a raw YAML value into its typed value or raises
`Invalid` naming the problem (and where inside the value it is); the small rule dataclasses they build."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import Any

from bot.calendar import Nation, Roll  # noqa: F401 (re-exported for the validators' callers)
from bot.strict_yaml import excerpt


@dataclass(frozen=True)
class MeetingReminder:
    """Remind members this many working days before a meeting, at a local time."""

    working_days_before: int
    at: time


@dataclass(frozen=True)
class FirstMeetingRule:
    """The first core group is due `days` after the conference: working days, or calendar days when not `working`."""

    days: int
    working: bool


@dataclass(frozen=True)
class Cadence:
    """How often the core group meets: every `months` calendar months, or every `weeks` weeks (one is set)."""

    months: int | None = None
    weeks: int | None = None


# --- field validators: raw YAML value -> typed value, or Invalid -------------------------


class Invalid(Exception):
    """A value's problem, and where inside the value it is (for lists)."""

    def __init__(self, problem: str, suffix: str = "") -> None:
        super().__init__(problem)
        self.problem, self.suffix = problem, suffix


# Every count here is days, weeks, months or hours of a procedure; beyond this, date arithmetic overflows
# long before anything useful happens.
MAX_COUNT = 1000


def is_int(value: Any) -> bool:
    # bool is an int subclass; `true` is never a sensible count.
    return isinstance(value, int) and not isinstance(value, bool)


def at_most_max(value: int) -> int:
    if value > MAX_COUNT:
        raise Invalid(f"must be at most {MAX_COUNT}")
    return value


def positive_int(value: Any) -> int:
    if not is_int(value) or value < 1:
        raise Invalid("must be a positive whole number")
    return at_most_max(value)


def count(value: Any) -> int:
    if not is_int(value) or value < 0:
        raise Invalid("must be a whole number, 0 or more")
    return at_most_max(value)


def optional_positive_int(value: Any) -> int | None:
    if value is not None and (not is_int(value) or value < 1):
        raise Invalid("must be a positive whole number, or null for none")
    return value if value is None else at_most_max(value)


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def one_of(value: Any, shape: str, keys: dict[str, Callable[[Any], Any]]) -> tuple[str, Any]:
    """A mapping with exactly one count among `keys` (plus what `keys` allows besides): (its key, its mapping)."""
    if not isinstance(value, Mapping):
        raise Invalid(f"must be a mapping: {shape}")
    for key in value:
        if key not in keys:
            raise Invalid(f"unknown setting (expected {shape})", f".{excerpt(key)}")
    counts = [k for k in ("working_days", "days", "months", "weeks") if k in value and k in keys]
    if len(counts) != 1:
        raise Invalid(f"must give exactly one of: {shape}")
    for key, check in keys.items():
        if key in value:
            try:
                check(value[key])
            except Invalid as e:
                raise Invalid(e.problem, f".{key}") from None
    return counts[0], value


def calendar_kind(value: Any) -> str:
    if value != "calendar":
        raise Invalid('must be "calendar" (for working days, write working_days: N instead of days)')
    return value


def first_meeting(value: Any) -> FirstMeetingRule:
    # Scotland counts calendar days from the CPPM, England and Wales working days from the conference: one
    # mapping either way, so the profile file reads as the guidance does.
    shape = "{working_days: N} or {days: N, kind: calendar}"
    key, raw = one_of(value, shape, {"working_days": positive_int, "days": positive_int, "kind": calendar_kind})
    if key == "days" and "kind" not in raw:
        raise Invalid("needs kind: calendar beside days (or working_days: N)", ".kind")
    if key == "working_days" and "kind" in raw:
        raise Invalid("kind: calendar goes with days, not working_days", ".kind")
    return FirstMeetingRule(raw[key], working=key == "working_days")


def cadence(value: Any) -> Cadence:
    key, raw = one_of(value, "{months: N} or {weeks: N}", {"months": positive_int, "weeks": positive_int})
    return Cadence(**{key: raw[key]})


def hhmm(value: Any) -> time:
    # Unquoted 17:00 reaches us as the int 1020 (YAML 1.1 base 60), hence the hint.
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise Invalid('must be a time written "HH:MM" (quoted in YAML), e.g. "09:00"')
    return time(int(value[:2]), int(value[3:]))


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be some text")
    return value.strip()


def choice(enum: type[StrEnum]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in {e.value for e in enum}:
            raise Invalid("must be one of: " + ", ".join(e.value for e in enum))
        return enum(value)

    return check


def reminders(value: Any) -> tuple[MeetingReminder, ...]:
    if not isinstance(value, list):
        raise Invalid("must be a list of {working_days_before, at}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise Invalid("must be a mapping {working_days_before, at}", f"[{i}]")
        for key in item:
            if key not in ("working_days_before", "at"):
                raise Invalid("unknown setting", f"[{i}].{excerpt(key)}")
        for key, check in (("working_days_before", count), ("at", hhmm)):
            if key not in item:
                raise Invalid("missing", f"[{i}].{key}")
            try:
                check(item[key])
            except Invalid as e:
                raise Invalid(e.problem, f"[{i}].{key}") from None
        out.append(MeetingReminder(item["working_days_before"], hhmm(item["at"])))
    return tuple(out)
