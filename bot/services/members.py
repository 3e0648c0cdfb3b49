"""Use case for `/core-group add`: the chair adds a professional to the case's core group, so they can be recorded
as attending a meeting, invited, owe actions and receive the plan. Nobody joins a group silently: it is audited
and the case channel is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInputError, NotAllowedError
from bot.notice_payloads import coordinator as notices
from bot.notices import NoticeKind, notice_key
from bot.orgfile import ROLE_LABEL
from bot.services.meetings import chair_case
from store.models import CaseRole, CaseStatus, Role
from store.uow import UnitOfWork


@dataclass(frozen=True)
class MemberAdded:
    """Who was added to which case, as what; `already` when they were in the group and nothing changed."""

    reference: str
    member: str
    role_label: str
    already: bool = False


def add_member(*, uow: UnitOfWork, now: datetime, channel: str, user: str, member: str, role_label: str) -> MemberAdded:
    """The chair (or their delegate) adds `member` to the case's core group as `role_label`; the caller commits."""
    case, on_behalf_of = chair_case(channel, user, uow=uow, now=now, doing="add someone to its core group")
    if case.status != CaseStatus.OPEN:
        raise NotAllowedError(f"Case {case.reference} is {case.status}: nobody joins its core group now.")
    label = " ".join(role_label.split())
    if not ROLE_LABEL.fullmatch(label):
        raise InvalidInputError(
            "Give their professional role, such as `health visitor` or `school nurse`: letters, "
            "spaces, ' and - only, at most 40 characters, never a name."
        )
    if case.is_in_group(member):
        return MemberAdded(case.reference, member, label, already=True)
    role = CaseRole(role=Role.MEMBER, user_id=member, label=label)
    case.updated_at = now
    uow.cases.add_role(case, role)
    uow.audit.record(
        action="case.member_added",
        at=now,
        case_id=case.id,
        actor=user,
        on_behalf_of=on_behalf_of,
        member=member,
        role=label,
    )
    uow.outbox.enqueue(
        key=notice_key(NoticeKind.MEMBER_ADDED, case.id, member, role.id),
        kind=NoticeKind.MEMBER_ADDED,
        recipient=case.channel,
        now=now,
        case_id=case.id,
        payload=notices.MemberAdded(
            reference=case.reference, member=member, role=label, added_by=user, on_behalf_of=on_behalf_of
        ),
    )
    return MemberAdded(case.reference, member, label)
