"""Plan copies and the CP9 in Teams: each button until it is used, the version shown once done, and the chair's
dialogs; the form's name comes from the profile (the payload)."""

from __future__ import annotations

from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.receipts import (
    build_cp9_due_card,
    build_cp9_sent_dialog,
    build_cp9_to_send_card,
    build_plan_copy_card,
    build_plan_sent_dialog,
    build_plan_to_send_card,
)
from tests.teams.test_cards_every_builder import (
    CHAIR,
    COORDINATOR,
    at,
    cp9,
    cp9_sent_form,
    plan,
    plan_copy,
    plan_sent_form,
    walk,
)


def words(card) -> str:
    return "\n".join(n["text"] for n in walk(card["body"]) if n.get("type") == "TextBlock")


def test_a_recipient_confirms_with_i_have_received_the_plan():
    card = build_plan_copy_card(payload=plan_copy(), names={CHAIR: "Sam"})
    assert card["fallbackText"] == "Plan for CP-2027-0142: please confirm when you have it"
    assert "The chair (<at>Sam</at>) has sent you a copy of the child protection plan" in words(card)
    assert "should have it by **Mon 31 May 2027**" in words(card)
    (button,) = card["actions"]
    assert (button["title"], button["verb"], button["data"]) == (
        "I have received the plan", Verb.PLAN_RECEIVED, {"action": "plan.received", "copy_id": 1}
    )  # fmt: skip


def test_once_confirmed_the_recipients_card_says_so_without_the_button():
    card = build_plan_copy_card(payload=plan_copy(confirmed_at=at(26)))
    assert "actions" not in card
    assert "\u2705 You confirmed you received the plan on Wed 26 May 2027, 10:00." in words(card)
    assert card["fallbackText"].endswith(": confirmed")


def test_the_chair_sees_every_copys_state_and_plan_sent_opens_the_dialog():
    card = build_plan_to_send_card(payload=plan(), names={CHAIR: "Sam"})
    shown = words(card)
    assert "\u2022 <at>recipient</at>, attended \u2014 not sent" in shown
    assert "\u2022 Mother \u2217x\u2217 (no Teams), invited, absent \u2014 sent by post on Tue 25 May 2027" in shown
    assert "\u2022 <at>recipient (2)</at>, attended \u2014 received Wed 26 May 2027, 10:00" in shown
    (button,) = card["actions"]
    assert button["title"] == "Plan sent"
    assert button["data"] == {"msteams": {"type": "task/fetch"}, "dialog_id": str(Dialog.PLAN_SENT), "receipt_id": 5}
    done = build_plan_to_send_card(payload=plan(all_sent=True))
    assert "actions" not in done and "Marked sent to everyone." in words(done)


def test_an_overdue_plan_lists_only_the_copies_still_owed():
    card = build_plan_to_send_card(payload=plan(occasion="overdue", overdue=[2]))
    assert card["fallbackText"] == "Copies of the plan for CP-2027-0142 are overdue (due Mon 31 May 2027)"
    assert [line for line in words(card).split("\n") if line.startswith("\u2022")] == [
        "\u2022 Mother \u2217x\u2217 (no Teams), invited, absent \u2014 sent by post on Tue 25 May 2027"
    ]


def test_the_plan_sent_dialog_counts_who_will_be_asked_and_ticks_people_without_teams():
    dialog = build_plan_sent_dialog(form=plan_sent_form())
    assert dialog.title == "Plan sent"
    assert "2 people with Teams will be asked to confirm they have received it." in words(dialog.card)
    inputs = {n["id"]: n for n in walk(dialog.card) if str(n.get("type", "")).startswith("Input.")}
    assert [c["value"] for c in inputs[Field.LABELS]["choices"]] == ["2", "4"]
    assert inputs[Field.LABELS]["choices"][0]["title"].startswith("Mother \u2217x\u2217 \uff3ba\uff3d")
    assert inputs[Field.LABELS]["isMultiSelect"] is True
    assert [c["value"] for c in inputs[Field.HOW]["choices"]] == ["post", "email", "by_hand"]
    assert inputs[Field.WHEN]["value"] == "2027-05-25"
    assert dialog.card["actions"][0]["data"] == {"action": str(Submit.PLAN_SENT), "receipt_id": 5}


def test_the_chair_marks_the_cp9_sent_in_a_dialog_with_where_to_find_it():
    card = build_cp9_to_send_card(payload=cp9(form_name="Form CP9"), names={COORDINATOR: "Jo"})
    assert card["fallbackText"] == "Send the Form CP9 for CP-2027-0142 by Tue 1 Jun 2027"
    assert (
        "to the Co-ordinator, Children Services (<at>Jo</at>) by **Tue 1 Jun 2027** \u2014 day 7 after the meeting "
        "is Mon 31 May 2027, not a working day." in words(card)
    )
    (button,) = card["actions"]
    assert (button["title"], button["data"]["dialog_id"], button["data"]["cp9_id"]) == (
        "Mark Form CP9 sent",
        "cp9.sent",
        9,
    )
    dialog = build_cp9_sent_dialog(form=cp9_sent_form())
    inputs = {n["id"]: n for n in walk(dialog.card) if str(n.get("type", "")).startswith("Input.")}
    assert dialog.title == "CP9 sent"
    assert inputs[Field.WHEN]["isRequired"] and inputs[Field.WHEN]["value"] == "2027-05-25"
    assert "isRequired" not in inputs[Field.NOTE]
    assert dialog.card["actions"][0]["data"] == {"action": "cp9.sent.submit", "cp9_id": 9}


def test_once_sent_the_chairs_cp9_card_says_by_whom_and_where_without_the_button():
    card = build_cp9_to_send_card(
        payload=cp9(status="sent", sent_on="2027-05-27", sent_by=CHAIR, sent_note="secure *email*")
    )
    assert "actions" not in card
    assert "Sent by <at>chair</at> on Thu 27 May 2027." in words(card)
    assert "secure \u2217email\u2217" in words(card)


def test_the_coordinator_marks_the_cp9_received_and_then_sees_who_did():
    card = build_cp9_due_card(payload=cp9())
    assert card["fallbackText"] == "CP9 due for CP-2027-0142 by Tue 1 Jun 2027"
    (button,) = card["actions"]
    assert (button["title"], button["verb"], button["data"]) == (
        "Mark CP9 received", "cp9.received", {"action": "cp9.received", "cp9_id": 9}
    )  # fmt: skip
    done = build_cp9_due_card(payload=cp9(status="received", received_at=at(28), received_by=COORDINATOR))
    assert "actions" not in done
    assert "\u2705 Marked received by <at>coordinator</at> on Fri 28 May 2027, 10:00." in words(done)
    chased = build_cp9_due_card(payload=cp9(occasion="overdue", status="sent", sent_on="2027-05-27", sent_by=CHAIR))
    assert chased["fallbackText"] == "CP9 for CP-2027-0142: not marked received (due Tue 1 Jun 2027)"
