"""The envelopes Teams expects around cards: dialogs (task/fetch, task/submit), card action invokes
(adaptiveCard/action), and a card as a message attachment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from teams.cards.elements import CONTENT_TYPE, Element

#: The invoke answer types Teams knows for adaptiveCard/action (the card type is `…card.adaptive`, not `…adaptive.card`).
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
ERROR_TYPE = "application/vnd.microsoft.error"


@dataclass(frozen=True)
class DialogCard:
    """A dialog: its title bar and the card it shows."""

    title: str
    card: Element


def attachment(card: Element) -> Element:
    """A card as a message attachment."""
    return {"contentType": CONTENT_TYPE, "content": card}


def dialog_continue(dialog: DialogCard, *, width: str = "medium", height: str | None = None) -> Element:
    """The task/fetch answer that opens `dialog` (or, to task/submit, shows its next step)."""
    value: Element = {"title": dialog.title[:80], "width": width, "card": attachment(dialog.card)}
    if height:
        value["height"] = height
    return {"task": {"type": "continue", "value": value}}


def dialog_message(text: str) -> Element:
    """The task/submit answer that closes the dialog and shows `text` (plain text, no markdown)."""
    return {"task": {"type": "message", "value": text}}


def card_response(card: Element) -> Element:
    """The adaptiveCard/action answer that replaces the card for the person who clicked (and refresh answers)."""
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": card}


def message_response(text: str) -> Element:
    """The adaptiveCard/action answer that leaves the card as it is and tells only the person who clicked."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


def error_response(message: str, *, status: int = 400, code: str = "BadRequest") -> Element:
    """The adaptiveCard/action answer for a click that cannot be taken: Teams shows `message` to the clicker."""
    value: dict[str, Any] = {"code": code, "message": message}
    return {"statusCode": status, "type": ERROR_TYPE, "value": value}
