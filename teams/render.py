"""What a Teams renderer gives (text or an Adaptive Card), the message activity around it, and the admins' card
for a notice that could not be delivered. The registry of every kind's renderer is teams/renderers.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

Rendered = str | dict[str, Any]


def as_activity(rendered: Rendered) -> dict[str, Any]:
    """A message activity carrying text, or an Adaptive Card with its summary as the notification text."""
    if isinstance(rendered, str):
        return {"type": "message", "text": rendered, "textFormat": "plain"}
    summary = str(rendered.get("fallbackText") or "")
    return {
        "type": "message",
        **({"summary": summary} if summary else {}),
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": rendered}],
    }


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


#: Why a Teams delivery failed, in words an admin can act on.
ERROR_WORDS = {
    "MessageWritesBlocked": "the person blocked the app or uninstalled it",
    "conversation_not_found": "the conversation no longer exists",
    "user_not_reachable": "the app is not installed for this person yet: deploy it to them from the Teams admin centre",
    "channel_not_installed": "the app is not installed in this channel's team yet: add it to the team",
    "conversation_inactive": "the person blocked or uninstalled the app earlier",
    "not_in_teams_yet": "this step is not in Teams yet: the person can take it with the coordinator's help",
    "bad_payload": "the notice was written by a version this one cannot read",
}


def render_delivery_failed(payload: Mapping[str, Any]) -> Rendered:
    """An admin is told that a notice could not be delivered, and why, so they can fix the cause."""
    error = str(payload.get("error") or "unknown error")
    reference = payload.get("reference")
    title = "A message could not be delivered" + (f" ({reference})" if reference else "")
    facts = [
        {"title": "To", "value": str(payload.get("recipient") or "?")},
        {"title": "Why", "value": f"{error}: {ERROR_WORDS.get(error, 'Teams refused it')}"},
        {"title": "What", "value": str(payload.get("kind", "")).replace("_", " ")},
    ]
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "fallbackText": f"{title}: {error}",
        "body": [
            text_block(title, weight="Bolder"),
            {"type": "FactSet", "facts": facts},
            text_block("It will not be retried. Fix the cause; later messages will go through.", isSubtle=True),
        ],
    }
