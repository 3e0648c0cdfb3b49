"""Plan copies and the CP9 in Teams, over real HTTP with the fake Bot Connector, on both engines."""

from __future__ import annotations

from datetime import datetime

from teams.cards.ids import Dialog, Submit, Verb
from tests.teams.conftest import CHAIR, CHANNEL, COORDINATOR, MEMBER
from tests.teams.steps import LONDON, action_of, cards_in, known_to_teams, recorded

HV_CHAT, CHAIR_CHAT, COORD_CHAT = "a:personal-hv", "a:personal-chair", "a:personal-coord"


def _plan_sent(teams_bot):
    """The chair opens Plan sent from their card and submits it."""
    (chair_card,) = [c for c in cards_in(teams_bot, CHAIR_CHAT) if "plan" in c["fallbackText"].lower()]
    data = action_of(chair_card, "Plan sent")["data"]
    status, opened = teams_bot.post(teams_bot.activities.task_fetch(CHAIR, Dialog.PLAN_SENT, data))
    assert status == 200 and opened["task"]["type"] == "continue"
    status, done = teams_bot.post(
        teams_bot.activities.task_submit(CHAIR, Submit.PLAN_SENT, {"receipt_id": data["receipt_id"]})
    )
    assert status == 200 and done["task"]["type"] == "message"
    teams_bot.dispatch()
    return done["task"]["value"]


def test_the_recorded_meeting_reaches_the_case_channel_as_a_card(teams_bot):
    known_to_teams(teams_bot)

    recorded(teams_bot)

    [notice] = cards_in(teams_bot, CHANNEL)
    assert "CP-2027-0142" in notice["fallbackText"] and "recorded" in notice["fallbackText"].lower()


def test_a_recipient_confirms_the_plan_and_their_card_is_updated_in_place(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.clock.set(datetime(2027, 5, 25, 10, 0, tzinfo=LONDON))
    said = _plan_sent(teams_bot)
    assert "1 person is asked to confirm" in said
    [copy_card] = cards_in(teams_bot, HV_CHAT)
    button = action_of(copy_card, "I have received the plan")
    teams_bot.fake.calls.clear()

    status, answer = teams_bot.post(teams_bot.activities.card_action(MEMBER, Verb.PLAN_RECEIVED, button["data"]))
    teams_bot.dispatch()

    assert status == 200 and answer["statusCode"] == 200 and "chair can see" in answer["value"]
    updated = [u for u in teams_bot.fake.updates() if u.conversation == HV_CHAT]
    [card] = [a["content"] for a in updated[-1].body["attachments"]]
    assert "You confirmed you received the plan" in str(card["body"]) and "actions" not in card


def test_someone_else_clicking_i_have_received_the_plan_is_refused_and_nothing_changes(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.clock.set(datetime(2027, 5, 25, 10, 0, tzinfo=LONDON))
    _plan_sent(teams_bot)
    [copy_card] = cards_in(teams_bot, HV_CHAT)
    button = action_of(copy_card, "I have received the plan")
    teams_bot.fake.calls.clear()

    status, answer = teams_bot.post(teams_bot.activities.card_action(CHAIR, Verb.PLAN_RECEIVED, button["data"]))
    teams_bot.dispatch()

    assert status == 200 and answer["statusCode"] == 400
    assert answer["value"]["message"].startswith("Only the person it was sent to")
    assert teams_bot.fake.updates() == [] and teams_bot.fake.sent() == []


def test_a_second_click_on_i_have_received_the_plan_changes_nothing(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.clock.set(datetime(2027, 5, 25, 10, 0, tzinfo=LONDON))
    _plan_sent(teams_bot)
    [copy_card] = cards_in(teams_bot, HV_CHAT)
    click = action_of(copy_card, "I have received the plan")["data"]
    teams_bot.post(teams_bot.activities.card_action(MEMBER, Verb.PLAN_RECEIVED, click))
    teams_bot.dispatch()
    teams_bot.fake.calls.clear()

    status, answer = teams_bot.post(teams_bot.activities.card_action(MEMBER, Verb.PLAN_RECEIVED, click))
    teams_bot.dispatch()

    assert answer["statusCode"] == 400 and answer["value"]["message"].startswith("Already confirmed by you")
    assert teams_bot.fake.updates() == []


def test_the_chair_marks_the_cp9_sent_and_the_coordinator_marks_it_received(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.clock.set(datetime(2027, 5, 25, 10, 0, tzinfo=LONDON))
    (to_send,) = [c for c in cards_in(teams_bot, CHAIR_CHAT) if "CP9" in c["fallbackText"]]
    data = action_of(to_send, "Mark CP9 sent")["data"]

    _, opened = teams_bot.post(teams_bot.activities.task_fetch(CHAIR, Dialog.CP9_SENT, data))
    _, done = teams_bot.post(
        teams_bot.activities.task_submit(
            CHAIR, Submit.CP9_SENT, {"cp9_id": data["cp9_id"], "when": "2027-05-25", "note": "secure email"}
        )
    )
    teams_bot.dispatch()

    assert opened["task"]["type"] == "continue"
    assert done["task"]["value"].startswith("Done: the CP9 is marked sent on Tue 25 May 2027")
    (due,) = [c for c in cards_in(teams_bot, COORD_CHAT) if "CP9" in c["fallbackText"]]
    received = action_of(due, "Mark CP9 received")["data"]

    _, refused = teams_bot.post(teams_bot.activities.card_action(MEMBER, Verb.CP9_RECEIVED, received))
    _, answer = teams_bot.post(teams_bot.activities.card_action(COORDINATOR, Verb.CP9_RECEIVED, received))
    teams_bot.dispatch()

    assert refused["statusCode"] == 400 and "Nothing was changed" in refused["value"]["message"]
    assert answer["value"] == "Done: the CP9 is marked received, and the chair can see it."
    coordinator_updates = [u for u in teams_bot.fake.updates() if u.conversation == COORD_CHAT]
    assert "Marked received" in coordinator_updates[-1].text


def test_someone_else_opening_plan_sent_is_told_only_the_chair_can_and_nothing_is_asked(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    (chair_card,) = [c for c in cards_in(teams_bot, CHAIR_CHAT) if "plan" in c["fallbackText"].lower()]
    data = action_of(chair_card, "Plan sent")["data"]
    teams_bot.fake.calls.clear()

    _, opened = teams_bot.post(teams_bot.activities.task_fetch(MEMBER, Dialog.PLAN_SENT, data))
    _, submitted = teams_bot.post(
        teams_bot.activities.task_submit(MEMBER, Submit.PLAN_SENT, {"receipt_id": data["receipt_id"]})
    )
    teams_bot.dispatch()

    assert opened["task"]["type"] == "message" and opened["task"]["value"].startswith("Only the chair")
    assert submitted["task"]["value"].startswith("Only the chair")
    assert teams_bot.fake.sent() == [] and teams_bot.fake.updates() == []


def test_a_click_with_a_mangled_id_says_the_button_is_out_of_date(teams_bot):
    known_to_teams(teams_bot)

    _, answer = teams_bot.post(teams_bot.activities.card_action(MEMBER, Verb.PLAN_RECEIVED, {"copy_id": "1; drop"}))

    assert answer["statusCode"] == 400 and "out of date" in answer["value"]["message"]
