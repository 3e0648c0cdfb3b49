"""Deregistration rules: the post-deregistration meeting's window and reminders, what the conference's agreement
and the meeting's outcome must hold, and how long a closed case is kept.

Pure functions of dates, the working calendar and the policy: no database, no chat platform, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.calendar import WorkingCalendar
from bot.policy import Policy

#: The local time at which the window's reminders go.
MORNING = time(9)
LEAD_AGENCY_LIMIT = 100


class AgreedBy(StrEnum):
    """How the convener and chair of the post-deregistration meeting were agreed at the review conference."""

    CONSENSUS = "consensus"
    REVIEWING_OFFICER = "reviewing_officer"  # no consensus: the reviewing officer decided


class PlanType(StrEnum):
    """How the Child's Plan continues once the post-deregistration meeting finds risks remain reduced."""

    SINGLE_AGENCY = "single_agency"
    MULTI_AGENCY = "multi_agency"


class Step(StrEnum):
    """The window's moments, in order: three reminders, then the window is missed."""

    OPENS = "opens"  # the window opens
    WEEK_LEFT = "week_left"  # one week before it closes
    LAST_DAY = "last_day"  # its last day
    MISSED = "missed"  # it closed with no outcome recorded

    @property
    def is_reminder(self) -> bool:
        return self is not Step.MISSED


def short_date(day: date) -> str:
    """'Tue 27 Jul 2027'."""
    return day.strftime("%a %-d %b %Y")


# --- the window -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """When the post-deregistration meeting must be held: from `opens_on` to `closes_on`, inclusive."""

    conference_on: date
    opens_on: date
    closes_on: date
    start_weeks: int
    end_weeks: int

    def contains(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def words(self) -> str:
        """'between Tue 27 Jul 2027 and Tue 10 Aug 2027 (6 to 8 weeks after the review conference)'."""
        return (
            f"between {short_date(self.opens_on)} and {short_date(self.closes_on)} "
            f"({self.start_weeks} to {self.end_weeks} weeks after the review conference)"
        )


def post_deregistration_window(conference_on: date, *, policy: Policy) -> Window:
    """The profile's window after the review conference (calendar weeks; both ends included)."""
    rule = policy.post_deregistration
    return Window(
        conference_on=conference_on,
        opens_on=conference_on + timedelta(weeks=rule.window_start_weeks),
        closes_on=conference_on + timedelta(weeks=rule.window_end_weeks),
        start_weeks=rule.window_start_weeks,
        end_weeks=rule.window_end_weeks,
    )


@dataclass(frozen=True)
class WindowStep:
    """One moment of the window and the instant (UTC) it is due."""

    step: Step
    at: datetime


def window_steps(window: Window, *, calendar: WorkingCalendar) -> tuple[WindowStep, ...]:
    """The reminders (09:00 local, on working days) and the moment the window is missed, in order.

    The opening reminder is on the first working day of the window; "a week left" and "last day" move back
    to the working day before when they fall on a weekend, bank holiday or closure day. A reminder that
    would not come after the one before it (a short window) is dropped. The window is missed at the end of
    its last day.
    """
    wanted = (
        (Step.OPENS, calendar.on_or_after(window.opens_on)),
        (Step.WEEK_LEFT, calendar.on_or_before(window.closes_on - timedelta(days=7))),
        (Step.LAST_DAY, calendar.on_or_before(window.closes_on)),
    )
    steps: list[WindowStep] = []
    for step, day in wanted:
        at = calendar.at_local(day, MORNING)
        if (not steps or at > steps[-1].at) and day <= window.closes_on:
            steps.append(WindowStep(step, at))
    missed = calendar.end_of_day(window.closes_on) + timedelta(microseconds=1)
    return (*steps, WindowStep(Step.MISSED, missed))


def first_step(steps: tuple[WindowStep, ...], *, now: datetime) -> WindowStep:
    """The first step still to come at `now`; reminders already past are not sent late (the convener has just
    been asked). The missed step is always kept, even when it has passed."""
    return next((s for s in steps if s.at > now), steps[-1])


def catch_up(
    steps: tuple[WindowStep, ...], *, current: str, now: datetime
) -> tuple[WindowStep | None, WindowStep | None]:
    """At `now`, with `current` the step waiting: the one step to take (the latest that has come, so a sweep
    after a pause sends one reminder, not three) and the step to wait for next (None once missed)."""
    names = [s.step for s in steps]
    start = names.index(Step(current)) if current in names else 0
    due = [s for s in steps[start:] if s.at <= now]
    later = [s for s in steps[start:] if s.at > now]
    return (due[-1] if due else None), (later[0] if later else None)


# --- what the conference agreed -------------------------------------------------------------


@dataclass(frozen=True)
class DeregistrationDraft:
    """What the deregistration form gives."""

    conference_on: date | None
    convener: str | None
    meeting_chair: str | None
    agreed_by: str | None
    reviewing_officer: str | None
    target_on: date | None
    # Without a post-deregistration meeting: how the plan continues, as the conference decided.
    plan_type: str | None = None
    lead_agency: str | None = None


def check_deregistration(draft: DeregistrationDraft, *, today: date, policy: Policy) -> dict[str, str]:
    """Problems by field (empty when the deregistration can be saved).

    With the profile's post-deregistration meeting (Fife): who convenes and chairs it, how that was agreed, and a
    date in its window. Without it: how the plan continues (single- or multi-agency, and the lead agency).
    """
    errors: dict[str, str] = {}
    if draft.conference_on is None:
        errors["conference_on"] = "Give the date of the review conference."
    elif draft.conference_on > today:
        errors["conference_on"] = "The review conference has to have happened: that date is in the future."
    if not policy.post_deregistration.enabled:
        errors.update(_plan_problems(draft.plan_type, draft.lead_agency))
        return errors
    if not draft.convener:
        errors["convener"] = "Choose who convenes the post-deregistration meeting."
    if not draft.meeting_chair:
        errors["meeting_chair"] = "Choose who chairs the post-deregistration meeting."
    if draft.agreed_by not in {a.value for a in AgreedBy}:
        errors["agreed_by"] = "Say whether this was agreed by consensus or decided by the reviewing officer."
    elif draft.agreed_by == AgreedBy.REVIEWING_OFFICER and not draft.reviewing_officer:
        errors["reviewing_officer"] = "The reviewing officer decided: choose who the reviewing officer was."
    if draft.target_on is None:
        errors["target_on"] = "Give the date agreed at the conference for the meeting."
    elif draft.conference_on is not None and "conference_on" not in errors:
        window = post_deregistration_window(draft.conference_on, policy=policy)
        if not window.contains(draft.target_on):
            errors["target_on"] = f"The meeting must be {window.words()}: choose a date in that window."
    return errors


# --- the meeting's outcome ------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeDraft:
    """What the outcome form gives."""

    held_on: date | None
    risk_escalated: bool | None
    plan_type: str | None
    lead_agency: str | None
    activity_reviewed: bool | None = None


def _plan_problems(plan_type: str | None, lead_agency: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if plan_type not in {p.value for p in PlanType}:
        errors["plan"] = "Say whether the Child's Plan continues as single-agency or multi-agency."
    agency = (lead_agency or "").strip()
    if not agency:
        errors["lead_agency"] = "Name the lead agency (for example Health or Education), not a person."
    elif len(agency) > LEAD_AGENCY_LIMIT:
        errors["lead_agency"] = f"Keep the lead agency under {LEAD_AGENCY_LIMIT} characters."
    return errors


def check_outcome(
    draft: OutcomeDraft, *, today: date, conference_on: date, review_activity: bool = False
) -> dict[str, str]:
    """Problems by field (empty when the outcome can be saved)."""
    errors: dict[str, str] = {}
    if draft.held_on is None:
        errors["held_on"] = "Give the date the meeting was held."
    elif draft.held_on > today:
        errors["held_on"] = "The meeting has to have been held: that date is in the future."
    elif draft.held_on < conference_on:
        errors["held_on"] = (
            f"The meeting follows the review conference of {short_date(conference_on)}: choose a later date."
        )
    if draft.risk_escalated is None:
        errors["risk"] = "Say whether risk has escalated since deregistration."
    elif not draft.risk_escalated:
        # Fife: "the meeting should review the activity outlined in the Child's Plan and at this point consider
        # whether the child's plan needs to be multi or single agency" - the review comes first.
        if review_activity and not draft.activity_reviewed:
            errors["activity"] = (
                "Risks remain reduced: first review the activity outlined in the Child's Plan, "
                "then say how the plan continues."
            )
        errors.update(
            {
                k: ("Risks remain reduced: " + v[0].lower() + v[1:]) if k == "plan" else v
                for k, v in _plan_problems(draft.plan_type, draft.lead_agency).items()
            }
        )
    return errors


# --- retention ------------------------------------------------------------------------------


def retention_ends_on(closed_on: date, years: int) -> date:
    """The day a closed case's records are due for removal: `years` after it closed (29 Feb -> 28 Feb)."""
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:
        return closed_on.replace(year=closed_on.year + years, day=28)
