"""The case channel's notices in Teams: the meeting moved and cancelled, and the reminders, as cards in the channel."""

from __future__ import annotations

from datetime import datetime

from bot.services.meetings import cancel_meeting, reschedule_meeting
from teams.cards.check import problems
from tests.teams.conftest import CHAIR, CHANNEL
from tests.teams.steps import LONDON, cards_in, known_to_teams


def _meeting(uow):
    case = uow.cases.get_by_reference("CP-2027-0142")
    (meeting,) = uow.meetings.for_case(case.id)
    return case, meeting


def test_a_moved_then_cancelled_meeting_is_announced_in_the_case_channel(teams_bot):
    known_to_teams(teams_bot)
    with teams_bot.services.uow_factory() as uow:
        case, meeting = _meeting(uow)
        reschedule_meeting(
            uow=uow,
            case=case,
            meeting=meeting,
            starts_at=datetime(2027, 5, 26, 14, 0, tzinfo=LONDON),
            actor=CHAIR[1],
            now=teams_bot.clock.now(),
            reason="Room unavailable",
        )
        uow.commit()
    teams_bot.dispatch()
    with teams_bot.services.uow_factory() as uow:
        case, meeting = _meeting(uow)
        cancel_meeting(uow=uow, case=case, meeting=meeting, actor=CHAIR[1], now=teams_bot.clock.now(), reason="Ill")
        uow.commit()
    teams_bot.dispatch()

    moved, cancelled = cards_in(teams_bot, CHANNEL)
    assert "CP-2027-0142" in moved["fallbackText"] and "Wed 26 May 2027, 14:00" in str(moved["body"])
    assert "cancelled" in cancelled["fallbackText"].lower()
    assert problems(moved) == [] and problems(cancelled) == []


def test_the_meeting_reminder_reaches_the_case_channel(teams_bot):
    known_to_teams(teams_bot)
    teams_bot.clock.set(datetime(2027, 5, 20, 9, 0, tzinfo=LONDON))  # two working days before Mon 24 May

    teams_bot.runtime.sweep()
    teams_bot.dispatch()

    reminders = [c for c in cards_in(teams_bot, CHANNEL) if c["fallbackText"].startswith("Reminder")]
    assert reminders and "CP-2027-0142" in reminders[0]["fallbackText"]
