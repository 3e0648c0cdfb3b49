"""Use cases for delegates: a team leader or the coordinator names someone to stand in while away."""

from __future__ import annotations

from datetime import date, datetime

from bot.errors import NotAllowedError
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for
from bot.requests import check_delegation
from store.models import Delegate, Organisation, Role
from store.uow import UnitOfWork


def set_delegate(*, uow: UnitOfWork, now: datetime, principal: str, delegate: str, until: date) -> Delegate:
    """Make `delegate` stand in for `principal` until `until` (inclusive), replacing any earlier delegate."""
    organisation, roles = _organisation_of(uow, principal)
    check_delegation(principal=principal, delegate=delegate, until=until, today=calendar_for(organisation).local_date(now))
    ended = uow.delegates.end_all_for(principal, now=now)
    row = Delegate(organisation_id=organisation.id, principal=principal, delegate=delegate, until=until, created_at=now)
    uow.delegates.add(row)
    uow.audit.record(
        action="delegate.set", at=now, actor=principal, delegate=delegate, until=until.isoformat(),
        replaced_earlier=bool(ended),
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.DELEGATE_APPOINTED, row.id, delegate), kind=NoticeKind.DELEGATE_APPOINTED,
        recipient=delegate, now=now,
        payload={"principal": principal, "roles": roles, "until": until.isoformat()},
    )
    return row


def end_delegate(*, uow: UnitOfWork, now: datetime, principal: str) -> bool:
    """Stop `principal`'s delegation now; False when there was none."""
    _organisation_of(uow, principal)
    ended = uow.delegates.end_all_for(principal, now=now)
    if ended:
        uow.audit.record(action="delegate.ended", at=now, actor=principal)
    return bool(ended)


def current_delegate(*, uow: UnitOfWork, now: datetime, principal: str) -> Delegate | None:
    """Who stands in for `principal` today, if anyone."""
    organisation, _ = _organisation_of(uow, principal)
    return uow.delegates.active_for(principal, on=calendar_for(organisation).local_date(now))


def _organisation_of(uow: UnitOfWork, user: str) -> tuple[Organisation, list[str]]:
    """The organisation in which `user` is the coordinator or a team leader, and those roles in words."""
    roles: list[str] = []
    found: Organisation | None = None
    for organisation in uow.organisations.list():
        if organisation.coordinator == user:
            found, roles = organisation, ["coordinator"]
            break
    for case in uow.cases.for_user(user):
        if user in case.users_with(Role.TEAM_LEADER):
            found = found or case.organisation
            roles.append("team leader")
            break
    if found is None:
        raise NotAllowedError("Only a team leader or the coordinator can set a delegate.")
    return found, roles
