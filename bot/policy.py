"""Policy profiles: procedure rules as data files (bot/profiles/*.yml), merged and validated.

A profile may `extends:` another; mappings deep-merge, lists and scalars replace. An organisation
may override any value with a mapping of the same shape. Pure: reads only the packaged files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib.resources import files
from typing import Any, cast

import yaml

from bot.calendar import Nation, Roll, WorkingHours


class PolicyError(ValueError):
    """A profile or an override is missing, unknown or invalid; the message names the field."""


@dataclass(frozen=True)
class MeetingReminder:
    """Remind members this many working days before a meeting, at a local time."""

    working_days_before: int
    at: time


@dataclass(frozen=True)
class ChecklistItem:
    """One thing each re-evaluation of the plan must consider, with its wording."""

    key: str
    label: str


@dataclass(frozen=True)
class RoutineRequestThresholds:
    """When a pending routine request is chased and escalated, in working days."""

    remind_after_working_days: int
    escalate_after_working_days: int


@dataclass(frozen=True)
class UrgentRequestThresholds:
    """When a pending urgent request is chased and escalated, in working hours."""

    remind_after_working_hours: int
    escalate_after_working_hours: int


@dataclass(frozen=True)
class RequestThresholds:
    """Reminder and escalation timings for requests for an additional meeting."""

    routine: RoutineRequestThresholds
    urgent: UrgentRequestThresholds


@dataclass(frozen=True)
class PlanReceiptRule:
    """Plan copies are due `working_days` after the meeting; chase on `remind_on_working_day`."""

    working_days: int
    remind_on_working_day: int


@dataclass(frozen=True)
class Cp9Rule:
    """The form goes to the coordinator within `days` calendar days of the meeting."""

    form_name: str
    days: int
    roll: Roll
    remind_working_days_before: int


@dataclass(frozen=True)
class PostDeregistrationWindow:
    """The post-deregistration meeting falls this many weeks after the review conference."""

    window_start_weeks: int
    window_end_weeks: int


@dataclass(frozen=True)
class Policy:
    """The procedure rules one organisation runs under."""

    profile: str
    nation: Nation
    first_meeting_working_days: int
    meeting_cadence_months: int
    meeting_max_gap_weeks: int | None
    meeting_reminders: tuple[MeetingReminder, ...]
    checklist: tuple[ChecklistItem, ...]
    requests: RequestThresholds
    working_hours: WorkingHours
    plan_receipt: PlanReceiptRule
    cp9: Cp9Rule
    digest_time: time
    post_deregistration: PostDeregistrationWindow


# --- field validators: raw YAML value -> typed value, or _Invalid -------------------------


class _Invalid(Exception):
    """A value's problem, and where inside the value it is (for lists)."""

    def __init__(self, problem: str, suffix: str = "") -> None:
        super().__init__(problem)
        self.problem, self.suffix = problem, suffix


def _is_int(value: Any) -> bool:
    # bool is an int subclass; `true` is never a sensible count.
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(value: Any) -> int:
    if not _is_int(value) or value < 1:
        raise _Invalid("must be a positive whole number")
    return value


def _count(value: Any) -> int:
    if not _is_int(value) or value < 0:
        raise _Invalid("must be a whole number, 0 or more")
    return value


def _optional_positive_int(value: Any) -> int | None:
    if value is not None and (not _is_int(value) or value < 1):
        raise _Invalid("must be a positive whole number, or null for none")
    return value


def _hhmm(value: Any) -> time:
    # Unquoted 17:00 reaches us as the int 1020 (YAML 1.1 base 60), hence the hint.
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise _Invalid('must be a time written "HH:MM" (quoted in YAML), e.g. "09:00"')
    return time(int(value[:2]), int(value[3:]))


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("must be some text")
    return value.strip()


def _choice(enum: type[Nation] | type[Roll]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in {e.value for e in enum}:
            raise _Invalid("must be one of: " + ", ".join(e.value for e in enum))
        return enum(value)

    return check


def _reminders(value: Any) -> tuple[MeetingReminder, ...]:
    if not isinstance(value, list):
        raise _Invalid("must be a list of {working_days_before, at}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise _Invalid("must be a mapping {working_days_before, at}", f"[{i}]")
        for key in item:
            if key not in ("working_days_before", "at"):
                raise _Invalid("unknown setting", f"[{i}].{key}")
        for key, check in (("working_days_before", _count), ("at", _hhmm)):
            if key not in item:
                raise _Invalid("missing", f"[{i}].{key}")
            try:
                check(item[key])
            except _Invalid as e:
                raise _Invalid(e.problem, f"[{i}].{key}") from None
        out.append(MeetingReminder(item["working_days_before"], _hhmm(item["at"])))
    return tuple(out)


# A mapping whose keys are free (checklist items), each value some text.
_OPEN = object()
_REQUIRED_CHECKLIST = ("supports", "monitoring", "outcomes", "contingency")

_SCHEMA: dict[str, Any] = {
    "nation": _choice(Nation),
    "first_meeting_working_days": _positive_int,
    "meeting_cadence_months": _positive_int,
    "meeting_max_gap_weeks": _optional_positive_int,
    "meeting_reminders": _reminders,
    "checklist": _OPEN,
    "requests": {
        "routine": {
            "remind_after_working_days": _positive_int,
            "escalate_after_working_days": _positive_int,
        },
        "urgent": {
            "remind_after_working_hours": _positive_int,
            "escalate_after_working_hours": _positive_int,
        },
    },
    "working_hours": {"start": _hhmm, "end": _hhmm},
    "plan_receipt": {"working_days": _positive_int, "remind_on_working_day": _positive_int},
    "cp9": {
        "form_name": _text,
        "days": _positive_int,
        "roll": _choice(Roll),
        "remind_working_days_before": _count,
    },
    "digest_time": _hhmm,
    "post_deregistration": {"window_start_weeks": _positive_int, "window_end_weeks": _positive_int},
}


# --- loading and merging -----------------------------------------------------------------


def _profile_dir() -> Any:
    """The packaged profiles folder (a Traversable, so it works from a wheel too)."""
    return files("bot").joinpath("profiles")


def available_profiles() -> list[str]:
    """The names of the packaged profiles, sorted."""
    return sorted(p.name[:-4] for p in _profile_dir().iterdir() if p.name.endswith(".yml"))


@cache
def _read_profile(name: str) -> Mapping[str, Any]:
    """One profile file, parsed (treat as read-only: it is cached)."""
    known = available_profiles()
    if name not in known:
        raise PolicyError(f"unknown profile {name!r} (known: {', '.join(known)})")
    try:
        data = yaml.safe_load(_profile_dir().joinpath(f"{name}.yml").read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise PolicyError(f"profile {name!r}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"profile {name!r}: must be a mapping of settings")
    return data


def _layers(name: str, seen: tuple[str, ...] = ()) -> list[tuple[str, Mapping[str, Any]]]:
    """(source label, settings) from the root profile down to `name`."""
    if name in seen:
        raise PolicyError(f"profile {seen[0]!r}: extends: loops ({' -> '.join((*seen, name))})")
    data = _read_profile(name)
    own = (f"profile {name!r}", {k: v for k, v in data.items() if k != "extends"})
    if "extends" not in data:
        return [own]
    parent = data["extends"]
    if not isinstance(parent, str) or parent not in available_profiles():
        raise PolicyError(
            f"profile {name!r}: extends: unknown profile {parent!r} "
            f"(known: {', '.join(available_profiles())})"
        )
    return [*_layers(parent, (*seen, name)), own]


def _merge(
    into: dict, layer: Mapping, schema: Any, path: str, source: tuple[int, str], origins: dict
) -> None:
    """Deep-merge `layer` into `into`, rejecting unknown keys and remembering who set each leaf."""
    for key, value in layer.items():
        where = f"{path}.{key}" if path else str(key)
        if schema is _OPEN:
            if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                problem = "item names are lower-case letters, digits and _"
                raise PolicyError(f"{source[1]}: {where}: {problem}")
            rule = _text
        elif key not in schema:
            raise PolicyError(f"{source[1]}: {where}: unknown setting")
        else:
            rule = schema[key]
        if rule is _OPEN or isinstance(rule, dict):
            if not isinstance(value, Mapping):
                raise PolicyError(f"{source[1]}: {where}: must be a mapping of settings")
            _merge(into.setdefault(key, {}), value, rule, where, source, origins)
        else:
            into[key] = value
            origins[where] = source


class _Reader:
    """Typed access to merged settings; errors name whoever set the offending value."""

    def __init__(self, merged: dict, origins: dict, default_source: str) -> None:
        self.merged, self.origins, self.default_source = merged, origins, default_source

    def source(self, *paths: str) -> str:
        # The latest layer to touch any of the fields is the one that broke the combination.
        found = [self.origins[p] for p in paths if p in self.origins]
        return max(found)[1] if found else self.default_source

    def get(self, path: str) -> Any:
        node, rule = self.merged, cast(Any, _SCHEMA)
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise PolicyError(f"{self.default_source}: {path}: missing")
            node, rule = node[part], (_text if rule is _OPEN else rule[part])
        try:
            return rule(node)
        except _Invalid as e:
            raise PolicyError(f"{self.source(path)}: {path}{e.suffix}: {e.problem}") from None

    def require(self, ok: bool, where: str, problem: str, *paths: str) -> None:
        if not ok:
            raise PolicyError(f"{self.source(*paths)}: {where}: {problem}")


# Pairs whose order matters: (parent, first, second, strictly, problem), meaning first <= second.
_ORDER = (
    ("requests.routine", "remind_after_working_days", "escalate_after_working_days", False,
     "escalate_after_working_days must not be before remind_after_working_days"),
    ("requests.urgent", "remind_after_working_hours", "escalate_after_working_hours", False,
     "escalate_after_working_hours must not be before remind_after_working_hours"),
    ("working_hours", "start", "end", True, "end must be later than start"),
    ("plan_receipt", "remind_on_working_day", "working_days", False,
     "remind_on_working_day must not be after working_days"),
    ("post_deregistration", "window_start_weeks", "window_end_weeks", False,
     "window_end_weeks must not be before window_start_weeks"),
)


def _build(name: str, r: _Reader) -> Policy:
    """Validate every field, and the fields against each other, and assemble the Policy."""
    checklist = r.merged.get("checklist", {})
    for key in _REQUIRED_CHECKLIST:
        r.require(key in checklist, f"checklist.{key}", "missing (the procedure requires it)")
    for parent, first, second, strictly, problem in _ORDER:
        a, b = r.get(f"{parent}.{first}"), r.get(f"{parent}.{second}")
        ok = a < b if strictly else a <= b
        r.require(ok, parent, problem, f"{parent}.{first}", f"{parent}.{second}")
    get = r.get
    return Policy(
        profile=name,
        nation=get("nation"),
        first_meeting_working_days=get("first_meeting_working_days"),
        meeting_cadence_months=get("meeting_cadence_months"),
        meeting_max_gap_weeks=get("meeting_max_gap_weeks"),
        meeting_reminders=get("meeting_reminders"),
        checklist=tuple(ChecklistItem(k, get(f"checklist.{k}")) for k in checklist),
        requests=RequestThresholds(
            RoutineRequestThresholds(
                get("requests.routine.remind_after_working_days"),
                get("requests.routine.escalate_after_working_days"),
            ),
            UrgentRequestThresholds(
                get("requests.urgent.remind_after_working_hours"),
                get("requests.urgent.escalate_after_working_hours"),
            ),
        ),
        working_hours=WorkingHours(get("working_hours.start"), get("working_hours.end")),
        plan_receipt=PlanReceiptRule(
            get("plan_receipt.working_days"), get("plan_receipt.remind_on_working_day")
        ),
        cp9=Cp9Rule(
            get("cp9.form_name"), get("cp9.days"), get("cp9.roll"),
            get("cp9.remind_working_days_before"),
        ),
        digest_time=get("digest_time"),
        post_deregistration=PostDeregistrationWindow(
            get("post_deregistration.window_start_weeks"),
            get("post_deregistration.window_end_weeks"),
        ),
    )


def load_policy(profile: str, *, overrides: Mapping[str, Any] | None = None) -> Policy:
    """The validated policy for a packaged profile, with an organisation's overrides applied."""
    if not isinstance(profile, str):
        raise PolicyError(f"unknown profile {profile!r} (known: {', '.join(available_profiles())})")
    layers = _layers(profile)
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise PolicyError("overrides: must be a mapping of settings")
        layers.append(("overrides", overrides))
    merged: dict[str, Any] = {}
    origins: dict[str, tuple[int, str]] = {}
    for rank, (source, settings) in enumerate(layers):
        _merge(merged, settings, _SCHEMA, "", (rank, source), origins)
    return _build(profile, _Reader(merged, origins, f"profile {profile!r}"))
