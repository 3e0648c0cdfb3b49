"""Outbox notice -> Block Kit: one renderer per notice kind, registered by the feature modules."""

from __future__ import annotations

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


Renderer = Callable[[dict[str, Any]], Rendered]
_RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders notices of `kind` (a decorator)."""

    def register(fn: Renderer) -> Renderer:
        _RENDERERS[str(kind)] = fn
        return fn

    return register


def render(kind: str, payload: dict[str, Any]) -> Rendered:
    """Render one notice; an unknown kind is a programming error, not a user's."""
    try:
        fn = _RENDERERS[str(kind)]
    except KeyError:
        raise LookupError(f"no Slack renderer for notice kind {kind!r}") from None
    return fn(payload)


def escape(text: str) -> str:
    """Escape user-entered text for mrkdwn, so nobody can write <!channel> and ping everyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
