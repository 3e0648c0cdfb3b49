"""The organisation's procedure rules and working-day calendar, built from its stored settings."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from bot.calendar import WorkingCalendar
from bot.policy import Policy, load_policy
from store.models import Organisation


def policy_for(organisation: Organisation) -> Policy:
    """The organisation's profile with its overrides applied."""
    return _policy(organisation.profile, _freeze(organisation.policy_overrides or {}))


def calendar_for(organisation: Organisation) -> WorkingCalendar:
    """Working days for the organisation's nation, bank holidays (less those it works) and closure days."""
    closures = tuple(sorted(date.fromisoformat(str(d)) for d in organisation.closure_days or []))
    worked = tuple(sorted(date.fromisoformat(str(d)) for d in organisation.working_days or []))
    return _calendar(organisation.nation, closures, organisation.timezone, worked)


@lru_cache(maxsize=64)
def _policy(profile: str, overrides: tuple) -> Policy:
    return load_policy(profile, overrides=_thaw(overrides))


@lru_cache(maxsize=64)
def _calendar(nation: str, closures: tuple[date, ...], timezone: str, worked: tuple[date, ...] = ()) -> WorkingCalendar:
    # Cached because a holidays object is costly to build and the sweep asks for it per case.
    return WorkingCalendar(nation=nation, closure_days=closures, timezone=timezone, working_days=worked)


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value):
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value
