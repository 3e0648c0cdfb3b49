"""The envelopes Teams expects around cards: a dialog opened (task/fetch), closed with a message (task/submit),
a card action answered with a new card, a message only the clicker sees, or an error."""

from __future__ import annotations

import json

from teams.cards.dialogs import (
    DialogCard,
    attachment,
    card_response,
    dialog_continue,
    dialog_message,
    error_response,
    message_response,
)
from teams.cards.status import build_help_card


def test_a_dialog_opens_with_its_title_and_card():
    card = build_help_card()
    assert dialog_continue(DialogCard(title="Plan sent", card=card)) == {
        "task": {
            "type": "continue",
            "value": {
                "title": "Plan sent",
                "width": "medium",
                "card": {"contentType": "application/vnd.microsoft.card.adaptive", "content": card},
            },
        }
    }


def test_a_dialog_closes_with_a_plain_message():
    assert dialog_message("Done: the request is refused.") == {
        "task": {"type": "message", "value": "Done: the request is refused."}
    }


def test_a_card_action_is_answered_with_the_card_a_message_or_an_error():
    card = build_help_card()
    assert card_response(card) == {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card}
    assert message_response("Only the chair can do that.") == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Only the chair can do that.",
    }
    assert error_response("Give a reason.") == {
        "statusCode": 400,
        "type": "application/vnd.microsoft.error",
        "value": {"code": "BadRequest", "message": "Give a reason."},
    }


def test_every_envelope_is_json():
    card = build_help_card()
    for envelope in (
        attachment(card),
        dialog_continue(DialogCard(title="x" * 100, card=card), height="large"),
        dialog_message("ok"),
        card_response(card),
        message_response("ok"),
        error_response("no", status=403, code="Forbidden"),
    ):
        assert json.loads(json.dumps(envelope)) == envelope
    assert len(dialog_continue(DialogCard(title="x" * 100, card=card))["task"]["value"]["title"]) == 80
