"""Requests for an additional meeting in Teams: the requester's start card and dialog, the deciders' live card with
Approve and Refuse (and the read-only and decided versions), the coordinator's Convene / Uphold, and what the
requester hears back."""

from __future__ import annotations

from datetime import date

from teams.cards.decisions import build_decision_card, build_review_card, build_schedule_dialog
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.requests import (
    build_approved_card,
    build_outcome_card,
    build_refused_card,
    build_request_dialog,
    build_request_start_card,
    request_sent_text,
)
from tests.teams.test_cards_every_builder import COORDINATOR, DELEGATE, LEADER, MEMBER, decision, request, walk


def titles(card) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


def words(card) -> str:
    return "\n".join(n["text"] for n in walk(card["body"]) if n.get("type") == "TextBlock")


def test_request_opens_the_dialog_from_a_card_carrying_only_the_case_id():
    card = build_request_start_card(reference="CP-2027-0142", case_id=3)
    (button,) = card["actions"]
    assert button["title"] == "Request an additional meeting"
    assert button["data"] == {"msteams": {"type": "task/fetch"}, "dialog_id": str(Dialog.REQUEST_NEW), "case_id": 3}


def test_the_request_dialog_asks_the_concern_what_has_changed_and_how_urgent():
    dialog = build_request_dialog(reference="CP-2027-0142", case_id=3)
    inputs = {n["id"]: n for n in walk(dialog.card) if str(n.get("type", "")).startswith("Input.")}
    assert dialog.title == "Additional meeting"
    assert list(inputs) == [Field.CONCERN, Field.DETAILS, Field.URGENCY]
    assert [c["value"] for c in inputs[Field.CONCERN]["choices"]] == ["new", "deepening", "other"]
    assert inputs[Field.CONCERN]["errorMessage"] == "Choose what the concern is."
    assert inputs[Field.DETAILS]["isRequired"] and inputs[Field.DETAILS]["maxLength"] == 2000
    assert inputs[Field.URGENCY]["value"] == "routine"
    assert dialog.card["actions"][0]["data"] == {"action": str(Submit.REQUEST_NEW), "case_id": 3}


def test_the_decider_sees_approve_which_opens_a_dialog_and_refuse_which_needs_a_reason():
    card = build_decision_card(payload={**request(), "occasion": "routed"}, decider_ids=[LEADER, DELEGATE])
    approve, refuse = card["actions"]
    assert (approve["title"], approve["data"]["dialog_id"], approve["data"]["request_id"]) == (
        "Approve",
        "request.approve",
        12,
    )
    assert approve["associatedInputs"] == "none"  # Approve is not held up by the empty reason under Refuse
    assert refuse["type"] == "Action.ShowCard" and refuse["title"] == "Refuse"
    (reason,) = [n for n in walk(refuse["card"]) if n.get("type") == "Input.Text"]
    assert (reason["id"], reason["isRequired"], reason["errorMessage"]) == (
        "reason",
        True,
        "Give a reason: it is required.",
    )
    (send,) = refuse["card"]["actions"]
    assert (send["type"], send["verb"], send["data"], send["associatedInputs"]) == (
        "Action.Execute", "request.refuse", {"action": "request.refuse", "request_id": 12}, "auto"
    )  # fmt: skip
    assert card["refresh"]["userIds"] == [LEADER, DELEGATE]
    assert card["refresh"]["action"]["verb"] == Verb.REQUEST_REFRESH


def test_everyone_else_sees_the_request_without_buttons_while_it_waits():
    card = build_decision_card(payload={**request(), "occasion": "routed"}, decider_ids=[LEADER], live=False)
    assert "actions" not in card
    assert "Waiting for the team leader's decision." in words(card)
    assert card["refresh"]["userIds"] == [LEADER]  # deciders still get the live card from the refresh


def test_refresh_lists_at_most_sixty_deciders_once_each():
    many = [f"29:user-{n}" for n in range(70)] + ["29:user-1"]
    card = build_decision_card(payload=request(), decider_ids=many)
    assert card["refresh"]["userIds"] == many[:60]


def test_once_decided_the_card_shows_the_decision_for_everyone_and_no_longer_refreshes():
    closed = decision("refused", by=DELEGATE, on_behalf_of=LEADER, reason="Not *needed*")
    card = build_decision_card(payload={**request(), "closed": closed}, decider_ids=[LEADER], names={DELEGATE: "Kim"})
    assert "actions" not in card and "refresh" not in card
    assert card["fallbackText"].endswith(": refused")
    shown = words(card)
    assert "\u274c **Refused** by <at>Kim</at> for <at>team leader</at> on Tue 4 May 2027, 10:00" in shown
    assert "Not \u2217needed\u2217" in shown


def test_a_delegate_sees_whom_they_stand_in_for_and_an_escalation_says_who_it_waits_on():
    mine = build_decision_card(payload={**request(), "on_behalf_of": LEADER}, decider_ids=[DELEGATE])
    assert "You have this as delegate for <at>team leader</at> (team leader)." in words(mine)
    escalated = build_decision_card(payload={**request(), "occasion": "escalated"}, decider_ids=[COORDINATOR])
    assert words(escalated).startswith("Escalated to you: a request for an additional meeting nobody has decided")
    assert "Waiting on the team leader <at>team leader</at>; you can decide it instead." in words(escalated)


def test_approve_and_convene_ask_for_a_date_and_a_time_in_a_dialog():
    approve = build_schedule_dialog(
        convene=False, reference="CP-2027-0142", request_id=12, initial_day=date(2027, 5, 5)
    )
    convene = build_schedule_dialog(convene=True, reference="CP-2027-0142", request_id=12, initial_day=date(2027, 5, 5))
    assert (approve.title, convene.title) == ("Approve the request", "Convene the meeting")
    inputs = {n["id"]: n for n in walk(approve.card) if str(n.get("type", "")).startswith("Input.")}
    assert inputs[Field.DATE]["value"] == "2027-05-05" and inputs[Field.DATE]["errorMessage"] == "Choose a date."
    assert inputs[Field.TIME]["value"] == "10:00" and inputs[Field.TIME]["errorMessage"] == "Choose a time."
    assert inputs[Field.NON_WORKING_DAY]["type"] == "Input.Toggle"
    assert approve.card["actions"][0]["data"] == {"action": "request.approve.submit", "request_id": 12}
    assert convene.card["actions"][0]["data"] == {"action": "review.convene.submit", "request_id": 12}


def test_the_requester_hears_the_refusal_names_the_coordinator_and_can_ask_them():
    card = build_refused_card(payload={**request(), "decision": decision()}, names={COORDINATOR: "Jo"})
    assert "You can discuss this with the Co-ordinator, Children Services, <at>Jo</at>." in words(card)
    (ask,) = card["actions"]
    assert (ask["title"], ask["verb"], ask["data"]) == (
        "Ask the coordinator", "request.ask_coordinator", {"action": "request.ask_coordinator", "request_id": 12}
    )  # fmt: skip
    asked = {"outcome": "asked", "by": MEMBER, "at": "2027-05-05T09:00:00+00:00", "to": DELEGATE}
    after = build_refused_card(payload={**request(), "decision": decision(), "closed": asked})
    assert "actions" not in after
    assert "You asked the coordinator <at>coordinator's delegate</at> on Wed 5 May 2027, 10:00." in words(after)


def test_a_refusal_by_the_coordinator_has_nobody_further_to_ask():
    card = build_refused_card(payload={**request(), "decision": decision(), "decider_role": "coordinator"})
    assert "actions" not in card
    assert "This was the decision of the Co-ordinator, Children Services, <at>coordinator</at>." in words(card)


def test_the_coordinator_can_convene_the_meeting_or_uphold_the_refusal_with_a_reason():
    card = build_review_card(payload={**request(), "decision": decision()}, reviewer_ids=[COORDINATOR])
    convene, uphold = card["actions"]
    assert (convene["title"], convene["data"]["dialog_id"]) == ("Convene the meeting", "review.convene")
    assert uphold["title"] == "Uphold the refusal"
    assert uphold["card"]["actions"][0]["verb"] == "review.uphold"
    assert "**Refused by** <at>team leader</at> (team leader) on Tue 4 May 2027, 10:00" in words(card)
    assert card["refresh"]["userIds"] == [COORDINATOR]


def test_approved_and_outcome_cards_say_when_the_meeting_is():
    approved = build_approved_card(payload={**request(), "decision": decision("approved", reason=None)})
    assert approved["fallbackText"] == (
        "Your request for an additional core group meeting for CP-2027-0142 was approved: Mon 10 May 2027, 10:00"
    )
    assert "**Meeting:** Mon 10 May 2027, 10:00 (posted in the case channel)" in words(approved)
    convened = build_outcome_card(payload={**request(), "outcome": decision("convened", by=COORDINATOR)})
    assert "<at>coordinator</at> convened the meeting <at>requester</at> asked for, after it was refused." in words(
        convened
    )
    upheld = build_outcome_card(payload={**request(), "outcome": decision("upheld", by=COORDINATOR)})
    assert upheld["fallbackText"] == "The coordinator upheld the refusal of the additional meeting for CP-2027-0142"


def test_the_requester_is_told_who_decides_in_plain_words():
    assert request_sent_text(
        reference="CP-2027-0142", routed_to=LEADER, decider=LEADER, decider_role="team leader", names={LEADER: "Alex"}
    ) == (
        "Your request for an additional core group meeting for CP-2027-0142 has gone to Alex, the team leader, who "
        "decides whether to hold it. You'll get a message with the decision."
    )
    assert "has gone to their delegate, standing in for the team leader, who decides" in request_sent_text(
        reference="CP-2027-0142", routed_to=DELEGATE, decider=LEADER, decider_role="team leader"
    )
