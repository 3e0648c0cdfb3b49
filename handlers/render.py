"""What a Slack notice renders to (`Rendered`), and the helpers every Block Kit builder shows text with.

The renderers themselves are registered by the wiring: `handlers.blocks.slack.slack_renderers()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RenderedFile:
    """A document to upload (files_upload_v2) instead of posting a message: `write` makes its bytes once the
    display names of `people` (Slack user ids it names) have been looked up, so no name is ever stored."""

    filename: str
    title: str
    write: Callable[[Mapping[str, str]], bytes]
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    """A Slack message: the notification text and its blocks (or, with `file`, a document and its comment)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    file: RenderedFile | None = None


def escape(text: str) -> str:
    """Escape user-entered text for mrkdwn, so nobody can write <!channel> and ping everyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Characters that change how text around them is shown without being seen: direction overrides and
#: isolates (text reads backwards, `exe.pdf` as `fdp.exe`) and zero-width characters. Removed from typed text.
_INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x061C, 0xFEFF]
)
#: mrkdwn's markup characters, as look-alikes that mark nothing up: typed text can't be bold, italic, struck or code.
_MARKUP = str.maketrans({"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"})


#: A web address someone typed (a link to where a document is kept): shown as a link, not neutralised.
_URL = re.compile(r"https?://[^\s<>|]+")


def plain(text: str | None) -> str:
    """Typed text made inert for mrkdwn: invisible characters removed, `& < >` escaped, `* _ ~ \u0060` neutralised.

    A web address becomes an explicit link (`<https://…>`), so an underscore in it still reaches the right page.
    """
    text = (text or "").translate(_INVISIBLE)
    out, start = [], 0
    for found in _URL.finditer(text):
        out.append(escape(text[start : found.start()]).translate(_MARKUP))
        out.append(f"<{escape(found.group(0))}>")
        start = found.end()
    out.append(escape(text[start:]).translate(_MARKUP))
    return "".join(out)


def quote(text: str | None) -> str:
    """Typed text as a quote block, every line inside it, so none of it can pass for the bot's own words.

    Put it at the start of a line.
    """
    return "\n".join(f"> {line}".rstrip() for line in plain(text).splitlines() or [""])


def inline(text: str | None, *, limit: int | None = None) -> str:
    """Short typed text (a label, a name) inside the bot's sentence: made inert and kept on one line."""
    words = " ".join((text or "").translate(_INVISIBLE).split())
    if limit is not None and len(words) > limit:  # cut before escaping, so no entity is cut in half
        words = words[: limit - 1] + "\u2026"
    return plain(words)


def echo(text: str | None, *, limit: int = 40) -> str:
    """What someone typed in a command, echoed back inside backticks that it cannot close."""
    return f"`{inline(text, limit=limit)}`"


def mention(user_id: str | None) -> str:
    """A user mention, or a dash when nobody holds the role."""
    return f"<@{user_id}>" if user_id else "—"


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section, cut to Slack's 3,000-character limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict[str, Any]:
    """A small grey context line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def header(text: str) -> dict[str, Any]:
    """A header block (plain text, at most 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def button(text: str, *, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    """A button; `style` is primary or danger."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75]},
        "action_id": str(action_id),
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    """An actions block holding buttons."""
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = str(block_id)
    return block
