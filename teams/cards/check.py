"""Structural checks of a Teams card, for tests: what Teams would reject or misroute, and Slack markup that leaked.

The Teams SDK's card models accept unknown element types, so they cannot catch typos; this walks the JSON itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from teams.cards.elements import REFRESH_USERS

ELEMENTS = {"TextBlock", "Container", "Input.Text", "Input.ChoiceSet", "Input.Date", "Input.Time", "Input.Toggle"}
ACTIONS = {"Action.Execute", "Action.Submit", "Action.ShowCard"}
#: Every `type` a card may hold: its elements and actions, a mention entity, a dialog button's `msteams` data.
KNOWN = ELEMENTS | ACTIONS | {"AdaptiveCard", "mention", "task/fetch"}
#: Slack's markup that means nothing (or something else) on a Teams card.
_SLACK = [
    (re.compile(r"<[@#!][^>]*>"), "a Slack mention or channel link"),
    (re.compile(r"(?<![\w/]):[a-z_]+:(?![\w/])"), "a Slack emoji code"),
    (re.compile(r"`"), "a backtick (Slack code)"),
    (re.compile(r"~"), "a tilde (Slack strike-through)"),
]
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_MENTION = re.compile(r"<at>.*?</at>")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _version(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split("."))


def problems(card: dict[str, Any]) -> list[str]:
    """Everything wrong with `card`, in words; an empty list for a good card."""
    found: list[str] = []
    if card.get("type") != "AdaptiveCard" or "version" not in card:
        found.append("not an AdaptiveCard with a version")
    ids: list[str] = []
    texts: list[str] = []
    for node in _walk(card):
        kind = node.get("type")
        if kind == "AdaptiveCard" and "version" in node and _version(node["version"]) > (1, 5):
            found.append(f"version {node['version']} is above Teams' 1.5")
        if isinstance(kind, str) and kind.startswith("Input."):
            if not node.get("id"):
                found.append(f"{kind} without an id")
            ids.append(node.get("id", ""))
            if node.get("isRequired") and not node.get("errorMessage"):
                found.append(f"required {kind} {node.get('id')} has no error message")
        if isinstance(kind, str) and kind not in KNOWN:
            found.append(f"unknown type {kind}")
        if kind == "Action.Execute":
            found += _execute_problems(node)
        if kind == "Action.Submit":
            found += _submit_problems(node)
        if kind == "TextBlock":
            texts.append(node.get("text", ""))
    if len(ids) != len(set(ids)):
        found.append(f"input ids repeat: {sorted(ids)}")
    refresh = card.get("refresh")
    if refresh is not None:
        if len(refresh.get("userIds", [])) > REFRESH_USERS:
            found.append(f"refresh lists {len(refresh['userIds'])} users; Teams takes at most {REFRESH_USERS}")
        found += _execute_problems(refresh.get("action") or {})
    found += _text_problems(texts)
    found += _mention_problems(card, texts)
    return found


def _execute_problems(action: dict[str, Any]) -> list[str]:
    data = action.get("data") or {}
    found = []
    if not action.get("verb") or action.get("verb") != data.get("action"):
        found.append(f"Action.Execute verb {action.get('verb')!r} != data.action {data.get('action')!r}")
    found += [
        f"button data {key!r} is not an opaque id" for key, v in data.items() if key != "action" and type(v) is not int
    ]
    return found


def _submit_problems(action: dict[str, Any]) -> list[str]:
    data = action.get("data") or {}
    found = []
    if "msteams" in data:
        if data["msteams"] != {"type": "task/fetch"} or not data.get("dialog_id"):
            found.append(f"dialog button {action.get('title')!r} has no task/fetch dialog_id")
    elif not data.get("action"):
        found.append(f"submit button {action.get('title')!r} has no data.action")
    plain = {"msteams", "dialog_id", "action"}
    found += [
        f"button data {key!r} is not an opaque id" for key, v in data.items() if key not in plain and type(v) is not int
    ]
    return found


def _text_problems(texts: list[str]) -> list[str]:
    found = []
    for shown in texts:
        words = _MENTION.sub("", _LINK_TARGET.sub("]", shown))
        for pattern, what in _SLACK:
            if pattern.search(words):
                found.append(f"{what} in {shown[:80]!r}")
        if "*" in words.replace("**", ""):
            found.append(f"a single * (Slack bold) in {shown[:80]!r}")
        if "_" in words:
            found.append(f"an underscore (markdown italic) in {shown[:80]!r}")
    return found


def _mention_problems(card: dict[str, Any], texts: list[str]) -> list[str]:
    entities = (card.get("msteams") or {}).get("entities") or []
    named = {e["text"] for e in entities}
    shown = {m for t in texts for m in _MENTION.findall(t)}
    found = [f"mention {m} has no entity" for m in sorted(shown - named)]
    found += [f"entity {m} is not in the card's text" for m in sorted(named - shown)]
    if len(named) != len(entities):
        found.append("two entities share a text")
    return found
