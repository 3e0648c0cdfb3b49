"""A request card's refresh is answered again from memory only while nothing that decides it has changed: what
another replica or the worker does shows at the very next refresh. Over real HTTP, on both engines."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.services.delegates import end_delegate, set_delegate
from bot.services.requests import decide_request
from store.db import make_session_factory
from store.uow import UnitOfWork
from teams.features.refresh_answers import RefreshAnswers
from tests.teams.conftest import CHAIR, TEAM_LEADER
from tests.teams.test_requests_journey import _ready, _request


def _view(bot, person, request_id: int) -> str:
    status, answer = bot.post(bot.activities.card_action(person, "request.refresh", {"request_id": request_id}))
    assert status == 200 and isinstance(answer, dict) and "value" in answer, answer
    return str(answer["value"])


def _elsewhere(bot) -> UnitOfWork:
    """A unit of work of its own, as another replica (or the worker) would have: not through this bot's app."""
    return UnitOfWork(make_session_factory(bot.engine))


def test_a_decision_taken_by_another_replica_shows_at_the_next_refresh(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    assert "Approve" in _view(teams_bot, TEAM_LEADER, request_id)
    assert "Approve" in _view(teams_bot, TEAM_LEADER, request_id)  # the second look is answered from memory

    with _elsewhere(teams_bot) as uow:
        decide_request(
            uow=uow,
            now=teams_bot.clock.now(),
            request_id=request_id,
            user=TEAM_LEADER[1],
            approve=False,
            reason="Not needed yet.",
        )
        uow.commit()

    shown = _view(teams_bot, TEAM_LEADER, request_id)
    assert "Approve" not in shown and "Refused" in shown


def test_a_delegate_named_elsewhere_gets_live_buttons_at_the_next_refresh_and_loses_them_when_it_ends(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    assert "Approve" not in _view(teams_bot, CHAIR, request_id)

    with _elsewhere(teams_bot) as uow:
        set_delegate(
            uow=uow,
            now=teams_bot.clock.now(),
            principal=TEAM_LEADER[1],
            delegate=CHAIR[1],
            until=teams_bot.clock.now().date() + timedelta(days=7),
        )
        uow.commit()
    assert "Approve" in _view(teams_bot, CHAIR, request_id)

    with _elsewhere(teams_bot) as uow:
        assert end_delegate(uow=uow, now=teams_bot.clock.now(), principal=TEAM_LEADER[1])
        uow.commit()
    assert "Approve" not in _view(teams_bot, CHAIR, request_id)


def test_a_delegation_that_ran_to_yesterday_no_longer_gives_live_buttons_today(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    today = teams_bot.clock.now()
    with _elsewhere(teams_bot) as uow:
        set_delegate(uow=uow, now=today, principal=TEAM_LEADER[1], delegate=CHAIR[1], until=today.date())
        uow.commit()
    assert "Approve" in _view(teams_bot, CHAIR, request_id)

    teams_bot.clock.advance(timedelta(days=1))

    assert "Approve" not in _view(teams_bot, CHAIR, request_id)


def test_an_answer_handed_out_cannot_change_the_one_kept():
    answers = RefreshAnswers()
    key = answers.key(
        request_id=1,
        review=False,
        viewer="x",
        now=datetime(2027, 5, 17, 23, 30, tzinfo=timezone.utc),
        timezone="Europe/London",
    )
    assert key[3] == date(2027, 5, 18)  # 00:30 in London: the viewer's day, not UTC's
    from store.repositories_requests import DecisionState

    state = DecisionState(timezone="Europe/London", values=(1, "pending"))
    answers.put(key, state, {"value": {"body": ["kept"]}})

    handed = answers.get(key, state)
    assert handed is not None
    handed["value"]["body"].append("changed by the caller")

    assert answers.get(key, state) == {"value": {"body": ["kept"]}}
    assert answers.get(key, DecisionState(timezone="Europe/London", values=(1, "refused"))) is None
