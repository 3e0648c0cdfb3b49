"""Use cases for the actions a core group adds: marking one done, closing one as no longer needed, and the
case's list of actions with what the asker may do to each. Each works in the caller's unit of work; the caller
commits.

The owner, the owner's active delegate or the chair (or the chair's delegate) marks an action done; only the
chair (or delegate) closes one, with a reason. Both are conditional updates (`... WHERE status = 'open'`): a
second click is told who settled it and when. The reason is kept on the action; the audit keeps its length only.
Each open action is an `action` obligation in the ledger, owed by its owner (the chair for someone without Slack)
and due at the end of its due date: the ledger sweep reminds at 09:00 on it (bot/services/obligation_sweep.py).
Once settled, the obligation is discharged (done) or waived (closed, with the reason): its chase stops and the
chase DMs are updated in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.authority import (
    CHAIR_OR_DELEGATE,
    AlreadyDoneError,
    Duty,
    NotYoursError,
    acting_as,
    chair_of,
    duty_in,
    scopes_covering,
)
from bot.errors import InvalidInputError, NotInCaseError
from bot.notices import NoticeKind
from bot.obligations import ObligationKind
from bot.organisation import calendar_for
from bot.services.cases import case_for_channel
from bot.services.obligations import discharge_obligation, open_obligation, waive_obligation
from store.models import ActionStatus, Case, MeetingAction, MeetingRecord, Obligation, Role
from store.uow import UnitOfWork

#: The longest reason a chair may give for closing an action.
REASON_LIMIT = 500


class ActionReasonError(InvalidInputError):
    """Closing an action needs a reason (and not an essay)."""


# --- who may settle an action -----------------------------------------------------------------


def acting_for_action(
    uow: UnitOfWork, case: Case, action: MeetingAction, user: str, *, now: datetime, closing: bool = False
) -> str | None:
    """None when `user` is the action's owner or the chair; whom they stand in for when a delegate covering that
    person's part (the coordinator's work for the coordinator, chairing for anyone else); anyone else is refused.
    Closing an action is the chair's (or their chairing delegate's) alone."""
    if closing:
        principals = [chair_of(case)]
        who = CHAIR_OR_DELEGATE.format(reference=case.reference)
    else:
        owner = action.owner_user_id
        principals = [*([(owner, duty_in(case, owner))] if owner else []), chair_of(case)]
        who = (
            f"the action's owner ({{owner}}), the chair of {case.reference}, or one of their delegates"
            if owner
            else CHAIR_OR_DELEGATE.format(reference=case.reference)
        )
    acting = acting_as(
        uow=uow,
        organisation=case.organisation,
        user=user,
        now=now,
        principals=principals,
        step="close this action" if closing else "mark this action done",
        who=who,
    )
    return acting.on_behalf_of


# --- done, closed ---------------------------------------------------------------------------


def mark_action_done(*, uow: UnitOfWork, now: datetime, action_id: int, by: str) -> MeetingAction:
    """The owner, their delegate or the chair marks an open action done (once); its reminder stops."""
    case, action = _action(uow, action_id)
    on_behalf_of = acting_for_action(uow, case, action, by, now=now)
    return _settle(uow, case, action, status=ActionStatus.DONE, by=by, on_behalf_of=on_behalf_of, now=now)


def check_close_action(*, uow: UnitOfWork, now: datetime, action_id: int, by: str) -> MeetingAction:
    """The action the chair (or delegate) is about to close, before the reason is asked; refuses anyone else."""
    case, action = _action(uow, action_id)
    acting_for_action(uow, case, action, by, now=now, closing=True)
    _require_open(action, case, by)
    return action


def close_action(*, uow: UnitOfWork, now: datetime, action_id: int, by: str, reason: str | None) -> MeetingAction:
    """The chair (or delegate) closes an open action as no longer needed, with a reason (once)."""
    case, action = _action(uow, action_id)
    on_behalf_of = acting_for_action(uow, case, action, by, now=now, closing=True)
    _require_open(action, case, by)
    reason = (reason or "").strip()
    if not reason:
        raise ActionReasonError("Say why this action is no longer needed.")
    if len(reason) > REASON_LIMIT:
        raise ActionReasonError(f"Keep the reason under {REASON_LIMIT} characters.")
    return _settle(
        uow, case, action, status=ActionStatus.CLOSED, by=by, on_behalf_of=on_behalf_of, now=now, reason=reason
    )


def _settle(
    uow: UnitOfWork,
    case: Case,
    action: MeetingAction,
    *,
    status: str,
    by: str,
    on_behalf_of: str | None,
    now: datetime,
    reason: str | None = None,
) -> MeetingAction:
    if not uow.meeting_records.settle_action(
        action.id, status=status, now=now, by=by, on_behalf_of=on_behalf_of, reason=reason
    ):
        _require_open(uow.meeting_records.require_action(action.id), case, by)
    action = uow.meeting_records.require_action(action.id)
    detail = {"reason_length": len(reason)} if reason is not None else {}
    uow.audit.record(
        action=f"action.{status}",
        at=now,
        case_id=case.id,
        actor=by,
        on_behalf_of=on_behalf_of,
        action_id=action.id,
        overdue=action.due_on < calendar_for(case.organisation).local_date(now),
        **detail,
    )
    row = uow.obligations.find_open(kind=ObligationKind.ACTION, subject_type="action", subject_id=action.id)
    if row is not None:  # its chase stops; the reminder DM loses its button and says what became of the action
        if status == ActionStatus.DONE:
            discharge_obligation(
                uow=uow, row=row, by=by, now=now, on_behalf_of=on_behalf_of, closing=settled_payload(action)
            )
        else:
            waive_obligation(
                uow=uow,
                row=row,
                by=by,
                reason=reason or "",
                now=now,
                on_behalf_of=on_behalf_of,
                closing=settled_payload(action),
            )
    return action


# --- the ledger: owed from the meeting's record until done or closed ---------------------------------------


def owe_actions(*, uow: UnitOfWork, case: Case, record: MeetingRecord, now: datetime) -> None:
    """Each action of a saved record is owed by its owner (the chair, for someone without Slack) by the end of its
    due date (a MEETING_RECORDED_HOOKS entry)."""
    calendar = calendar_for(case.organisation)
    for action in record.actions:
        open_obligation(
            uow=uow,
            case=case,
            kind=ObligationKind.ACTION,
            subject_type="action",
            subject_id=action.id,
            owner_role=Role.MEMBER if action.owner_user_id else Role.CHAIR,
            owner=action.owner_user_id or case.chair,
            due_at=calendar.end_of_day(action.due_on),
            now=now,
        )


def action_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The ledger's chase of an open action: its owner's reminder, with Mark done (the chair too once overdue)."""
    action = uow.meeting_records.get_action(row.subject_id)
    if action is None or action.status != ActionStatus.OPEN:
        return None
    return NoticeKind.ACTION_DUE, {
        "action_id": action.id,
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "description": action.description,
        "due_on": action.due_on.isoformat(),
        "owner_user_id": action.owner_user_id,
        "owner_label": action.owner_label,
        "status": ActionStatus.OPEN,
    }


def settled_payload(action: MeetingAction) -> dict[str, str | None]:
    """What a message about the action says once it is settled."""
    return {
        "status": action.status,
        "done_at": action.done_at.isoformat() if action.done_at else None,
        "done_by": action.done_by,
        "done_on_behalf_of": action.done_on_behalf_of,
        "closed_reason": action.closed_reason,
    }


def _action(uow: UnitOfWork, action_id: int) -> tuple[Case, MeetingAction]:
    action = uow.meeting_records.get_action(action_id)
    if action is None:
        raise InvalidInputError("That action no longer exists.")
    return uow.cases.require(action.case_id), action


def _require_open(action: MeetingAction, case: Case, user: str) -> None:
    """Refuse a second click: say who settled the action and when."""
    if action.status == ActionStatus.OPEN:
        return
    closed = action.status == ActionStatus.CLOSED
    raise AlreadyDoneError(
        what="This action",
        done="closed as no longer needed" if closed else "marked done",
        by=action.done_by,
        at=action.done_at,
        timezone=case.organisation.timezone,
        yours=action.done_by == user,
    )


# --- the case's actions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionItem:
    """One action as `/core-group actions` and status show it: its state and what the asker may do."""

    action_id: int
    description: str
    owner_user_id: str | None
    owner_label: str | None
    due_on: date
    state: str  # open | overdue | done | closed
    done_at: datetime | None = None
    done_by: str | None = None
    closed_reason: str | None = None
    can_mark_done: bool = False
    can_close: bool = False

    @property
    def is_open(self) -> bool:
        return self.state in ("open", "overdue")


@dataclass(frozen=True)
class CaseActions:
    """The case's actions, open ones first (soonest due first), then those done or closed."""

    reference: str
    timezone: str
    actions: tuple[ActionItem, ...]


def case_actions(*, uow: UnitOfWork, now: datetime, channel: str, user: str) -> CaseActions:
    """Every action of the case in `channel`, with the buttons `user` may use, for anyone who may see the case."""
    case = _visible_case(uow, channel, user, now=now)
    return CaseActions(case.reference, case.organisation.timezone, action_items(uow, case, now=now, user=user))


def action_items(uow: UnitOfWork, case: Case, *, now: datetime, user: str | None = None) -> tuple[ActionItem, ...]:
    """The case's actions with their state, open ones first; with `user`, the buttons they may use."""
    today = calendar_for(case.organisation).local_date(now)
    items = []
    for action in uow.meeting_records.actions_for_case(case.id):
        is_open = action.status == ActionStatus.OPEN
        state = ("overdue" if action.due_on < today else "open") if is_open else action.status
        items.append(
            ActionItem(
                action.id,
                action.description,
                action.owner_user_id,
                action.owner_label,
                action.due_on,
                state,
                action.done_at,
                action.done_by,
                action.closed_reason,
                can_mark_done=bool(user and is_open and _may(uow, case, action, user, now=now)),
                can_close=bool(user and is_open and _may(uow, case, action, user, now=now, closing=True)),
            )
        )
    return tuple(sorted(items, key=lambda i: (not i.is_open, i.due_on, i.action_id)))


def _may(
    uow: UnitOfWork, case: Case, action: MeetingAction, user: str, *, now: datetime, closing: bool = False
) -> bool:
    try:
        acting_for_action(uow, case, action, user, now=now, closing=closing)
    except NotYoursError:
        return False
    return True


def _visible_case(uow: UnitOfWork, channel: str, user: str, *, now: datetime) -> Case:
    """The case, for its group, the coordinator, or someone standing in for one of its group today."""
    try:
        return case_for_channel(channel, user, uow=uow)
    except NotInCaseError:
        case = uow.cases.get_by_channel(channel)
        if case is None:  # case_for_channel found it: the refusal is about the user
            raise
        principals = uow.delegates.principals_of(
            user,
            on=calendar_for(case.organisation).local_date(now),
            scopes=(*scopes_covering(Duty.CHAIR), *scopes_covering(Duty.COORDINATE)),
        )
        if any(case.is_in_group(p) for p in principals):
            return case
        raise
