"""Steps for Teams journeys: the organisation imported, everyone's conversations known, a meeting recorded."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.meetings import RecordDraft
from bot.services.meeting_records import record_meeting
from tests.teams.conftest import ADMIN, CHAIR, CHANNEL, COORDINATOR, MEMBER, TEAM, TEAM_LEADER, teams_organisation_file

LONDON = ZoneInfo("Europe/London")
CHECKLIST = {
    "supports": "Support worker",
    "monitoring": "Weekly visits",
    "outcomes": "Attendance",
    "contingency": "Meet",
}


def known_to_teams(teams_bot) -> None:
    """The organisation imported; the app installed in the case channel and in everyone's 1:1 chat."""
    teams_bot.import_organisation(teams_organisation_file())
    teams_bot.post(teams_bot.activities.installation_update(CHAIR, team_id=TEAM, channel_id=CHANNEL))
    for person in (CHAIR, MEMBER, COORDINATOR, ADMIN, TEAM_LEADER):
        teams_bot.post(teams_bot.activities.installation_update(person))
    teams_bot.dispatch()
    teams_bot.fake.calls.clear()


def recorded(teams_bot, *, at: datetime = datetime(2027, 5, 24, 12, 0, tzinfo=LONDON)) -> None:
    """The chair records the meeting of 24 May (Teams has no record yet: through the service) and it is delivered."""
    teams_bot.clock.set(at)
    with teams_bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        (meeting,) = uow.meetings.for_case(case.id)
        draft = RecordDraft(
            meeting_id=meeting.id,
            attended_users=(CHAIR[1], MEMBER[1]),
            not_invited_users=(TEAM_LEADER[1],),
            not_invited_reason="Decides requests only",
            checklist=CHECKLIST,
        )
        record_meeting(draft, channel=CHANNEL, user=CHAIR[1], uow=uow, now=at)
        uow.commit()
    teams_bot.dispatch()


def cards_in(teams_bot, conversation: str) -> list[dict]:
    """The cards the bot posted in `conversation`, as sent."""
    return [
        a["content"] for call in teams_bot.fake.sent(conversation) for a in (call.body or {}).get("attachments") or []
    ]


def action_of(card: dict, title: str) -> dict:
    (found,) = [a for a in card.get("actions") or [] if a["title"] == title]
    return found
