"""Rules for requests for an additional meeting: when they are chased, where they go, who decides.

Pure: no database, no chat platform, no clock. Every `now` and every delegate is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.calendar import WorkingCalendar, WorkingHours
from bot.errors import InvalidInputError
from bot.meetings import non_working_day_warning
from bot.obligations import ObligationKind, ladder_for, rung_times
from bot.policy import Policy

URGENT = "urgent"
#: The ladder (and obligation kind) of an urgent request's decision.
URGENT_DECISION = "request_decision_urgent"
#: Who the audit log names when the bot itself acted (reminders, escalations).
SYSTEM_ACTOR = "coregroup"
MAX_DETAILS = 2000
MAX_REASON = 1000


@dataclass(frozen=True)
class Deadlines:
    """When a pending request is chased (the decider reminded) and escalated, as UTC instants."""

    remind_at: datetime
    escalate_at: datetime


@dataclass(frozen=True)
class Routing:
    """Who a request goes to, and whose decision it is when that is someone else (their delegate)."""

    to: str
    on_behalf_of: str | None = None


def decision_kind(urgency: str) -> str:
    """The obligation (and ladder) of a decision on a request: urgent ones are counted in working hours."""
    return URGENT_DECISION if urgency == URGENT else str(ObligationKind.REQUEST_DECISION)


def clock_starts(*, requested_at: datetime, calendar: WorkingCalendar, policy: Policy) -> datetime:
    """When the decider's clock starts: the request itself, or the next opening time when it was made outside
    working hours (the decision obligation's due basis, from which its ladder counts)."""
    day, at = _clock_starts(requested_at, calendar, policy.working_hours)
    return calendar.at_local(day, at)


def due_times(*, urgency: str, requested_at: datetime, calendar: WorkingCalendar, policy: Policy) -> Deadlines:
    """When to remind and when to escalate, from the profile's ladder: routine in working days, urgent in hours.

    Only working time counts. "After 1 working day" is the same local time on the next working day
    (Fri 14:00 -> Mon 14:00, or Tue when Monday is a bank holiday).
    """
    ladder = ladder_for(policy.obligations, decision_kind(urgency))
    starts = clock_starts(requested_at=requested_at, calendar=calendar, policy=policy)
    times = rung_times(ladder, starts, calendar, working_hours=policy.working_hours)
    return Deadlines(remind_at=times.overdue_at, escalate_at=times.breach_at or times.overdue_at)


def _clock_starts(moment: datetime, calendar: WorkingCalendar, hours: WorkingHours) -> tuple[date, time]:
    """The working day and local time from which working days are counted."""
    local = moment.astimezone(calendar.tz)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if calendar.is_working_day(day):
        if at < hours.start:
            return day, hours.start
        if at <= hours.end:
            return day, at
    return calendar.next_working_day(day), hours.start


def choose_decider(*, team_leader: str | None, requester: str, coordinator: str) -> str:
    """The team leader decides; when they asked themselves (or there is none), the coordinator does."""
    if team_leader and team_leader != requester:
        return team_leader
    return coordinator


def route(*, principal: str, delegate: str | None, requester: str) -> Routing:
    """To the principal's active delegate if there is one (never to the requester), else to the principal."""
    if delegate and delegate not in (principal, requester):
        return Routing(to=delegate, on_behalf_of=principal)
    return Routing(to=principal)


def escalation_target(
    *,
    decider: str,
    routed_to: str,
    decider_delegate: str | None,
    coordinator: str,
    coordinator_delegate: str | None,
    requester: str,
) -> Routing:
    """Where a request nobody decided in time goes: the decider's delegate if they have one who was
    not asked yet, otherwise the coordinator (or the coordinator's delegate)."""
    if decider_delegate and decider_delegate not in (routed_to, decider, requester):
        return Routing(to=decider_delegate, on_behalf_of=decider)
    return route(principal=coordinator, delegate=coordinator_delegate, requester=requester)


def pending_deciders(
    *,
    decider: str,
    escalated_to: str | None,
    escalated_on_behalf_of: str | None,
    active_delegates: Mapping[str, str],
    requester: str,
) -> dict[str, str | None]:
    """Who may decide a pending request -> on whose behalf (None: in their own right).

    The decider and, once escalated, whoever it was escalated to (and whom they stand for), each with
    their active delegate. Nobody decides their own request.
    """
    principals = [decider]
    if escalated_to:
        principals.append(escalated_on_behalf_of or escalated_to)
    people = _with_delegates(principals, active_delegates)
    if escalated_to:
        people.setdefault(escalated_to, escalated_on_behalf_of)
    people.pop(requester, None)
    return people


def coordinator_deciders(
    *, coordinator: str, routed_to: str | None, active_delegates: Mapping[str, str], requester: str
) -> dict[str, str | None]:
    """Who may convene the meeting or uphold the refusal: the coordinator, their delegate, and whoever
    the request was routed to for them."""
    people = _with_delegates([coordinator], active_delegates)
    if routed_to:
        people.setdefault(routed_to, None if routed_to == coordinator else coordinator)
    people.pop(requester, None)
    return people


def _with_delegates(principals: list[str], active_delegates: Mapping[str, str]) -> dict[str, str | None]:
    people: dict[str, str | None] = {p: None for p in principals}
    for principal in principals:
        delegate = active_delegates.get(principal)
        if delegate:
            people.setdefault(delegate, principal)
    return people


def clean_details(text: str | None) -> str:
    """The request's details: required, trimmed, at most MAX_DETAILS characters."""
    text = (text or "").strip()
    if not text:
        raise InvalidInputError("Say briefly what has changed (without names).")
    if len(text) > MAX_DETAILS:
        raise InvalidInputError(f"Keep the details under {MAX_DETAILS} characters.")
    return text


def clean_reason(text: str | None, *, required: bool) -> str | None:
    """A decision's reason: trimmed; required for a refusal."""
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidInputError("A reason is needed: the requester will see it.")
        return None
    if len(text) > MAX_REASON:
        raise InvalidInputError(f"Keep the reason under {MAX_REASON} characters.")
    return text


def check_delegation(*, principal: str, delegate: str, until: date, today: date) -> None:
    """A delegation must name someone else and end today or later."""
    if delegate == principal:
        raise InvalidInputError("You can't be your own delegate: name someone else.")
    if until < today:
        raise InvalidInputError(
            f"{until.isoformat()} has already passed: give today's date or a later one (YYYY-MM-DD)."
        )


def check_meeting_time(
    *, day: date, at: time, now: datetime, calendar: WorkingCalendar, allow_non_working_day: bool
) -> tuple[datetime, str | None]:
    """The meeting's UTC start from a local date and time, and what is wrong with it (None: nothing).

    A time in the past is refused. A weekend, bank holiday or closure day needs confirming, because
    a core group can meet then in an emergency but rarely means to.
    """
    starts_at = calendar.at_local(day, at)
    if starts_at <= now:
        return starts_at, "That date and time has already passed. Choose a time in the future."
    warning = non_working_day_warning(starts_at, calendar=calendar)
    if warning and not allow_non_working_day:
        return starts_at, f"{warning} Tick “Hold it on a non-working day” below to confirm, or choose another date."
    return starts_at, None
