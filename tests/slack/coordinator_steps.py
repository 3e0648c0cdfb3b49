"""Steps for the coordinator's side: reading the digest DM, opening the Home tab, reading uploaded documents."""

from __future__ import annotations

import io

from docx import Document

from tests.slack.meeting_steps import COORDINATOR, text_of


def digests(bot, user: str = COORDINATOR) -> list[dict]:
    """The digest DMs `user` has, oldest first."""
    return [
        m
        for m in bot.fake.messages(user)
        if "digest" in m.get("text", "").lower() or m.get("text", "").startswith("Nothing needs you today")
    ]


def the_digest(bot, user: str = COORDINATOR) -> dict:
    (digest,) = digests(bot, user)
    return digest


def open_home(bot, user: str) -> dict:
    """`user` opens the app's Home tab; the view the bot published for them."""
    mark = bot.fake.mark()
    response = bot.slack.app_home_opened(user_id=user)
    assert response.status == 200
    (call,) = bot.fake.wait_for("views.publish", since=mark, where=lambda c: c.params.get("user_id") == user)
    assert call.ok, call.response
    return bot.fake.home_view(user)


def home_buttons(view: dict) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button on a Home tab, top to bottom."""
    return [
        (e["text"]["text"], e["action_id"], e.get("value", ""))
        for b in view["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
    ]


def home_click(bot, user: str, view: dict, label: str, *, nth: int = 0):
    """`user` clicks the `nth` button labelled `label` on their Home tab."""
    found = [(a, v) for text, a, v in home_buttons(view) if text == label]
    action_id, value = found[nth]
    return bot.slack.block_action(user_id=user, action_id=action_id, value=value, view=view)


def docx_text(content: bytes) -> str:
    """Everything a reader sees in a Word document: its paragraphs and its tables' cells, in order."""
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


__all__ = ["COORDINATOR", "digests", "docx_text", "home_buttons", "home_click", "open_home", "text_of", "the_digest"]
