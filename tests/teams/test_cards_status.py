"""`status`, `help` and refusals in Teams: the case's roles and next meeting, the commands Teams has, and one
explanation of "not yours" / "already done" that names people only by a name the sender looked up."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.authority import AlreadyDoneError, NotYoursError
from bot.errors import InvalidInputError
from teams.cards.status import build_error_card, build_help_card, build_status_card, explain
from tests.teams.test_cards_every_builder import CHAIR, LEADER, status_view, walk


def words(card) -> list[str]:
    return [n["text"] for n in walk(card["body"]) if n.get("type") == "TextBlock"]


def test_status_shows_the_chair_team_leader_members_and_next_meeting():
    card = build_status_card(view=status_view(), names={CHAIR: "Sam", LEADER: "Alex"})
    assert card["fallbackText"] == "Core group status for CP-2027-0142"
    assert words(card) == [
        "Core group CP-2027-0142",
        "**Chair:** <at>Sam</at>",
        "**Team leader:** <at>Alex</at>",
        "**Members:** 6 (plus 2 without Teams: Police \u2217officer\u2217, GP \uff1cat\uff1ex\uff1c/at\uff1e)",
        "**Next meeting:** Mon 24 May 2027, 10:00",
    ]
    closed = build_status_card(view=status_view(status="closed", next_meeting_at=None, chair=None))
    assert words(closed)[1] == "**Chair:** \u2014"
    assert words(closed)[4] == "**Next meeting:** not set"
    assert words(closed)[-1] == "This case is closed."


def test_help_lists_the_commands_teams_has_and_says_when_a_word_is_not_one():
    assert words(build_help_card())[:4] == [
        "Core group commands",
        "**help** \u2014 this list",
        "**request** \u2014 ask the team leader for an additional core group meeting for this case",
        "**status** \u2014 this case's chair, team leader, members and next meeting",
    ]
    unknown = build_help_card(unknown="*schedule* now")
    assert words(unknown)[0] == "I don't know \u201c\u2217schedule\u2217 now\u201d."


def test_not_yours_names_whose_step_it_is_only_when_their_name_is_known():
    error = NotYoursError(
        step="schedule its meetings", who="the chair of CP-2027-0142 ({owner}) or their chairing delegate", owner=CHAIR
    )
    assert explain(error, names={CHAIR: "Sam"}) == (
        "Only the chair of CP-2027-0142 (Sam) or their chairing delegate can schedule its meetings. Nothing was changed."
    )
    assert explain(error) == (
        "Only the chair of CP-2027-0142 or their chairing delegate can schedule its meetings. Nothing was changed."
    )
    nobody = NotYoursError(step="decide it", who="the team leader ({owner})", owner=None)
    assert explain(nobody) == "Only the team leader (nobody) can decide it. Nothing was changed."


def test_already_done_says_by_whom_and_when_in_the_organisations_zone():
    at = datetime(2027, 8, 3, 9, 42, tzinfo=timezone.utc)
    error = AlreadyDoneError(what="The request", done="approved", by=LEADER, at=at, timezone="Europe/London")
    assert explain(error, names={LEADER: "Alex"}) == "Already approved by Alex at 10:42 on Tue 3 Aug 2027."
    assert explain(error) == "Already approved at 10:42 on Tue 3 Aug 2027."
    mine = AlreadyDoneError(what="It", done="confirmed", by=CHAIR, at=None, timezone="Europe/London", yours=True)
    assert explain(mine) == "Already confirmed by you."
    assert explain(InvalidInputError("Choose a date.")) == "Choose a date."


def test_an_error_card_shows_the_explanation_and_nothing_to_click():
    card = build_error_card(message="Only the chair can do that. Nothing was changed.")
    assert words(card) == ["\u26a0\ufe0f Only the chair can do that. Nothing was changed."]
    assert "actions" not in card
