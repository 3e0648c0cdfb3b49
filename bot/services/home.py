"""Use case for the Home tab: what one person sees — their cases with the next meeting, what waits on them
(with the step each needs), the coordinator's digest live, and their delegate setting.

A delegate sees what waits on the people they stand in for today, marked as such. Every query is bounded by
the person's own cases and roles, so building a Home costs what that person has, not what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.authority import Duty, scopes_covering
from bot.digest import Digest, words
from bot.errors import NotAllowedError
from bot.organisation import calendar_for
from bot.services.delegates import current_delegates, delegation_scopes
from bot.services.digest import build_digest
from bot.services.meeting_due_chases import owed_meeting
from store.models import Case, CaseStatus, CopyStatus, LetterStatus, Organisation, RequestStatus, Role
from store.uow import UnitOfWork

ROLE_NAMES: dict[str, str] = {Role.CHAIR: "chair", Role.TEAM_LEADER: "team leader", Role.MEMBER: "member"}


@dataclass(frozen=True)
class HomeCase:
    """One of the person's cases and its next meeting."""

    reference: str
    channel: str
    roles: tuple[str, ...]
    status: str
    next_meeting_at: datetime | None
    due_on: date | None


@dataclass(frozen=True)
class WaitingItem:
    """Something that waits on the person, with what identifies it for its button (`item_id`)."""

    kind: str  # decision | review | plan_confirm | plan_send | cp9_send | cp9_receive | letter_details | letter_send | action
    reference: str
    channel: str
    summary: str
    since: date
    item_id: int
    people: tuple[str, ...] = ()  # who it is from (Slack user ids)
    on_behalf_of: str | None = None  # whom the person stands in for, when it is theirs
    form_name: str = "CP9"


@dataclass(frozen=True)
class DelegateView:
    """The person's delegate setting: whether they can set one, and who stands in for them until when."""

    can_set: bool
    delegate: str | None = None  # the first running delegation, for the modal's initial values
    until: date | None = None
    scopes: tuple[str, ...] = ()  # what they may hand on, the default first
    delegations: tuple[tuple[str, date, str], ...] = ()  # (delegate, until, scope) running today


@dataclass(frozen=True)
class HomeView:
    """Everything one person's Home tab shows."""

    user: str
    timezone: str
    updated_at: datetime
    cases: tuple[HomeCase, ...]
    waiting: tuple[WaitingItem, ...]
    delegate: DelegateView
    digest: Digest | None = None  # for the coordinator (or their delegate)
    standing_in_for: tuple[str, ...] = ()


def home_for(*, uow: UnitOfWork, now: datetime, user: str) -> HomeView:
    """The Home tab of `user` at `now`."""
    organisations = list(uow.organisations.list())
    cases = list(uow.cases.for_user(user))
    organisation = (
        cases[0].organisation
        if cases
        else next((o for o in organisations if o.coordinator == user), organisations[0] if organisations else None)
    )
    calendar = calendar_for(organisation) if organisation else None
    today = calendar.local_date(now) if calendar else now.date()

    def as_(duty: Duty) -> tuple[str, ...]:  # the user and whom they stand in for in `duty` today
        return (
            user,
            *(p for p in uow.delegates.principals_of(user, on=today, scopes=scopes_covering(duty)) if p != user),
        )

    deciding = tuple(dict.fromkeys(as_(Duty.DECIDE_AS_TEAM_LEADER) + as_(Duty.DECIDE_AS_COORDINATOR)))
    coordinating = [o for o in organisations if o.coordinator in as_(Duty.COORDINATE)]
    waiting = [
        *_decisions(uow, deciding, user, calendar, today),
        *_copies_to_confirm(uow, user, calendar),
        *_chair_items(uow, as_(Duty.CHAIR), user, now, calendar),
        *(item for o in coordinating for item in _coordinator_items(uow, o, user, calendar)),
        *_actions(uow, tuple(dict.fromkeys(as_(Duty.CHAIR) + as_(Duty.COORDINATE))), user, today),
    ]
    digest = build_digest(uow=uow, organisation=coordinating[0], now=now) if coordinating else None
    return HomeView(
        user=user,
        timezone=organisation.timezone if organisation else "Europe/London",
        updated_at=now,
        cases=tuple(_case(uow, case, user, now) for case in cases),
        waiting=tuple(sorted(waiting, key=lambda i: (i.since, i.reference, i.kind, i.item_id))),
        delegate=_delegate(uow, user, now),
        digest=digest,
        standing_in_for=tuple(dict.fromkeys((*deciding, *as_(Duty.COORDINATE), *as_(Duty.CHAIR))))[1:],
    )


# --- the parts ---------------------------------------------------------------------------------


def _case(uow: UnitOfWork, case: Case, user: str, now: datetime) -> HomeCase:
    roles = tuple(ROLE_NAMES[r.role] for r in case.roles if r.user_id == user and r.role in ROLE_NAMES)
    upcoming = uow.meetings.next_for_case(case.id, now=now) if case.status == CaseStatus.OPEN else None
    owed = owed_meeting(uow, case.id) if case.status == CaseStatus.OPEN else None
    return HomeCase(
        case.reference,
        case.channel,
        tuple(dict.fromkeys(roles)),
        case.status,
        upcoming.starts_at if upcoming else None,
        owed.due_local_date if owed else None,
    )


def _decisions(uow: UnitOfWork, identities, user, calendar, today) -> list[WaitingItem]:
    requests = uow.overview.requests_waiting_on(identities)
    cases = uow.cases.get_many(r.case_id for r in requests)
    found = []
    for r in requests:
        if r.requested_by == user:
            continue  # nobody decides their own request
        case = cases[r.case_id]
        what = f"request for an additional meeting ({r.concern} concerns, {r.urgency})"
        if r.status == RequestStatus.WITH_COORDINATOR:
            owner = r.coordinator if r.coordinator != user else None
            since = calendar.local_date(r.coordinator_asked_at or r.requested_at)
            found.append(
                WaitingItem(
                    "review",
                    case.reference,
                    case.channel,
                    f"Refused {what}: the member asked the coordinator to review it on {words(since)}",
                    since,
                    r.id,
                    (r.requested_by,),
                    owner,
                )
            )
        else:
            owner = next(
                (p for p in (r.decider, r.escalated_on_behalf_of) if p and p != user and p in identities), None
            )
            since = calendar.local_date(r.requested_at)
            found.append(
                WaitingItem(
                    "decision",
                    case.reference,
                    case.channel,
                    f"A {what}, asked on {words(since)}",
                    since,
                    r.id,
                    (r.requested_by,),
                    owner,
                )
            )
    return found


def _copies_to_confirm(uow: UnitOfWork, user: str, calendar) -> list[WaitingItem]:
    copies = uow.overview.copies_to_confirm(user)
    cases = uow.cases.get_many(c.case_id for c in copies)
    found = []
    for copy in copies:
        case = cases[copy.case_id]
        if case.status == CaseStatus.CLOSED:
            continue
        due_on = calendar.local_date(copy.due_at)
        found.append(
            WaitingItem(
                "plan_confirm",
                case.reference,
                case.channel,
                f"Confirm you have received the plan (due with you by {words(due_on)})",
                due_on,
                copy.id,
            )
        )
    return found


def _chair_items(uow: UnitOfWork, identities, user, now, calendar) -> list[WaitingItem]:
    chaired: dict[int, tuple[Case, str | None]] = {}
    for who in identities:
        for case in uow.cases.for_user(who):
            if case.chair == who and case.status != CaseStatus.CLOSED:
                chaired.setdefault(case.id, (case, who if who != user else None))
    found = []
    for receipt in uow.overview.receipts_with_unsent_copies(list(chaired)):
        case, owner = chaired[receipt.case_id]
        unsent = sum(1 for c in receipt.copies if c.status == CopyStatus.PENDING)
        found.append(
            WaitingItem(
                "plan_send",
                case.reference,
                case.channel,
                f"Send the plan: {unsent} cop{'y' if unsent == 1 else 'ies'} not marked sent "
                f"(meeting of {words(receipt.held_on)}, due by {words(receipt.due_on)})",
                receipt.due_on,
                receipt.id,
                (),
                owner,
            )
        )
    for cp9 in uow.overview.cp9s_to_send(list(chaired)):
        case, owner = chaired[cp9.case_id]
        found.append(
            WaitingItem(
                "cp9_send",
                case.reference,
                case.channel,
                f"Send the {cp9.form_name} to the coordinator by {words(cp9.due_on)} (meeting of {words(cp9.held_on)})",
                cp9.due_on,
                cp9.id,
                (),
                owner,
                cp9.form_name,
            )
        )
    for letter in uow.letters.not_sent(case_ids=list(chaired), status=LetterStatus.DETAILS_NEEDED):
        case, owner = chaired[letter.case_id]
        since = calendar.local_date(letter.requested_at)
        found.append(
            WaitingItem(
                "letter_details",
                case.reference,
                case.channel,
                f"Give the details for the coordinator's letter to an institution (flagged {words(since)})",
                since,
                letter.id,
                (),
                owner,
            )
        )
    return found


def _coordinator_items(uow: UnitOfWork, organisation: Organisation, user: str, calendar) -> list[WaitingItem]:
    owner = organisation.coordinator if organisation.coordinator != user else None
    cp9s = uow.overview.cp9s_awaiting_receipt(organisation.id)
    letters = uow.letters.not_sent(organisation_id=organisation.id, status=LetterStatus.TO_SEND)
    cases = uow.cases.get_many([c.case_id for c in cp9s] + [x.case_id for x in letters])
    found = [
        WaitingItem(
            "cp9_receive",
            cases[c.case_id].reference,
            cases[c.case_id].channel,
            f"{c.form_name} sent on {words(c.sent_on) if c.sent_on else 'a day not given'}: mark it received",
            c.sent_on or c.due_on,
            c.id,
            (),
            owner,
            c.form_name,
        )
        for c in cp9s
    ]
    for letter in letters:
        case = cases[letter.case_id]
        where = {"prison": "a prison", "hospital": "a hospital"}.get(letter.institution_kind or "", "an institution")
        since = calendar.local_date(letter.details_at or letter.requested_at)
        found.append(
            WaitingItem(
                "letter_send",
                case.reference,
                case.channel,
                f"Write to the head of {where} about the child's {letter.relationship}: the draft is in your messages",
                since,
                letter.id,
                (),
                owner,
            )
        )
    return found


def _actions(uow: UnitOfWork, identities, user: str, today: date) -> list[WaitingItem]:
    """Open actions the person owns, and those of whoever they stand in for today (Mark done works for both)."""
    owned = [(a, who) for who in identities for a in uow.overview.actions_owned_by(who)]
    cases = uow.cases.get_many(a.case_id for a, _ in owned)
    return [
        WaitingItem(
            "action",
            cases[a.case_id].reference,
            cases[a.case_id].channel,
            f"Action {'overdue' if a.due_on < today else 'due'} {words(a.due_on)}: {a.description}",
            a.due_on,
            a.id,
            (),
            who if who != user else None,
        )
        for a, who in owned
    ]


def _delegate(uow: UnitOfWork, user: str, now: datetime) -> DelegateView:
    try:
        rows = current_delegates(uow=uow, now=now, principal=user)
    except NotAllowedError:
        return DelegateView(can_set=False)
    row = rows[0] if rows else None
    return DelegateView(
        True,
        row.delegate if row else None,
        row.until if row else None,
        scopes=tuple(delegation_scopes(uow=uow, principal=user)),
        delegations=tuple((r.delegate, r.until, r.scope) for r in rows),
    )


def people_to_refresh(uow: UnitOfWork, recipients: list[str]) -> set[str]:
    """Whose Home may have changed when these recipients (users or case channels) were sent something: the
    users themselves, everyone with Slack in those channels' cases, and the coordinators (their digest)."""
    people = {r for r in recipients if r[:1] in ("U", "W")}
    for channel in {r for r in recipients if r[:1] in ("C", "G")}:
        case = uow.cases.get_by_channel(channel)
        if case is not None:
            people.update(case.people_with_slack())
    if recipients:
        people.update(o.coordinator for o in uow.organisations.list())
    return people
