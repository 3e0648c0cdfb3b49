"""Renderers for the Teams platform: a notice kind -> a function(payload) giving the activity to send.

The wiring builds the registry (`teams_renderers()`); no import fills a global. A renderer returns text or an
Adaptive Card (a dict with "type": "AdaptiveCard"); `as_activity` wraps either into a message activity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.notices import NoticeKind

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

Rendered = str | dict[str, Any]
Renderer = Callable[[Mapping[str, Any]], Rendered]


class TeamsRenderers(Mapping[str, Renderer]):
    """The Teams renderers of one running bot, by notice kind."""

    def __init__(self, renderers: Mapping[str, Renderer] | None = None) -> None:
        self._renderers: dict[str, Renderer] = dict(renderers or {})

    def register(self, kind: str, renderer: Renderer) -> None:
        self._renderers[str(kind)] = renderer

    def __getitem__(self, kind: str) -> Renderer:
        return self._renderers[str(kind)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._renderers)

    def __len__(self) -> int:
        return len(self._renderers)


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


def render_meeting_reminder(payload: Mapping[str, Any]) -> Rendered:
    """A reminder, in the case channel and in each member's 1:1 chat: when the meeting is (plain text for now)."""
    starts = datetime.fromisoformat(str(payload["starts_at"])).astimezone(
        ZoneInfo(str(payload.get("timezone") or "Europe/London"))
    )
    days = int(payload.get("working_days_before") or 0)
    soon = "today" if days == 0 else f"in {days} working day{'s' if days != 1 else ''}"
    return f"Reminder: core group meeting for {payload.get('reference', '?')} {soon}, {starts:%A %-d %B %Y at %H:%M}"


def teams_renderers(*, teams_id_of: Callable[[str], str | None] | None = None) -> TeamsRenderers:
    """The renderers this version has for Teams (the feature cards register theirs here too)."""
    from teams.features import request_renderers

    registry = TeamsRenderers(
        {NoticeKind.DELIVERY_FAILED: render_delivery_failed, NoticeKind.MEETING_REMINDER: render_meeting_reminder}
    )
    request_renderers.add_renderers(registry, teams_id_of=teams_id_of)
    return registry
