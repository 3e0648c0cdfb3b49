"""Meetings in Slack: notices about scheduled meetings (more of the feature lands here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App

from bot.notices import NoticeKind
from handlers.format import local_datetime
from handlers.render import Rendered, context, escape, mention, renderer, section

KIND_WORDS = {"first": "First core group meeting", "regular": "Core group meeting", "additional": "Additional core group meeting"}
MODE_WORDS = {"in_person": "in person", "online": "online"}


@renderer(NoticeKind.MEETING_SCHEDULED)
def render_meeting_scheduled(payload: dict[str, Any]) -> Rendered:
    """The case channel is told a meeting was scheduled."""
    when = local_datetime(datetime.fromisoformat(payload["starts_at"]), payload["timezone"])
    title = KIND_WORDS.get(payload.get("kind", ""), "Core group meeting")
    text = f"{title} for {payload['reference']} scheduled: {when}"
    lines = [f"*{title} scheduled* — {payload['reference']}", f"*When:* {when} ({MODE_WORDS.get(payload.get('mode'), payload.get('mode'))})"]
    if payload.get("note"):
        lines.append(f"*Note:* {escape(payload['note'])}")
    blocks = [section("\n".join(lines))]
    if payload.get("scheduled_by"):
        blocks.append(context(f"Scheduled by {mention(payload['scheduled_by'])}"))
    return Rendered(text=text, blocks=blocks)


def register(app: App) -> None:
    """Meeting listeners (renderers register on import)."""
