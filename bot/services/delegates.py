"""Use cases for delegates: a team leader, chair or the coordinator names someone to stand in while away.

A delegation covers one `Scope` (bot.authority); a principal may have one running delegation per scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.authority import SCOPE_NAMES, Scope
from bot.errors import NotAllowedError
from bot.notice_payloads.coordinator import DelegateAppointed
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for
from bot.requests import check_delegation
from store.models import Delegate, Organisation, Role
from store.uow import UnitOfWork

#: Who may hand on each kind of work.
_WHO_MAY = {
    Scope.REQUEST_DECISIONS: "a team leader or the coordinator",
    Scope.COORDINATION: "the coordinator",
    Scope.CHAIRING: "a chair",
}


def set_delegate(
    *, uow: UnitOfWork, now: datetime, principal: str, delegate: str, until: date, scope: Scope | None = None
) -> Delegate:
    """Make `delegate` stand in for `principal` in `scope` (default: from their role) until `until`, inclusive,
    replacing any earlier delegate for that scope."""
    organisation, scopes = _organisation_of(uow, principal)
    scope = scope or scopes[0]
    if scope not in scopes:
        raise NotAllowedError(f"Only {_WHO_MAY[scope]} can hand on {SCOPE_NAMES[scope]}.")
    check_delegation(
        principal=principal, delegate=delegate, until=until, today=calendar_for(organisation).local_date(now)
    )
    ended = uow.delegates.end_all_for(principal, now=now, scope=scope)
    row = Delegate(
        organisation_id=organisation.id,
        principal=principal,
        delegate=delegate,
        until=until,
        scope=str(scope),
        created_at=now,
    )
    uow.delegates.add(row)
    uow.audit.record(
        action="delegate.set",
        at=now,
        actor=principal,
        delegate=delegate,
        until=until.isoformat(),
        scope=str(scope),
        replaced_earlier=bool(ended),
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.DELEGATE_APPOINTED, row.id, delegate),
        kind=NoticeKind.DELEGATE_APPOINTED,
        recipient=delegate,
        now=now,
        payload=DelegateAppointed(principal=principal, scope=str(scope), until=until),
        platform=organisation.platform,  # no case: the organisation's own platform
    )
    return row


def end_delegate(*, uow: UnitOfWork, now: datetime, principal: str) -> bool:
    """Stop all of `principal`'s delegations now; False when there was none."""
    _organisation_of(uow, principal)
    ended = uow.delegates.end_all_for(principal, now=now)
    if ended:
        uow.audit.record(action="delegate.ended", at=now, actor=principal)
    return bool(ended)


def delegation_scopes(*, uow: UnitOfWork, principal: str) -> list[Scope]:
    """What `principal` may hand on, the default for their role first; refused for anyone who may hand on nothing."""
    return _organisation_of(uow, principal)[1]


def current_delegates(*, uow: UnitOfWork, now: datetime, principal: str) -> Sequence[Delegate]:
    """Who stands in for `principal` today, in which scope."""
    organisation, _ = _organisation_of(uow, principal)
    return uow.delegates.all_active_for(principal, on=calendar_for(organisation).local_date(now))


def _organisation_of(uow: UnitOfWork, user: str) -> tuple[Organisation, list[Scope]]:
    """The organisation in which `user` is the coordinator, a team leader or a chair, and the scopes they may
    hand on, the default (from their first role in that order) first."""
    scopes: list[Scope] = []
    found: Organisation | None = None
    for organisation in uow.organisations.list():
        if organisation.coordinator == user:
            found, scopes = organisation, [Scope.COORDINATION, Scope.REQUEST_DECISIONS]
            break
    cases = uow.cases.for_user(user)
    if any(user in case.users_with(Role.TEAM_LEADER) for case in cases):
        found = found or next(c.organisation for c in cases if user in c.users_with(Role.TEAM_LEADER))
        scopes += [s for s in [Scope.REQUEST_DECISIONS] if s not in scopes]
    if any(user in case.users_with(Role.CHAIR) for case in cases):
        found = found or next(c.organisation for c in cases if user in c.users_with(Role.CHAIR))
        scopes.append(Scope.CHAIRING)
    if found is None:
        raise NotAllowedError("Only a team leader, a chair or the coordinator can set a delegate.")
    return found, scopes
