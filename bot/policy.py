"""Policy profiles: procedure rules as data files (bot/profiles/*.yml), merged and validated.

A profile may `extends:` another; mappings deep-merge, lists and scalars replace. An organisation
may override any value with a mapping of the same shape. Pure: reads only the packaged files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from bot.calendar import Nation, Roll, WorkingHours
from bot.strict_yaml import excerpt

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
class FirstMeetingRule:
    """The first core group is due `days` after the conference: working days, or calendar days when not `working`."""

    days: int
    working: bool


@dataclass(frozen=True)
class Cadence:
    """How often the core group meets: every `months` calendar months, or every `weeks` weeks (one is set)."""

    months: int | None = None
    weeks: int | None = None


@dataclass(frozen=True)
class Wording:
    """Sentences shown to users that state the procedure, in the procedure's own words."""

    significant_amendment: str


@dataclass(frozen=True)
class Cp9Rule:
    """The form goes to the coordinator within `days` calendar days of the meeting (when `enabled`)."""

    enabled: bool
    form_name: str
    days: int
    roll: Roll
    remind_working_days_before: int


@dataclass(frozen=True)
class PostDeregistrationWindow:
    """The post-deregistration meeting falls this many weeks after the review conference (when `enabled`);
    `review_activity`: its outcome asks for the review of the activity in the Child's Plan (Fife)."""

    enabled: bool
    window_start_weeks: int
    window_end_weeks: int
    review_activity: bool = False


@dataclass(frozen=True)
class Policy:
    """The procedure rules one organisation runs under."""

    profile: str
    nation: Nation
    first_meeting: FirstMeetingRule
    meeting_cadence: Cadence
    meeting_breach_after_weeks: int | None
    last_core_group_working_days_before_review: int | None
    meetings_in_person: bool
    meeting_reminders: tuple[MeetingReminder, ...]
    checklist: tuple[ChecklistItem, ...]
    requests: RequestThresholds
    working_hours: WorkingHours
    plan_receipt: PlanReceiptRule
    cp9: Cp9Rule
    digest_time: time
    post_deregistration: PostDeregistrationWindow
    chair_must_be_listed: bool
    wording: Wording


# --- field validators: raw YAML value -> typed value, or _Invalid -------------------------


class _Invalid(Exception):
    """A value's problem, and where inside the value it is (for lists)."""

    def __init__(self, problem: str, suffix: str = "") -> None:
        super().__init__(problem)
        self.problem, self.suffix = problem, suffix


# Every count here is days, weeks, months or hours of a procedure; beyond this, date arithmetic overflows
# long before anything useful happens.
_MAX_COUNT = 1000


def _is_int(value: Any) -> bool:
    # bool is an int subclass; `true` is never a sensible count.
    return isinstance(value, int) and not isinstance(value, bool)


def _at_most_max(value: int) -> int:
    if value > _MAX_COUNT:
        raise _Invalid(f"must be at most {_MAX_COUNT}")
    return value


def _positive_int(value: Any) -> int:
    if not _is_int(value) or value < 1:
        raise _Invalid("must be a positive whole number")
    return _at_most_max(value)


def _count(value: Any) -> int:
    if not _is_int(value) or value < 0:
        raise _Invalid("must be a whole number, 0 or more")
    return _at_most_max(value)


def _optional_positive_int(value: Any) -> int | None:
    if value is not None and (not _is_int(value) or value < 1):
        raise _Invalid("must be a positive whole number, or null for none")
    return value if value is None else _at_most_max(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _one_of(value: Any, shape: str, keys: dict[str, Callable[[Any], Any]]) -> tuple[str, Any]:
    """A mapping with exactly one count among `keys` (plus what `keys` allows besides): (its key, its mapping)."""
    if not isinstance(value, Mapping):
        raise _Invalid(f"must be a mapping: {shape}")
    for key in value:
        if key not in keys:
            raise _Invalid(f"unknown setting (expected {shape})", f".{excerpt(key)}")
    counts = [k for k in ("working_days", "days", "months", "weeks") if k in value and k in keys]
    if len(counts) != 1:
        raise _Invalid(f"must give exactly one of: {shape}")
    for key, check in keys.items():
        if key in value:
            try:
                check(value[key])
            except _Invalid as e:
                raise _Invalid(e.problem, f".{key}") from None
    return counts[0], value


def _calendar_kind(value: Any) -> str:
    if value != "calendar":
        raise _Invalid('must be "calendar" (for working days, write working_days: N instead of days)')
    return value


def _first_meeting(value: Any) -> FirstMeetingRule:
    # Scotland counts calendar days from the CPPM, England and Wales working days from the conference: one
    # mapping either way, so the profile file reads as the guidance does.
    shape = "{working_days: N} or {days: N, kind: calendar}"
    key, raw = _one_of(value, shape, {"working_days": _positive_int, "days": _positive_int, "kind": _calendar_kind})
    if key == "days" and "kind" not in raw:
        raise _Invalid("needs kind: calendar beside days (or working_days: N)", ".kind")
    if key == "working_days" and "kind" in raw:
        raise _Invalid("kind: calendar goes with days, not working_days", ".kind")
    return FirstMeetingRule(raw[key], working=key == "working_days")


def _cadence(value: Any) -> Cadence:
    key, raw = _one_of(value, "{months: N} or {weeks: N}", {"months": _positive_int, "weeks": _positive_int})
    return Cadence(**{key: raw[key]})


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
        if not isinstance(value, str) or value not in {e.value for e in enum}:
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
                raise _Invalid("unknown setting", f"[{i}].{excerpt(key)}")
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
    "first_meeting": _first_meeting,
    "meeting_cadence": _cadence,
    "meeting_breach_after_weeks": _optional_positive_int,
    "last_core_group_working_days_before_review": _optional_positive_int,
    "meetings_in_person": _flag,
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
        "enabled": _flag,
        "form_name": _text,
        "days": _positive_int,
        "roll": _choice(Roll),
        "remind_working_days_before": _count,
    },
    "digest_time": _hhmm,
    "post_deregistration": {
        "enabled": _flag,
        "window_start_weeks": _positive_int,
        "window_end_weeks": _positive_int,
        "review_activity": _flag,
    },
    "chair_must_be_listed": _flag,
    "wording": {"significant_amendment": _text},
}


# --- loading and merging -----------------------------------------------------------------


def _profile_dir() -> Any:
    """The packaged profiles folder (a Traversable, so it works from a wheel too)."""
    return files("bot").joinpath("profiles")


def available_profiles() -> list[str]:
    """The names of the packaged profiles an organisation can choose, sorted (`_defaults` is only extended)."""
    return sorted(p.name[:-4] for p in _profile_dir().iterdir() if p.name.endswith(".yml") and p.name[0] != "_")


def profile_extends(name: str) -> str | None:
    """The profile `name` builds on (None for a root profile)."""
    parent = _read_profile(name).get("extends")
    return parent if isinstance(parent, str) else None


def _packaged() -> list[str]:
    return sorted(p.name[:-4] for p in _profile_dir().iterdir() if p.name.endswith(".yml"))


@lru_cache(maxsize=None)
def _read_profile(name: str) -> Mapping[str, Any]:
    """One profile file, parsed (treat as read-only: it is cached)."""
    if name not in _packaged():
        raise PolicyError(f"unknown profile {name!r} (known: {', '.join(available_profiles())})")
    try:
        data = yaml.safe_load(_profile_dir().joinpath(f"{name}.yml").read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise PolicyError(f"profile {name!r}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"profile {name!r}: must be a mapping of settings")
    return data


@dataclass(frozen=True)
class _Layer:
    """One profile file (or the organisation's overrides): its label in errors, its settings, and where they come from."""

    label: str
    settings: Mapping[str, Any]
    sources: Mapping[str, str] | None  # None: every setting has the one `fixed_source`
    fixed_source: str = ""

    def source_of(self, path: str) -> str | None:
        """The source of the setting at `path`: its own entry under `sources:`, or its nearest parent's."""
        if self.sources is None:
            return self.fixed_source
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            found = self.sources.get(".".join(parts[:n]))
            if found:
                return found
        return None


def _sources(name: str, data: Mapping[str, Any]) -> Mapping[str, str]:
    raw = data.get("sources", {})
    if not isinstance(raw, Mapping):
        raise PolicyError(f"profile {name!r}: sources: must be a mapping from a setting to where it comes from")
    for key, value in raw.items():
        if not isinstance(key, str) or key.split(".")[0] not in _SCHEMA:
            raise PolicyError(f"profile {name!r}: sources.{excerpt(key)}: not a setting")
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"profile {name!r}: sources.{key}: must say where the rule comes from")
    return raw


def _layers(name: str, seen: tuple[str, ...] = ()) -> list[_Layer]:
    """The layers from the root profile down to `name`."""
    if name in seen:
        raise PolicyError(f"profile {seen[0]!r}: extends: loops ({' -> '.join((*seen, name))})")
    data = _read_profile(name)
    own = _Layer(f"profile {name!r}", {k: v for k, v in data.items() if k not in ("extends", "sources")},
                 _sources(name, data))
    if "extends" not in data:
        return [own]
    parent = data["extends"]
    if not isinstance(parent, str) or parent not in _packaged():
        raise PolicyError(
            f"profile {name!r}: extends: unknown profile {parent!r} "
            f"(known: {', '.join(available_profiles())})"
        )
    return [*_layers(parent, (*seen, name)), own]


def _merge(
    into: dict, layer: Mapping, schema: Any, path: str, source: tuple[int, str, _Layer], origins: dict
) -> None:
    """Deep-merge `layer` into `into`, rejecting unknown keys and remembering who set each leaf."""
    for key, value in layer.items():
        name = key if isinstance(key, str) and len(key) <= 60 else excerpt(key)  # setting names are short
        where = f"{path}.{name}" if path else name
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
            if source[2].source_of(where) is None:
                raise PolicyError(f"{source[1]}: {where}: no source (say under sources: where the rule comes from)")
            into[key] = value
            origins[where] = source


class _Reader:
    """Typed access to merged settings; errors name whoever set the offending value."""

    def __init__(self, merged: dict, origins: dict, default_source: str) -> None:
        self.merged, self.origins, self.default_source = merged, origins, default_source

    def source(self, *paths: str) -> str:
        # The latest layer to touch any of the fields is the one that broke the combination.
        found = [self.origins[p][:2] for p in paths if p in self.origins]
        return max(found)[1] if found else self.default_source

    def get(self, path: str) -> Any:
        node, rule = self.merged, _SCHEMA
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
        first_meeting=get("first_meeting"),
        meeting_cadence=get("meeting_cadence"),
        meeting_breach_after_weeks=get("meeting_breach_after_weeks"),
        last_core_group_working_days_before_review=get("last_core_group_working_days_before_review"),
        meetings_in_person=get("meetings_in_person"),
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
            get("cp9.enabled"), get("cp9.form_name"), get("cp9.days"), get("cp9.roll"),
            get("cp9.remind_working_days_before"),
        ),
        digest_time=get("digest_time"),
        post_deregistration=PostDeregistrationWindow(
            get("post_deregistration.enabled"),
            get("post_deregistration.window_start_weeks"),
            get("post_deregistration.window_end_weeks"),
            get("post_deregistration.review_activity"),
        ),
        chair_must_be_listed=get("chair_must_be_listed"),
        wording=Wording(get("wording.significant_amendment")),
    )


def _merged(profile: str, overrides: Mapping[str, Any] | None, overrides_source: str) -> _Reader:
    if not isinstance(profile, str) or profile not in available_profiles():
        raise PolicyError(f"unknown profile {profile!r} (known: {', '.join(available_profiles())})")
    layers = _layers(profile)
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise PolicyError("overrides: must be a mapping of settings")
        layers.append(_Layer("overrides", overrides, None, overrides_source))
    merged: dict[str, Any] = {}
    origins: dict[str, tuple[int, str, _Layer]] = {}
    for rank, layer in enumerate(layers):
        _merge(merged, layer.settings, _SCHEMA, "", (rank, layer.label, layer), origins)
    return _Reader(merged, origins, f"profile {profile!r}")


def load_policy(profile: str, *, overrides: Mapping[str, Any] | None = None) -> Policy:
    """The validated policy for a packaged profile, with an organisation's overrides applied."""
    return _build(profile, _merged(profile, overrides, "organisation file"))


@dataclass(frozen=True)
class SourcedRule:
    """One effective rule: its setting, its value as written, and where it comes from."""

    setting: str
    value: Any
    source: str


def sourced_rules(profile: str, *, overrides: Mapping[str, Any] | None = None,
                  organisation: str = "organisation file") -> list[SourcedRule]:
    """Every effective rule of the profile (with the overrides), in the profile's order, each with its source."""
    reader = _merged(profile, overrides, f"organisation file: {organisation}")
    _build(profile, reader)  # the same validation as load_policy: an invalid combination is never listed
    order = list(_SCHEMA)
    paths = sorted(reader.origins, key=lambda path: order.index(path.split(".")[0]))
    return [SourcedRule(path, _at(reader.merged, path), reader.origins[path][2].source_of(path) or "")
            for path in paths]


def _at(merged: dict, path: str) -> Any:
    node: Any = merged
    for part in path.split("."):
        node = node[part]
    return node
