"""A request card's refresh is answered again from memory only while nothing that decides it has changed: what
another replica or the worker commits shows at the next refresh once the database has said so (SQLite: at once;
PostgreSQL: its notification, a moment after the commit). Over real HTTP, on both engines."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

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


def _token(bot):
    return bot.runtime.teams.changes.token()


def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _listening(bot):
    """The change token, once it can be trusted (PostgreSQL's listener connects at the first look)."""
    assert _eventually(lambda: _token(bot) is not None)
    return _token(bot)


def _heard(bot, before) -> None:
    """Wait until the database has told this bot about a change committed elsewhere."""
    assert _eventually(lambda: _token(bot) not in (before, None)), "the change was never heard"


def test_a_decision_taken_by_another_replica_shows_at_the_next_refresh(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    assert "Approve" in _view(teams_bot, TEAM_LEADER, request_id)
    before = _listening(teams_bot)
    assert "Approve" in _view(teams_bot, TEAM_LEADER, request_id)
    assert "Approve" in _view(teams_bot, TEAM_LEADER, request_id)  # answered from memory

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
    _heard(teams_bot, before)

    shown = _view(teams_bot, TEAM_LEADER, request_id)
    assert "Approve" not in shown and "Refused" in shown


def test_a_delegate_named_elsewhere_gets_live_buttons_at_the_next_refresh_and_loses_them_when_it_ends(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    assert "Approve" not in _view(teams_bot, CHAIR, request_id)
    before = _listening(teams_bot)
    assert "Approve" not in _view(teams_bot, CHAIR, request_id)  # kept

    with _elsewhere(teams_bot) as uow:
        set_delegate(
            uow=uow,
            now=teams_bot.clock.now(),
            principal=TEAM_LEADER[1],
            delegate=CHAIR[1],
            until=teams_bot.clock.now().date() + timedelta(days=7),
        )
        uow.commit()
    _heard(teams_bot, before)
    assert "Approve" in _view(teams_bot, CHAIR, request_id)

    before = _token(teams_bot)
    with _elsewhere(teams_bot) as uow:
        assert end_delegate(uow=uow, now=teams_bot.clock.now(), principal=TEAM_LEADER[1])
        uow.commit()
    _heard(teams_bot, before)
    assert "Approve" not in _view(teams_bot, CHAIR, request_id)


def test_a_delegation_that_ran_to_yesterday_no_longer_gives_live_buttons_today(teams_bot):
    request_id = _request(teams_bot, _ready(teams_bot))
    today = teams_bot.clock.now()
    with _elsewhere(teams_bot) as uow:
        set_delegate(uow=uow, now=today, principal=TEAM_LEADER[1], delegate=CHAIR[1], until=today.date())
        uow.commit()
    assert "Approve" in _view(teams_bot, CHAIR, request_id)
    _listening(teams_bot)
    assert "Approve" in _view(teams_bot, CHAIR, request_id)  # kept, for today

    teams_bot.clock.advance(timedelta(days=1))

    assert "Approve" not in _view(teams_bot, CHAIR, request_id)


LATE = datetime(2027, 5, 17, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 18th in London


def test_an_answer_handed_out_cannot_change_the_one_kept():
    answers = RefreshAnswers()
    answers.put((1, False, "x"), {"value": {"body": ["kept"]}}, token=7, now=LATE, timezone="Europe/London")

    handed = answers.get((1, False, "x"), token=7, now=LATE)
    assert handed is not None
    handed["value"]["body"].append("changed by the caller")

    assert answers.get((1, False, "x"), token=7, now=LATE) == {"value": {"body": ["kept"]}}


def test_a_kept_answer_holds_only_under_its_token_and_on_the_viewer_s_local_day():
    answers = RefreshAnswers()
    answers.put((1, False, "x"), {"value": "card"}, token=7, now=LATE, timezone="Europe/London")

    assert answers.get((1, False, "x"), token=8, now=LATE) is None  # something changed since
    assert answers.get((1, False, "x"), token=None, now=LATE) is None  # nobody can say: read
    # 23:30 UTC was already the 18th in London, and 22:59 UTC on the 18th still is: the same local day.
    assert answers.get((1, False, "x"), token=7, now=LATE + timedelta(hours=23, minutes=29)) is not None
    assert answers.get((1, False, "x"), token=7, now=LATE + timedelta(hours=23, minutes=31)) is None  # the 19th


def test_nothing_is_kept_when_the_token_is_unknown():
    answers = RefreshAnswers()
    answers.put((1, False, "x"), {"value": "card"}, token=None, now=LATE, timezone="Europe/London")
    assert answers.get((1, False, "x"), token=None, now=LATE) is None
