"""Who may act for whom: the one rule behind every "this person or their delegate" check.

A delegation covers one kind of work (its `Scope`); each step someone takes is one `Duty`. A delegate acts
for their principal only in the duties their delegation's scope covers: a team leader's request-decision
delegate never chairs, whatever their principal also does. Services call `acting_as` (may this person
act, and for whom) and `recipient_for` (who gets a notice meant for a principal today).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import CoreGroupError, NotAllowedError, NotInCaseError
from bot.organisation import calendar_for

if TYPE_CHECKING:  # the rule is pure; only the service-facing functions see the store
    from store.models import Case, Organisation
    from store.uow import UnitOfWork


class Scope(StrEnum):
    """What a delegation covers: each is given separately."""

    REQUEST_DECISIONS = "request_decisions"
    COORDINATION = "coordination"
    CHAIRING = "chairing"


class Duty(StrEnum):
    """The kind of step someone takes, so the delegation needed for it can be looked up."""

    DECIDE_AS_TEAM_LEADER = "decide_as_team_leader"  # approve or refuse a request
    DECIDE_AS_COORDINATOR = "decide_as_coordinator"  # decide a team leader's own request, review a refusal
    COORDINATE = "coordinate"  # CP9 forms, letters to institutions, the digest, the report, re-opening
    CHAIR = "chair"  # schedule, record, plan sent, CP9 sent, the report, deregistration


#: Which duties each scope covers. The coordinator's work includes the coordinator's decisions on requests.
COVERS: Mapping[Scope, frozenset[Duty]] = {
    Scope.REQUEST_DECISIONS: frozenset({Duty.DECIDE_AS_TEAM_LEADER, Duty.DECIDE_AS_COORDINATOR}),
    Scope.COORDINATION: frozenset({Duty.COORDINATE, Duty.DECIDE_AS_COORDINATOR}),
    Scope.CHAIRING: frozenset({Duty.CHAIR}),
}

#: What a delegation covers, in the users' words (the confirmation, the delegate's message, the README).
COVERS_IN_WORDS: Mapping[Scope, str] = {
    Scope.REQUEST_DECISIONS: "decisions on requests for an additional core group meeting (not chairing, "
    "not the coordinator's other work)",
    Scope.COORDINATION: "the coordinator's work: decisions and reviews of requests, CP9 forms, letters to "
    "institutions, the daily digest, review conference reports and re-opening cases",
    Scope.CHAIRING: "chairing: scheduling and recording meetings, sending the plan and the CP9, the review "
    "conference report and deregistration",
}

#: Each scope's short name.
SCOPE_NAMES: Mapping[Scope, str] = {
    Scope.REQUEST_DECISIONS: "decisions on requests",
    Scope.COORDINATION: "the coordinator's work",
    Scope.CHAIRING: "chairing",
}

#: The word after `/core-group delegate @name until DATE` for each scope.
SCOPE_WORDS: Mapping[str, Scope] = {
    "requests": Scope.REQUEST_DECISIONS,
    "coordinator": Scope.COORDINATION,
    "chairing": Scope.CHAIRING,
}

#: Whom chair and coordinator steps belong to, for `acting_as(who=...)` (`{owner}` is filled in by the surface).
CHAIR_OR_DELEGATE = "the chair of {reference} ({{owner}}) or their chairing delegate"
COORDINATOR_OR_DELEGATE = "the Co-ordinator, Children Services ({owner}) or their delegate for the coordinator's work"


def scopes_covering(duty: Duty) -> tuple[Scope, ...]:
    """The scopes whose delegates may take `duty` for their principal."""
    return tuple(scope for scope, duties in COVERS.items() if duty in duties)


@dataclass(frozen=True)
class Acting:
    """Who acts, for whom (None: in their own right), and as what."""

    user: str
    on_behalf_of: str | None
    duty: Duty


def may_act(
    user: str, principals: Iterable[tuple[str | None, Duty]], delegates: Mapping[tuple[str, Duty], str]
) -> Acting | None:
    """`user` acting as one of `principals` (person, duty) or as the delegate covering that duty; else None.

    `delegates` maps (principal, duty) to the delegate whose delegation covers that duty today.
    """
    wanted = [(p, duty) for p, duty in principals if p]
    for principal, duty in wanted:
        if user == principal:
            return Acting(user, None, duty)
    for principal, duty in wanted:
        if delegates.get((principal, duty)) == user:
            return Acting(user, principal, duty)
    return None


class NotYoursError(NotAllowedError):
    """The step belongs to someone else: nothing changes and the person is told whose it is.

    `who` names whom the step belongs to, with `{owner}` where that person goes ("the chair of CP-2027-0142
    ({owner}) or their chairing delegate"), so each surface can name them its own way.
    """

    def __init__(self, *, step: str, who: str, owner: str | None) -> None:
        # The message has no user id: it can end up in plain text (a form's field error), where ids show raw.
        super().__init__(f"Only {who.replace(' ({owner})', '').format(owner='the person it is for')} can {step}.")
        self.step, self.who, self.owner = step, who, owner


class AlreadyDoneError(CoreGroupError):
    """The step was already taken: `what` was `done` by `by` at `at`; `yours` when the one asking did it."""

    def __init__(
        self, *, what: str, done: str, by: str | None, at: datetime | None, timezone: str, yours: bool = False
    ) -> None:
        super().__init__(f"{what} was already {done}.")
        self.what, self.done, self.by, self.at, self.timezone, self.yours = what, done, by, at, timezone, yours


# --- the service-facing side ---------------------------------------------------------------------


def chair_of(case: Case) -> tuple[str | None, Duty]:
    """The case's chair, as whom chair steps are taken."""
    return case.chair, Duty.CHAIR


def coordinator_of(case: Case) -> tuple[str | None, Duty]:
    """The case's coordinator, as whom the coordinator's steps are taken."""
    return case.organisation.coordinator, Duty.COORDINATE


def duty_in(case: Case, person: str) -> Duty:
    """The part `person` plays in a case's chair and coordinator steps: the coordinator's work, else chairing."""
    return Duty.COORDINATE if person == case.organisation.coordinator else Duty.CHAIR


def delegates_for(
    uow: UnitOfWork, principals: Iterable[tuple[str | None, Duty]], *, on: date
) -> dict[tuple[str, Duty], str]:
    """(principal, duty) -> the delegate whose delegation covers that duty on `on`, for those who have one."""
    found: dict[tuple[str, Duty], str] = {}
    for principal, duty in dict.fromkeys((p, d) for p, d in principals if p):
        row = uow.delegates.active_for(principal, on=on, scopes=scopes_covering(duty))
        if row is not None and row.delegate != principal:
            found[(principal, duty)] = row.delegate
    return found


def delegates_for_many(uow: UnitOfWork, principals: Iterable[str], duty: Duty, *, on: date) -> dict[str, str]:
    """principal -> their delegate covering `duty` on `on`, in one query (the sweeps' batches)."""
    return uow.delegates.active_for_many(principals, on=on, scopes=scopes_covering(duty))


def acting_as(
    *,
    uow: UnitOfWork,
    organisation: Organisation,
    user: str,
    now: datetime,
    principals: Sequence[tuple[str | None, Duty]],
    step: str,
    who: str,
) -> Acting:
    """Whether `user` may take `step` as one of `principals` (person, duty) or their delegate; else refused."""
    today = calendar_for(organisation).local_date(now)
    acting = may_act(user, principals, delegates_for(uow, principals, on=today))
    if acting is None:
        owner = next((p for p, _ in principals if p), None)
        raise NotYoursError(step=step, who=who, owner=owner)
    return acting


def recipient_for(
    *, uow: UnitOfWork, organisation: Organisation, principal: str, duty: Duty, now: datetime
) -> tuple[str, str | None]:
    """Who gets a notice meant for `principal` doing `duty` today: their delegate for it (for them), else them."""
    delegate = delegates_for(uow, [(principal, duty)], on=calendar_for(organisation).local_date(now))
    to = delegate.get((principal, duty))
    return (to, principal) if to else (principal, None)


def check_insider(*, uow: UnitOfWork, channel: str, user: str, now: datetime) -> None:
    """Refuse, saying nothing about the case, anyone who is neither in its core group, nor its coordinator,
    nor standing in today for its chair (chairing) or its coordinator (coordinator's work). Not a case channel:
    nothing to hide."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        return
    if case.is_in_group(user) or user == case.organisation.coordinator:
        return
    principals = [chair_of(case), coordinator_of(case)]
    if may_act(user, principals, delegates_for(uow, principals, on=calendar_for(case.organisation).local_date(now))):
        return
    raise NotInCaseError()
