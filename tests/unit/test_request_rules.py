"""The rules of requests for an additional meeting: when they are chased, where they go, who decides."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from bot.errors import InvalidInputError
from bot.policy import load_policy
from bot.requests import (
    Routing,
    check_delegation,
    check_meeting_time,
    choose_decider,
    clean_details,
    clean_reason,
    coordinator_deciders,
    due_times,
    escalation_target,
    pending_deciders,
    route,
)

LONDON = ZoneInfo("Europe/London")
CALENDAR = WorkingCalendar(nation="scotland", closure_days=[date(2027, 12, 29)])
POLICY = load_policy("south-ayrshire")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def due(urgency: str, at: datetime):
    return due_times(urgency=urgency, requested_at=at, calendar=CALENDAR, policy=POLICY)


def test_a_routine_request_on_a_friday_is_chased_after_the_weekend_and_the_scottish_summer_bank_holiday():
    # Mon 2 Aug 2027 is a bank holiday in Scotland only.
    assert not CALENDAR.is_working_day(date(2027, 8, 2))
    deadlines = due("routine", local(2027, 7, 30, 14, 0))
    assert deadlines.remind_at == local(2027, 8, 3, 14, 0)
    assert deadlines.escalate_at == local(2027, 8, 4, 14, 0)


def test_a_routine_request_before_christmas_skips_the_substitute_bank_holidays_and_the_closure_day():
    # Sat 25 and Sun 26 Dec; Mon 27 and Tue 28 substitute bank holidays; Wed 29 the council's closure day.
    deadlines = due("routine", local(2027, 12, 24, 14, 0))
    assert deadlines.remind_at == local(2027, 12, 30, 14, 0)
    assert deadlines.escalate_at == local(2027, 12, 31, 14, 0)


def test_a_routine_request_made_at_the_weekend_counts_from_the_next_opening_time():
    deadlines = due("routine", local(2027, 7, 31, 11, 0))
    assert deadlines.remind_at == local(2027, 8, 4, 9, 0)
    assert deadlines.escalate_at == local(2027, 8, 5, 9, 0)


def test_a_routine_request_made_after_hours_counts_from_the_next_morning():
    deadlines = due("routine", local(2027, 7, 29, 18, 30))
    assert deadlines.remind_at == local(2027, 8, 3, 9, 0)


def test_an_urgent_request_late_on_friday_counts_only_working_hours():
    deadlines = due("urgent", local(2027, 7, 30, 16, 0))
    assert deadlines.remind_at == local(2027, 8, 3, 10, 0)
    assert deadlines.escalate_at == local(2027, 8, 3, 12, 0)


def test_an_urgent_request_in_the_morning_is_chased_the_same_day():
    deadlines = due("urgent", local(2027, 8, 4, 10, 30))
    assert (deadlines.remind_at, deadlines.escalate_at) == (local(2027, 8, 4, 12, 30), local(2027, 8, 4, 14, 30))


def test_an_urgent_request_counts_the_organisations_own_working_hours():
    early = load_policy("south-ayrshire", overrides={"working_hours": {"start": "08:00", "end": "16:00"}})
    deadlines = due_times(urgency="urgent", requested_at=local(2027, 7, 30, 15, 0), calendar=CALENDAR, policy=early)
    assert (deadlines.remind_at, deadlines.escalate_at) == (local(2027, 8, 3, 9, 0), local(2027, 8, 3, 11, 0))


def test_due_times_are_stored_as_utc_so_14_00_in_summer_is_13_00_utc():
    for urgency in ("routine", "urgent"):
        deadlines = due(urgency, local(2027, 7, 30, 14, 0))
        assert deadlines.remind_at.utcoffset() == deadlines.escalate_at.utcoffset() == timedelta(0)
    assert due("routine", local(2027, 7, 30, 14, 0)).remind_at == datetime(2027, 8, 3, 13, 0, tzinfo=timezone.utc)


def test_the_team_leader_decides_unless_they_asked_themselves():
    assert choose_decider(team_leader="U0TL", requester="U0HV", coordinator="U0COORD") == "U0TL"
    assert choose_decider(team_leader="U0TL", requester="U0TL", coordinator="U0COORD") == "U0COORD"


def test_a_request_goes_to_the_active_delegate_on_behalf_of_the_team_leader():
    assert route(principal="U0TL", delegate="U0DEP", requester="U0HV") == Routing("U0DEP", "U0TL")
    assert route(principal="U0TL", delegate=None, requester="U0HV") == Routing("U0TL", None)


def test_a_delegate_never_receives_their_own_request():
    assert route(principal="U0TL", delegate="U0HV", requester="U0HV") == Routing("U0TL", None)


def test_escalation_goes_to_the_team_leaders_delegate_when_they_have_not_had_it_yet():
    target = escalation_target(
        decider="U0TL",
        routed_to="U0TL",
        decider_delegate="U0DEP",
        coordinator="U0COORD",
        coordinator_delegate=None,
        requester="U0HV",
    )
    assert target == Routing("U0DEP", "U0TL")


def test_escalation_goes_to_the_coordinator_when_there_is_no_delegate_or_the_delegate_already_had_it():
    no_delegate = escalation_target(
        decider="U0TL",
        routed_to="U0TL",
        decider_delegate=None,
        coordinator="U0COORD",
        coordinator_delegate=None,
        requester="U0HV",
    )
    delegate_had_it = escalation_target(
        decider="U0TL",
        routed_to="U0DEP",
        decider_delegate="U0DEP",
        coordinator="U0COORD",
        coordinator_delegate=None,
        requester="U0HV",
    )
    assert no_delegate == delegate_had_it == Routing("U0COORD", None)


def test_escalation_to_an_away_coordinator_goes_to_their_delegate():
    target = escalation_target(
        decider="U0TL",
        routed_to="U0TL",
        decider_delegate=None,
        coordinator="U0COORD",
        coordinator_delegate="U0DEPC",
        requester="U0HV",
    )
    assert target == Routing("U0DEPC", "U0COORD")


def test_the_team_leader_and_their_active_delegate_may_decide_and_nobody_else():
    people = pending_deciders(
        decider="U0TL",
        escalated_to=None,
        escalated_on_behalf_of=None,
        active_delegates={"U0TL": "U0DEP"},
        requester="U0HV",
    )
    assert people == {"U0TL": None, "U0DEP": "U0TL"}


def test_once_escalated_to_the_coordinator_they_and_their_delegate_may_decide_too():
    people = pending_deciders(
        decider="U0TL",
        escalated_to="U0COORD",
        escalated_on_behalf_of=None,
        active_delegates={"U0COORD": "U0DEPC"},
        requester="U0HV",
    )
    assert people == {"U0TL": None, "U0COORD": None, "U0DEPC": "U0COORD"}


def test_nobody_decides_their_own_request_even_as_a_delegate():
    people = pending_deciders(
        decider="U0TL",
        escalated_to=None,
        escalated_on_behalf_of=None,
        active_delegates={"U0TL": "U0HV"},
        requester="U0HV",
    )
    assert people == {"U0TL": None}


def test_the_coordinator_or_their_delegate_reviews_a_refusal():
    people = coordinator_deciders(coordinator="U0COORD", routed_to="U0DEPC", active_delegates={}, requester="U0HV")
    assert people == {"U0COORD": None, "U0DEPC": "U0COORD"}


def test_a_delegation_to_yourself_or_ending_in_the_past_is_refused_with_a_reason():
    with pytest.raises(InvalidInputError, match="can't be your own delegate"):
        check_delegation(principal="U0TL", delegate="U0TL", until=date(2027, 8, 13), today=date(2027, 8, 2))
    with pytest.raises(InvalidInputError, match="2027-08-01 has already passed"):
        check_delegation(principal="U0TL", delegate="U0DEP", until=date(2027, 8, 1), today=date(2027, 8, 2))
    check_delegation(principal="U0TL", delegate="U0DEP", until=date(2027, 8, 2), today=date(2027, 8, 2))


def test_a_meeting_time_in_the_past_is_refused():
    _, problem = check_meeting_time(
        day=date(2027, 8, 3),
        at=time(9, 0),
        now=local(2027, 8, 3, 10, 0),
        calendar=CALENDAR,
        allow_non_working_day=False,
    )
    assert problem == "That date and time has already passed. Choose a time in the future."


def test_a_meeting_on_a_bank_holiday_needs_confirming_and_then_is_accepted():
    args = dict(day=date(2027, 8, 2), at=time(10, 0), now=local(2027, 7, 30, 14, 0), calendar=CALENDAR)
    starts_at, problem = check_meeting_time(**args, allow_non_working_day=False)
    assert problem.startswith("Monday 2 August 2027 is not a working day") and "Hold it on a non-working day" in problem
    assert check_meeting_time(**args, allow_non_working_day=True) == (starts_at, None)
    assert starts_at == local(2027, 8, 2, 10, 0)


def test_a_refusal_needs_a_reason_and_details_are_required():
    with pytest.raises(InvalidInputError, match="A reason is needed"):
        clean_reason("   ", required=True)
    assert clean_reason("  ", required=False) is None
    assert clean_reason(" Covered at the review. ", required=True) == "Covered at the review."
    with pytest.raises(InvalidInputError, match="what has changed"):
        clean_details("\n")
