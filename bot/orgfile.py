"""The organisation file (DESIGN §5): parsed and validated into plain dataclasses.

Every problem is collected and named by its path (`cases[2].team_leader: missing`), so an admin
can fix the whole file in one go; nothing here raises anything but ConfigError. Every value's type and
range is checked, and a bad value is quoted only as a short excerpt (`strict_yaml.excerpt`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar import Nation, WorkingCalendar
from bot.errors import ConfigError
from bot.policy import PolicyError, available_profiles, load_policy
from bot.strict_yaml import excerpt, load_yaml_file

# Slack ids are short (U0123ABCD); the database keeps 30 characters.
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,28}")
SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,28}")
# Teams: people are Microsoft Entra object ids; teams and channels are thread ids (19:...@thread.tacv2).
ENTRA_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TEAMS_THREAD = re.compile(r"19:[A-Za-z0-9_-]{1,80}@thread\.(?:tacv2|skype)")
PLATFORMS = ("slack", "teams")
#: The platform of the file being parsed: it decides what a person's and a channel's id look like.
_PLATFORM: ContextVar[str] = ContextVar("platform", default="slack")
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{1,59}")
# A role label ("Mother", "Grandfather", "Foster carer"): short words, so a full name stands out.
ROLE_LABEL = re.compile(r"[A-Za-z][A-Za-z' -]{0,39}")
MAX_NAME = 200
MAX_TIMEZONE = 60
RETENTION_YEARS = range(1, 101)  # the longest UK guidance for child-protection records is 75 years
# Dates a core group can have: children registered this century, meetings before the next.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MAX_ERRORS = 50  # enough to fix a file in one go; beyond it, the rest is usually the same mistake
_T = TypeVar("_T")
ORGANISATION_KEYS = {
    "name",
    "profile",
    "nation",
    "timezone",
    "coordinator",
    "closure_days",
    "working_days",
    "policy",
    "retention_years",
    "admins",
    "eligible_chairs",
    "platform",
}
CASE_KEYS = {
    "reference",
    "channel",
    "registered_on",
    "first_meeting",
    "chair",
    "team_leader",
    "members",
    "participants_without_slack",
    "review_conference",
    "conference_chair",
    "team",
}


@dataclass(frozen=True)
class OrganisationSpec:
    """The organisation block of the file."""

    name: str
    profile: str
    nation: str
    timezone: str
    coordinator: str
    closure_days: tuple[date, ...] = ()
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    retention_years: int = 7
    admins: tuple[str, ...] = ()
    working_days: tuple[date, ...] = ()  # bank holidays the organisation works
    eligible_chairs: tuple[str, ...] = ()  # who may chair, where the profile asks (Fife)
    platform: str = "slack"  # slack | teams: where the core groups work


@dataclass(frozen=True)
class CaseSpec:
    """One case as the file describes it; `first_meeting` is UTC."""

    reference: str
    channel: str
    registered_on: date
    chair: str
    team_leader: str
    first_meeting: datetime | None = None
    members: tuple[str, ...] = ()
    participants_without_slack: tuple[str, ...] = ()
    review_conference: date | None = None  # the next review conference (review CPPM in Scotland)
    conference_chair: str | None = None  # who chairs it (Fife: the Reviewing Officer): significant-amendment referrals
    team: str | None = None  # Teams: the team the case channel belongs to (19:...@thread.tacv2)


@dataclass(frozen=True)
class OrganisationFile:
    """A whole, valid organisation file."""

    organisation: OrganisationSpec
    cases: tuple[CaseSpec, ...]


def load_organisation_file(path: str | Path) -> OrganisationFile:
    """Read and validate the YAML file at `path`."""
    return parse_organisation_file(load_yaml_file(path))


def parse_organisation_file(data: Any) -> OrganisationFile:
    """Validate already-parsed YAML; raise ConfigError listing every problem."""
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise ConfigError(["the file must be a mapping with 'organisation' and 'cases'"])
    _control_characters(data, "", errors)
    platform = _platform(data.get("organisation"), errors)
    token = _PLATFORM.set(platform)
    try:
        return _parse(data, platform, errors)
    finally:
        _PLATFORM.reset(token)


def _platform(raw: Any, errors: list[str]) -> str:
    value = raw.get("platform", "slack") if isinstance(raw, Mapping) else "slack"
    if value not in PLATFORMS:
        errors.append(f"organisation.platform: '{excerpt(value)}' is not one of {', '.join(PLATFORMS)}")
        return "slack"
    return str(value)


def _parse(data: Mapping, platform: str, errors: list[str]) -> OrganisationFile:
    organisation = _organisation(data.get("organisation"), errors)
    tz = ZoneInfo(organisation.timezone) if organisation else ZoneInfo("Europe/London")
    cases = _cases(data.get("cases", []), tz, errors)
    if organisation is not None:
        _chairs_listed(organisation, data.get("cases"), cases, errors)
    for key in sorted({str(k) for k in data} - {"organisation", "cases"}):
        errors.append(f"{excerpt(key)}: unknown section (expected organisation and cases)")
    if errors or organisation is None:
        raise ConfigError(_at_most(errors, MAX_ERRORS))
    return OrganisationFile(organisation=organisation, cases=tuple(cases))


def _at_most(errors: list[str], limit: int) -> list[str]:
    if len(errors) <= limit:
        return errors
    return [*errors[:limit], f"… and {len(errors) - limit} more problems"]


def _control_characters(value: Any, where: str, errors: list[str]) -> None:
    """Name every text in the file holding a control character (a NUL, an escape), which no field may."""
    if isinstance(value, str):
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in value):
            errors.append(f"{where or 'the file'}: '{excerpt(value)}' contains a control character")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _control_characters(key, where, errors)
            _control_characters(item, f"{where}.{excerpt(key)}" if where else excerpt(key), errors)
    elif isinstance(value, list):
        for j, item in enumerate(value):
            _control_characters(item, f"{where}[{j}]", errors)


def _organisation(raw: Any, errors: list[str]) -> OrganisationSpec | None:
    if raw is None:
        errors.append("organisation: missing")
        return None
    if not isinstance(raw, Mapping):
        errors.append("organisation: must be a mapping")
        return None
    start = len(errors)
    _unknown_keys(raw, ORGANISATION_KEYS, "organisation", errors)
    name = _text(raw, "name", "organisation", errors)
    if name is not None and len(name) > MAX_NAME:
        errors.append(f"organisation.name: '{excerpt(name)}' is longer than {MAX_NAME} characters")
    profile = _text(raw, "profile", "organisation", errors)
    policy = None
    if profile is not None:
        if profile not in available_profiles():
            errors.append(
                f"organisation.profile: unknown profile '{excerpt(profile)}' (known: {', '.join(available_profiles())})"
            )
        else:
            overrides = raw.get("policy") or {}
            if not isinstance(overrides, Mapping):
                errors.append("organisation.policy: must be a mapping of settings to override")
            else:
                try:
                    policy = load_policy(profile, overrides=overrides)
                except PolicyError as exc:
                    errors.append(f"organisation.policy: {excerpt(str(exc), 200)}")
    nation = raw.get("nation", policy.nation if policy else None)
    if nation is None:
        errors.append("organisation.nation: missing")
    elif not isinstance(nation, str) or nation not in {n.value for n in Nation}:
        errors.append(f"organisation.nation: '{excerpt(nation)}' is not one of {', '.join(n.value for n in Nation)}")
    elif policy is not None and str(policy.nation) != nation:
        errors.append(
            f"organisation.nation: '{nation}' does not match profile '{profile}', which is for {policy.nation}"
        )
    timezone_name = raw.get("timezone", "Europe/London")
    if not _is_time_zone(timezone_name):
        errors.append(f"organisation.timezone: '{excerpt(timezone_name)}' is not a known time zone")
        timezone_name = "Europe/London"
    coordinator = _slack_user(raw, "coordinator", "organisation", errors)
    closure_days = _dates(raw.get("closure_days", []), "organisation.closure_days", errors)
    working_days = _dates(raw.get("working_days", []), "organisation.working_days", errors)
    if isinstance(nation, str) and nation in {n.value for n in Nation}:
        _worked_bank_holidays(working_days, set(closure_days), nation, errors)
    eligible_chairs = _slack_users(raw.get("eligible_chairs", []), "organisation.eligible_chairs", errors)
    if policy is not None and policy.chair_must_be_listed and not eligible_chairs:
        errors.append(
            f"organisation.eligible_chairs: missing (profile '{profile}' asks for the chairs who may chair "
            "a core group to be listed)"
        )
    retention = raw.get("retention_years", 7)
    if not isinstance(retention, int) or isinstance(retention, bool) or retention not in RETENTION_YEARS:
        errors.append(
            f"organisation.retention_years: '{excerpt(retention)}' must be a whole number of years from "
            f"{RETENTION_YEARS.start} to {RETENTION_YEARS.stop - 1}"
        )
    admins = _slack_users(raw.get("admins", []), "organisation.admins", errors)
    if len(errors) > start or name is None or profile is None or coordinator is None:  # each missing one is an error
        return None
    return OrganisationSpec(
        name=name,
        profile=profile,
        nation=nation,
        timezone=str(timezone_name),
        coordinator=coordinator,
        closure_days=tuple(closure_days),
        policy_overrides=dict(raw.get("policy") or {}),
        retention_years=retention,
        admins=tuple(admins),
        working_days=tuple(working_days),
        eligible_chairs=tuple(dict.fromkeys(eligible_chairs)),
        platform=_PLATFORM.get(),
    )


def _worked_bank_holidays(days: list[date], closures: set[date], nation: str, errors: list[str]) -> None:
    """Each worked day must be a bank holiday of the nation on a weekday, and not also a closure day."""
    calendar = WorkingCalendar(nation=nation)
    for j, day in enumerate(days):
        where = f"organisation.working_days[{j}]"
        if day in closures:
            errors.append(f"{where}: {day.isoformat()} is also a closure day: it cannot be both")
        elif day.weekday() >= 5 or not calendar.is_bank_holiday(day):
            errors.append(
                f"{where}: {day.isoformat()} is not a weekday bank holiday in {nation} "
                "(list only bank holidays the organisation works)"
            )


def _chairs_listed(organisation: OrganisationSpec, raw_cases: Any, cases: list[CaseSpec], errors: list[str]) -> None:
    """Where the profile asks for it (Fife), every case's chair is one of the organisation's eligible chairs."""
    try:
        policy = load_policy(organisation.profile, overrides=organisation.policy_overrides)
    except PolicyError:
        return  # already reported against organisation.policy
    if not policy.chair_must_be_listed or not organisation.eligible_chairs:
        return
    by_reference = {
        str(item.get("reference", "")).strip(): j for j, item in enumerate(raw_cases or []) if isinstance(item, Mapping)
    }
    for case in cases:
        if case.chair not in organisation.eligible_chairs:
            j = by_reference.get(case.reference, "?")
            errors.append(
                f"cases[{j}].chair: '{case.chair}' is not one of organisation.eligible_chairs (profile "
                f"'{organisation.profile}': the chair is the responsible Social Work Team Manager or a "
                "Senior Practitioner)"
            )


def _cases(raw: Any, tz: ZoneInfo, errors: list[str]) -> list[CaseSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append("cases: must be a list")
        return []
    cases: list[CaseSpec] = []
    seen_references: dict[str, int] = {}
    seen_channels: dict[str, int] = {}
    for index, item in enumerate(raw):
        where = f"cases[{index}]"
        if not isinstance(item, Mapping):
            errors.append(f"{where}: must be a mapping")
            continue
        start = len(errors)
        _unknown_keys(item, CASE_KEYS, where, errors)
        reference = _text(item, "reference", where, errors)
        if reference is not None and not REFERENCE.fullmatch(reference):
            errors.append(
                f"{where}.reference: '{excerpt(reference)}' must be an opaque reference (letters, digits, - / _ .; "
                "at most 60), never a name"
            )
        elif reference is not None and reference in seen_references:
            errors.append(f"{where}.reference: '{reference}' is already used by cases[{seen_references[reference]}]")
        channel = _text(item, "channel", where, errors)
        team = _team(item, where, errors)
        if channel is not None and not _channel_shape().fullmatch(channel):
            errors.append(f"{where}.channel: '{excerpt(channel)}' is not {_CHANNEL_WORDS[_PLATFORM.get()]}")
        elif channel is not None and channel in seen_channels:
            errors.append(f"{where}.channel: '{channel}' is already used by cases[{seen_channels[channel]}]")
        registered_on = _date(item.get("registered_on"), f"{where}.registered_on", errors, required=True)
        first_meeting = _local_datetime(item.get("first_meeting"), f"{where}.first_meeting", tz, errors)
        chair = _slack_user(item, "chair", where, errors)
        team_leader = _slack_user(item, "team_leader", where, errors)
        members = _slack_users(item.get("members", []), f"{where}.members", errors)
        review_conference = _date(item.get("review_conference"), f"{where}.review_conference", errors)
        conference_chair = (
            _slack_user(item, "conference_chair", where, errors) if item.get("conference_chair") is not None else None
        )
        labels = item.get("participants_without_slack", []) or []
        if not isinstance(labels, list):
            errors.append(f"{where}.participants_without_slack: must be a list of role labels")
            labels = []
        for j, label in enumerate(labels):
            if not isinstance(label, str) or not ROLE_LABEL.fullmatch(label.strip()):
                errors.append(
                    f"{where}.participants_without_slack[{j}]: "
                    "must be a short role label such as 'Mother', never a name"
                )
        if (
            len(errors) > start
            or reference is None
            or channel is None
            or registered_on is None
            or chair is None
            or team_leader is None
        ):  # each missing one is an error
            continue
        seen_references[reference] = index
        seen_channels[channel] = index
        cases.append(
            CaseSpec(
                reference=reference,
                channel=channel,
                registered_on=registered_on,
                chair=chair,
                team_leader=team_leader,
                first_meeting=first_meeting,
                members=tuple(dict.fromkeys(members)),
                participants_without_slack=tuple(dict.fromkeys(label.strip() for label in labels)),
                review_conference=review_conference,
                conference_chair=conference_chair,
                team=team,
            )
        )
    return cases


_CHANNEL_WORDS = {
    "slack": "a Slack channel id (C... or G...)",
    "teams": "a Teams channel id (19:...@thread.tacv2, from the channel's link: Get link to channel)",
}
_USER_WORDS = {
    "slack": "a Slack user id (U... or W...)",
    "teams": "a Microsoft Entra object id (a GUID such as 8f2c1a9e-...; Entra admin centre > Users > Object ID)",
}


def _channel_shape() -> re.Pattern[str]:
    return TEAMS_THREAD if _PLATFORM.get() == "teams" else SLACK_CHANNEL


def _user_shape() -> re.Pattern[str]:
    return ENTRA_ID if _PLATFORM.get() == "teams" else SLACK_USER


def _team(item: Mapping, where: str, errors: list[str]) -> str | None:
    """The case channel's team (Teams only, required there)."""
    if _PLATFORM.get() != "teams":
        if item.get("team") is not None:
            errors.append(f"{where}.team: only for an organisation with platform: teams")
        return None
    team = _text(item, "team", where, errors)
    if team is not None and not TEAMS_THREAD.fullmatch(team):
        errors.append(f"{where}.team: '{excerpt(team)}' is not a Teams team id (19:...@thread.tacv2)")
        return None
    return team


def _unknown_keys(raw: Mapping, known: set[str], where: str, errors: list[str]) -> None:
    for key in sorted(set(map(str, raw)) - known):
        errors.append(f"{where}.{excerpt(key)}: unknown field")


def _text(raw: Mapping, key: str, where: str, errors: list[str]) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(f"{where}.{key}: missing")
        return None
    if not isinstance(value, str):
        errors.append(f"{where}.{key}: must be text")
        return None
    return value.strip()


def _slack_user(raw: Mapping, key: str, where: str, errors: list[str]) -> str | None:
    value = _text(raw, key, where, errors)
    if value is not None and not _user_shape().fullmatch(value):
        errors.append(f"{where}.{key}: '{excerpt(value)}' is not {_USER_WORDS[_PLATFORM.get()]}")
        return None
    if value is not None and _PLATFORM.get() == "teams":
        return value.lower()  # Entra ids are compared as Teams sends them
    return value


def _slack_users(raw: Any, where: str, errors: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(
            f"{where}: must be a list of " + ("Entra object ids" if _PLATFORM.get() == "teams" else "Slack user ids")
        )
        return []
    users = []
    for j, value in enumerate(raw):
        if not isinstance(value, str) or not _user_shape().fullmatch(value):
            errors.append(f"{where}[{j}]: '{excerpt(value)}' is not {_USER_WORDS[_PLATFORM.get()]}")
        else:
            # Entra ids are compared as Teams sends them (lower case).
            users.append(value.lower() if _PLATFORM.get() == "teams" else value)
    return users


def _date(value: Any, where: str, errors: list[str], *, required: bool = False) -> date | None:
    if value is None:
        if required:
            errors.append(f"{where}: missing")
        return None
    if isinstance(value, datetime):
        errors.append(f"{where}: must be a date (YYYY-MM-DD), not a date and time")
        return None
    day = value if isinstance(value, date) else _from_iso(date.fromisoformat, value)
    if day is None:
        errors.append(f"{where}: '{excerpt(value)}' is not a date (YYYY-MM-DD)")
        return None
    return day if _in_range(day, where, errors) else None


def _from_iso(parse: Callable[[str], _T], value: Any) -> _T | None:
    """`value` read by `parse` (an ISO-8601 reader), or None if it is not such text."""
    if not isinstance(value, str):
        return None
    try:
        return parse(value)
    except ValueError:
        return None


def _in_range(day: date, where: str, errors: list[str]) -> bool:
    if EARLIEST <= day <= LATEST:
        return True
    errors.append(f"{where}: {day.isoformat()} is outside {EARLIEST.isoformat()} to {LATEST.isoformat()}")
    return False


def _is_time_zone(name: Any) -> bool:
    if not isinstance(name, str) or not name or len(name) > MAX_TIMEZONE:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: some versions read a directory name
        return False
    return True


def _dates(raw: Any, where: str, errors: list[str]) -> list[date]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(f"{where}: must be a list of dates (YYYY-MM-DD)")
        return []
    return [d for j, value in enumerate(raw) if (d := _date(value, f"{where}[{j}]", errors)) is not None]


def _local_datetime(value: Any, where: str, tz: ZoneInfo, errors: list[str]) -> datetime | None:
    """A wall-clock time in the organisation's zone (or with an explicit offset), as UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        errors.append(f"{where}: needs a time as well (YYYY-MM-DDTHH:MM)")
        return None
    else:
        parsed = _from_iso(datetime.fromisoformat, value)
        if parsed is None:
            errors.append(f"{where}: '{excerpt(value)}' is not a date and time (YYYY-MM-DDTHH:MM)")
            return None
        moment = parsed
    # Checked before the conversion to UTC, which overflows at the ends of the calendar.
    if not _in_range(moment.date(), where, errors):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc)
