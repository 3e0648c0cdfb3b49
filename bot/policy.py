"""Policy profiles: procedure rules as data files (bot/profiles/*.yml), merged and validated.

A profile may `extends:` another; mappings deep-merge, lists and scalars replace (a deadline or a cadence is
replaced whole). Every rule a profile sets names its source under `sources:` (a document and paragraph,
"local procedure: NAME", or "default: not from guidance"), by its setting or a parent of it. An organisation
may override any value with a mapping of the same shape (source "organisation file: NAME"). Pure: reads only
the packaged files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any, cast

import yaml

from bot.calendar import Nation, Roll, WorkingHours
from bot.obligations import LADDER_NAMES, Ladder, LadderError, parse_ladder
from bot.policy_fields import (
    Cadence,
    FirstMeetingRule,
    Invalid,
    MeetingReminder,
    cadence,
    choice,
    count,
    first_meeting,
    flag,
    hhmm,
    optional_positive_int,
    positive_int,
    reminders,
    text,
)
from bot.strict_yaml import excerpt


class PolicyError(ValueError):
    """A profile or an override is missing, unknown or invalid; the message names the field."""


@dataclass(frozen=True)
class ChecklistItem:
    """One thing each re-evaluation of the plan must consider, with its wording."""

    key: str
    label: str


@dataclass(frozen=True)
class PlanReceiptRule:
    """Plan copies are due `working_days` after the meeting (the chasing is the `plan_copy_*` ladders')."""

    working_days: int


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


@dataclass(frozen=True)
class PostDeregistrationWindow:
    """The post-deregistration meeting falls this many weeks after the review conference (when `enabled`);
    `review_activity`: its outcome asks for the review of the activity in the Child's Plan (Fife)."""

    enabled: bool
    window_start_weeks: int
    window_end_weeks: int
    review_activity: bool = False


class ReferralRecipient(StrEnum):
    """Who receives a significant-amendment referral: the case's conference chair (from the organisation file), or
    the organisation's coordinator."""

    CONFERENCE_CHAIR = "conference_chair"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class ReviewConferenceRule:
    """What the review conference is called, and how many working days before it the chair's report is owed."""

    name: str
    report_working_days_before: int
    source: str  # a document and paragraph, "local procedure: NAME", or "default: not from guidance"


@dataclass(frozen=True)
class AmendmentReferralRule:
    """Who answers a significant-amendment referral (and their title), and within how many calendar days."""

    to: ReferralRecipient
    to_name: str
    days: int
    source: str


DEFAULT_REVIEW = ReviewConferenceRule("review child protection conference", 5, "default: not from guidance")
DEFAULT_REFERRAL = AmendmentReferralRule(
    ReferralRecipient.CONFERENCE_CHAIR, "the conference chair", 7, "default: not from guidance"
)


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
    working_hours: WorkingHours
    plan_receipt: PlanReceiptRule
    cp9: Cp9Rule
    digest_time: time
    post_deregistration: PostDeregistrationWindow
    chair_must_be_listed: bool
    wording: Wording
    obligations: tuple[tuple[str, Ladder], ...] = ()  # each obligation kind's ladder (bot/obligations.py)
    review_conference: ReviewConferenceRule = DEFAULT_REVIEW
    amendment_referral: AmendmentReferralRule = DEFAULT_REFERRAL


def _ladder(value: Any) -> Ladder:
    try:
        return parse_ladder(value)
    except LadderError as e:
        raise Invalid(str(e)) from None


# A mapping whose keys are free (checklist items), each value some text.
_OPEN = object()
_REQUIRED_CHECKLIST = ("supports", "monitoring", "outcomes", "contingency")

_SCHEMA: dict[str, Any] = {
    "nation": choice(Nation),
    "first_meeting": first_meeting,
    "meeting_cadence": cadence,
    "meeting_breach_after_weeks": optional_positive_int,
    "last_core_group_working_days_before_review": optional_positive_int,
    "meetings_in_person": flag,
    "meeting_reminders": reminders,
    "checklist": _OPEN,
    "working_hours": {"start": hhmm, "end": hhmm},
    "plan_receipt": {"working_days": positive_int},
    "cp9": {
        "enabled": flag,
        "form_name": text,
        "days": positive_int,
        "roll": choice(Roll),
    },
    "digest_time": hhmm,
    "post_deregistration": {
        "enabled": flag,
        "window_start_weeks": positive_int,
        "window_end_weeks": positive_int,
        "review_activity": flag,
    },
    "chair_must_be_listed": flag,
    "wording": {"significant_amendment": text},
    "obligations": {name: _ladder for name in LADDER_NAMES},  # a kind's ladder is replaced whole by an override
    "review_conference": {"name": text, "report_working_days_before": count, "source": text},
    "amendment_referral": {"to": choice(ReferralRecipient), "to_name": text, "days": positive_int, "source": text},
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


@cache
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
    own = _Layer(
        f"profile {name!r}", {k: v for k, v in data.items() if k not in ("extends", "sources")}, _sources(name, data)
    )
    if "extends" not in data:
        return [own]
    parent = data["extends"]
    if not isinstance(parent, str) or parent not in _packaged():
        raise PolicyError(
            f"profile {name!r}: extends: unknown profile {parent!r} (known: {', '.join(available_profiles())})"
        )
    return [*_layers(parent, (*seen, name)), own]


#: Settings an older profile or organisation file may still carry, and where their timing lives now: refused by name,
#: so that nobody believes a value is in force when the ledger's ladder is what runs.
_MOVED = {
    "requests": "set the ladders obligations.request_decision and obligations.request_decision_urgent",
    "plan_receipt.remind_on_working_day": "set the ladders obligations.plan_copy_sent and plan_copy_received",
    "cp9.remind_working_days_before": "set the ladder obligations.cp9_sent",
}


def _merge(into: dict, layer: Mapping, schema: Any, path: str, source: tuple[int, str, _Layer], origins: dict) -> None:
    """Deep-merge `layer` into `into`, rejecting unknown keys and remembering who set each leaf."""
    for key, value in layer.items():
        name = key if isinstance(key, str) and len(key) <= 60 else excerpt(key)  # setting names are short
        where = f"{path}.{name}" if path else name
        if schema is _OPEN:
            if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                problem = "item names are lower-case letters, digits and _"
                raise PolicyError(f"{source[1]}: {where}: {problem}")
            rule = text
        elif where in _MOVED:
            raise PolicyError(f"{source[1]}: {where}: no longer a setting; {_MOVED[where]}")
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
        node, rule = self.merged, cast(Any, _SCHEMA)
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise PolicyError(f"{self.default_source}: {path}: missing")
            node, rule = node[part], (text if rule is _OPEN else rule[part])
        try:
            return rule(node)
        except Invalid as e:
            raise PolicyError(f"{self.source(path)}: {path}{e.suffix}: {e.problem}") from None

    def require(self, ok: bool, where: str, problem: str, *paths: str) -> None:
        if not ok:
            raise PolicyError(f"{self.source(*paths)}: {where}: {problem}")


# Pairs whose order matters: (parent, first, second, strictly, problem), meaning first <= second.
_ORDER = (
    ("working_hours", "start", "end", True, "end must be later than start"),
    (
        "post_deregistration",
        "window_start_weeks",
        "window_end_weeks",
        False,
        "window_end_weeks must not be before window_start_weeks",
    ),
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
        working_hours=WorkingHours(get("working_hours.start"), get("working_hours.end")),
        plan_receipt=PlanReceiptRule(get("plan_receipt.working_days")),
        cp9=Cp9Rule(
            get("cp9.enabled"),
            get("cp9.form_name"),
            get("cp9.days"),
            get("cp9.roll"),
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
        obligations=tuple((name, get(f"obligations.{name}")) for name in r.merged.get("obligations", {})),
        review_conference=ReviewConferenceRule(
            get("review_conference.name"),
            get("review_conference.report_working_days_before"),
            get("review_conference.source"),
        ),
        amendment_referral=AmendmentReferralRule(
            get("amendment_referral.to"),
            get("amendment_referral.to_name"),
            get("amendment_referral.days"),
            get("amendment_referral.source"),
        ),
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


def sourced_rules(
    profile: str, *, overrides: Mapping[str, Any] | None = None, organisation: str = "organisation file"
) -> list[SourcedRule]:
    """Every effective rule of the profile (with the overrides), in the profile's order, each with its source."""
    reader = _merged(profile, overrides, f"organisation file: {organisation}")
    _build(profile, reader)  # the same validation as load_policy: an invalid combination is never listed
    order = list(_SCHEMA)
    paths = sorted(reader.origins, key=lambda path: order.index(path.split(".")[0]))
    return [
        SourcedRule(path, _at(reader.merged, path), reader.origins[path][2].source_of(path) or "") for path in paths
    ]


def _at(merged: dict, path: str) -> Any:
    node: Any = merged
    for part in path.split("."):
        node = node[part]
    return node
