"""Use cases for the case registry: import the organisation file, list cases, show a case's status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import ConfigError, NotACaseChannelError, NotInCaseError
from bot.orgfile import CaseSpec, OrganisationFile
from bot.services.meetings import sync_first_meeting
from bot.services.review_conference import set_review_conference
from store.models import Case, CaseRole, CaseStatus, Organisation, Role
from store.uow import UnitOfWork


@dataclass
class ImportReport:
    """What an import changed, case by case."""

    organisation: str
    organisation_changes: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines for the terminal."""
        out = [f"Organisation {self.organisation}: " + ("; ".join(self.organisation_changes) or "unchanged")]
        out += [f"created {ref}" for ref in self.created]
        out += [f"updated {ref}: {'; '.join(changes)}" for ref, changes in self.updated.items()]
        out.append(
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
            + (
                f", {len(self.not_in_file)} in the database but not in this file (left as they are)"
                if self.not_in_file
                else ""
            )
        )
        return out


@dataclass(frozen=True)
class CaseSummary:
    """A case as `cases list` and `/core-group status` show it."""

    reference: str
    channel: str
    status: str
    chair: str | None
    team_leader: str | None
    member_count: int
    participants_without_slack: tuple[str, ...]
    first_meeting_at: datetime | None


def import_organisation(file: OrganisationFile, *, uow: UnitOfWork, now: datetime, actor: str = "cli") -> ImportReport:
    """Create or update the organisation and its cases from a validated file, in one transaction.

    Raises ConfigError, having changed nothing, when the file names another organisation's case or
    another case's channel.
    """
    spec = file.organisation
    report = ImportReport(organisation=spec.name)
    organisation = uow.organisations.get_by_name(spec.name)
    existing = uow.cases.list()
    _refuse_others(file, existing, organisation_id=organisation.id if organisation else None)
    wanted = {
        "profile": spec.profile,
        "nation": spec.nation,
        "timezone": spec.timezone,
        "coordinator": spec.coordinator,
        "closure_days": [d.isoformat() for d in spec.closure_days],
        "working_days": [d.isoformat() for d in spec.working_days],
        "policy_overrides": dict(spec.policy_overrides),
        "retention_years": spec.retention_years,
        "admins": list(spec.admins),
        "platform": spec.platform,
    }
    if organisation is None:
        organisation = Organisation(name=spec.name, created_at=now, updated_at=now, **wanted)
        uow.organisations.add(organisation)
        report.organisation_changes.append("created")
    else:
        report.organisation_changes = _apply(organisation, wanted)
        if report.organisation_changes:
            organisation.updated_at = now
    if report.organisation_changes:
        uow.audit.record(action="organisation.imported", at=now, actor=actor, changes=report.organisation_changes)

    for case_spec in file.cases:
        case = uow.cases.get_by_reference(case_spec.reference)
        if case is None:
            case = _new_case(case_spec, organisation, now)
            uow.cases.add(case)
            report.created.append(case_spec.reference)
            uow.audit.record(action="case.registered", at=now, case_id=case.id, actor=actor)
            sync_first_meeting(uow=uow, case=case, actor=actor, now=now)
            _sync_review_conference(uow, case, case_spec, actor=actor, now=now)
            continue
        changes = _apply(
            case,
            {
                "channel": case_spec.channel,
                "registered_on": case_spec.registered_on,
                "first_meeting_at": case_spec.first_meeting,
                "conference_chair": case_spec.conference_chair,
            },
        )
        changes += _sync_roles(case, case_spec)
        if "first_meeting_at" in " ".join(changes):
            sync_first_meeting(uow=uow, case=case, actor=actor, now=now)
        if _sync_review_conference(uow, case, case_spec, actor=actor, now=now):
            changes.append(f"review_conference: {case_spec.review_conference}")  # a date prints as ISO
        if changes:
            case.updated_at = now
            report.updated[case_spec.reference] = changes
            uow.audit.record(action="case.updated", at=now, case_id=case.id, actor=actor, changes=changes)
        else:
            report.unchanged.append(case_spec.reference)
    in_file = {c.reference for c in file.cases}
    report.not_in_file = [
        c.reference for c in existing if c.organisation_id == organisation.id and c.reference not in in_file
    ]
    return report


def _sync_review_conference(uow: UnitOfWork, case: Case, spec: CaseSpec, *, actor: str, now: datetime) -> bool:
    """The file's review conference, unless the case already knows that date (set since, or held and decided: a file
    not yet updated after the conference must not bring a past date back); True when it was set."""
    if (
        spec.review_conference is None
        or case.status != CaseStatus.OPEN
        or uow.reviews.known_on(case.id, spec.review_conference)
    ):
        return False
    return (
        set_review_conference(
            uow=uow, now=now, case=case, held_on=spec.review_conference, by=actor, via="organisation file"
        )
        is not None
    )


def _refuse_others(file: OrganisationFile, existing: Sequence[Case], *, organisation_id: int | None) -> None:
    """Before anything is written: a case belongs to one organisation, and a channel to one case."""
    by_reference = {c.reference: c for c in existing}
    by_channel = {c.channel: c for c in existing}
    problems = []
    for index, spec in enumerate(file.cases):
        where = f"cases[{index}]"
        case = by_reference.get(spec.reference)
        if case is not None and case.organisation_id != organisation_id:
            # Not which one: an admin of one authority learns nothing about another's cases.
            problems.append(
                f"{where}.reference: '{spec.reference}' is a case of another organisation; "
                "a case never moves between organisations"
            )
        holder = by_channel.get(spec.channel)
        if holder is None or holder.reference == spec.reference:
            continue
        ours = holder.organisation_id == organisation_id
        owner = f"case {holder.reference}" if ours else "a case of another organisation"
        problems.append(
            f"{where}.channel: '{spec.channel}' is already the channel of {owner}; give this case its own channel"
        )
    if problems:
        raise ConfigError(problems)


def list_cases(*, uow: UnitOfWork) -> list[CaseSummary]:
    """Every case, by reference."""
    return [summarise(case) for case in uow.cases.list()]


def case_for_channel(channel: str, user: str, *, uow: UnitOfWork) -> Case:
    """The case whose channel this is, if `user` may see it (the group or the coordinator)."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        raise NotACaseChannelError()
    if not (case.is_in_group(user) or user == case.organisation.coordinator):
        raise NotInCaseError()
    return case


@dataclass(frozen=True)
class CaseStatusView(CaseSummary):
    """What `/core-group status` shows about one case."""

    timezone: str = "Europe/London"
    next_meeting_at: datetime | None = None


def case_status(channel: str, user: str, *, uow: UnitOfWork, now: datetime) -> CaseStatusView:
    """The status of the case in `channel`, for someone allowed to see it."""
    case = case_for_channel(channel, user, uow=uow)
    summary = summarise(case)
    upcoming = uow.meetings.next_for_case(case.id, now=now)
    return CaseStatusView(
        **vars(summary), timezone=case.organisation.timezone, next_meeting_at=upcoming.starts_at if upcoming else None
    )


def summarise(case: Case) -> CaseSummary:
    """The registry's view of one case."""
    return CaseSummary(
        reference=case.reference,
        channel=case.channel,
        status=case.status,
        chair=case.chair,
        team_leader=case.team_leader,
        member_count=len(case.members),
        participants_without_slack=tuple(case.participants_without_slack),
        first_meeting_at=case.first_meeting_at,
    )


def _new_case(spec: CaseSpec, organisation: Organisation, now: datetime) -> Case:
    case = Case(
        organisation=organisation,
        reference=spec.reference,
        channel=spec.channel,
        registered_on=spec.registered_on,
        first_meeting_at=spec.first_meeting,
        conference_chair=spec.conference_chair,
        status=CaseStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    case.roles = [CaseRole(role=role, user_id=user, label=label) for role, user, label in _roles(spec)]
    return case


def _roles(spec: CaseSpec) -> list[tuple[str, str | None, str | None]]:
    roles: list[tuple[str, str | None, str | None]] = [
        (Role.CHAIR, spec.chair, None),
        (Role.TEAM_LEADER, spec.team_leader, None),
    ]
    roles += [(Role.MEMBER, user, None) for user in spec.members]
    roles += [(Role.PARTICIPANT, None, label) for label in spec.participants_without_slack]
    return roles


def _sync_roles(case: Case, spec: CaseSpec) -> list[str]:
    """Make the case's roles match the file; describe each change without personal data."""
    have = {(r.role, r.user_id, r.label): r for r in case.roles}
    want = _roles(spec)
    changes = []
    for key in want:
        if key not in have:
            case.roles.append(CaseRole(role=key[0], user_id=key[1], label=key[2]))
            changes.append(f"{key[0]} added: {key[1] or key[2]}")
    for key, role in have.items():
        if key[0] == Role.MEMBER and key[2]:  # added in Slack by the chair (`/core-group add`): not the file's
            continue
        if key not in want:
            case.roles.remove(role)
            changes.append(f"{key[0]} removed: {key[1] or key[2]}")
    return changes


def _apply(obj: object, wanted: dict) -> list[str]:
    changes = []
    for name, value in wanted.items():
        if getattr(obj, name) != value:
            changes.append(f"{name}: {_show(getattr(obj, name))} -> {_show(value)}")
            setattr(obj, name, value)
    return changes


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)
