"""`status` in Teams: the same answer as Slack's `/core-group status` for the channel's case, as a card only the asker
sees. The sections are Slack's own (handlers' STATUS_SECTIONS: meetings, plan copies and the CP9, what is owed),
their mrkdwn turned into Teams markdown, so the two surfaces cannot drift apart.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.errors import CoreGroupError
from bot.services.cases import case_status
from handlers.meeting_records import meeting_status_section
from handlers.obligations import owed_status_section
from handlers.receipts import receipts_status_section
from teams.cards.elements import Element, card, text
from teams.cards.status import build_status_card, explain
from teams.cards.text import People
from teams.features.receipts import BadClickError, person_of

Section = Callable[..., list[dict[str, Any]]]
#: The order Slack shows them in (handlers/__init__.py registers meeting records, receipts, then obligations).
SECTIONS: tuple[Section, ...] = (meeting_status_section, receipts_status_section, owed_status_section)

_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^>|]+)\|([^>]+)>")
_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")
_ITALIC = re.compile(r"(?<![_\w])_([^_\n]+)_(?![_\w])")


def teams_markdown(mrkdwn: str, people: People) -> str:
    """Slack mrkdwn as Teams markdown: bold, italics, links, and people as Teams mentions."""
    shown = _MENTION.sub(lambda m: people(m.group(1), "a member"), mrkdwn)
    shown = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", shown)
    shown = _BOLD.sub(lambda m: f"**{m.group(1)}**", shown)
    shown = _ITALIC.sub(lambda m: f"_{m.group(1)}_", shown)
    # Slack's words for people the bot cannot reach: in a Teams organisation it is Teams they lack.
    shown = shown.replace("without Slack", "without Teams").replace("`", "")
    return html.unescape(shown)


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The words of Slack section and context blocks, in order."""
    words: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            words.append(str(block["text"].get("text") or ""))
        for field in block.get("fields") or []:
            words.append(str(field.get("text") or ""))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                words.append(str(element.get("text") or ""))
    return [w for w in words if w]


def case_channel_of(ctx: Any) -> str | None:
    """The Teams channel the command was typed in (None in a 1:1 or group chat)."""
    data = getattr(ctx.activity, "channel_data", None)
    channel = getattr(data, "channel", None)
    return getattr(channel, "id", None) or None


def status_card(services: Services, *, channel: str, user: str, now: datetime) -> Element:
    """The status card of the case in `channel`, for `user` (CoreGroupError if they may not see it)."""
    people = People()
    extra: list[Element] = []
    with services.uow_factory() as uow:
        view = case_status(channel, user, uow=uow, now=now)
        # Named by role where the sections mention them, as the card's own lines do.
        people(view.chair, "the chair")
        people(view.team_leader, "the team leader")
        for section in SECTIONS:
            for words in block_texts(section(channel=channel, user=user, uow=uow, now=now)):
                # Each Slack line is its own TextBlock: a single newline is not a line break on every Teams client.
                extra += [text(teams_markdown(line, people), spacing="Small") for line in words.split("\n") if line]
    shown = build_status_card(view=view, extra=extra, names=None)
    entities = {e["text"]: e for e in [*shown["msteams"].get("entities", []), *people.entities]}
    if entities:
        shown["msteams"]["entities"] = list(entities.values())
    return shown


def status_answer(services: Services, ctx: Any) -> Element | str:
    """The card (or the reason there is none) to answer `status` with."""
    channel = case_channel_of(ctx)
    if channel is None:
        return "Type **status** by mentioning me in the case's channel: each channel is one case."
    try:
        return status_card(services, channel=channel, user=person_of(ctx), now=services.clock.now())
    except (CoreGroupError, BadClickError) as error:
        return card([text(f"\u26a0\ufe0f {explain(error)}")], summary=explain(error))
