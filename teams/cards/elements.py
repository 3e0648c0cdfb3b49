"""The Adaptive Card pieces every Teams card is made of: the card, text, buttons, dialogs' inputs, refresh.

Buttons carry opaque ids only (`**ids: int`): a record's id, never a name or typed text. An `Action.Execute`
sets both `verb` (the Universal Action model routes on it) and `data.action` (the Teams SDK routes on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.text import People

Element = dict[str, Any]
VERSION = "1.5"  # Teams renders Adaptive Cards up to 1.5
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
#: Teams refreshes a card automatically for at most 60 listed users.
REFRESH_USERS = 60


def card(
    body: Sequence[Element],
    *,
    summary: str,
    actions: Sequence[Element] = (),
    people: People | None = None,
    refresh: Element | None = None,
) -> Element:
    """A whole card: `summary` is its plain fallback text (the notification line; never typed text)."""
    shown: Element = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "fallbackText": summary,
        "body": list(body),
    }
    if actions:
        shown["actions"] = list(actions)
    if refresh is not None:
        shown["refresh"] = refresh
    msteams: Element = {"width": "Full"}
    if people is not None and people.entities:
        msteams["entities"] = people.entities
    shown["msteams"] = msteams
    return shown


def heading(text: str) -> Element:
    """The card's title line."""
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def text(words: str, *, subtle: bool = False, spacing: str | None = None) -> Element:
    """A paragraph of the bot's own words (markdown allowed: typed text inside must come through `text.plain`)."""
    block: Element = {"type": "TextBlock", "text": words, "wrap": True}
    if subtle:
        block["isSubtle"] = True
        block["size"] = "Small"
    if spacing:
        block["spacing"] = spacing
    return block


def lines(*rows: str) -> list[Element]:
    """Several lines, one TextBlock each (a single newline is not a line break on every Teams client)."""
    return [text(row, spacing="None" if n else None) for n, row in enumerate(rows)]


def label(name: str, value: str) -> Element:
    """'**When:** Mon 24 May 2027, 10:00' as one line."""
    return text(f"**{name}:** {value}", spacing="None")


def labelled(name: str, block: Element) -> list[Element]:
    """A label above a block (typed text in its shaded container)."""
    return [text(f"**{name}:**", spacing="Small"), block]


def execute(title: str, verb: Verb, *, style: str | None = None, inputs: str = "none", **ids: int) -> Element:
    """A button that sends an `adaptiveCard/action` invoke: `verb` == `data.action`, plus the record's ids."""
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": str(verb),
        "data": {"action": str(verb), **ids},
        "associatedInputs": inputs,
    }
    if style:
        action["style"] = style
    return action


def open_dialog(title: str, dialog: Dialog, *, style: str | None = None, **ids: int) -> Element:
    """A button that opens a dialog (`task/fetch` with `dialog_id`, as the Teams SDK's OpenDialogData sends it)."""
    action: Element = {
        "type": "Action.Submit",
        "title": title,
        "data": {"msteams": {"type": "task/fetch"}, "dialog_id": str(dialog), **ids},
        "associatedInputs": "none",
    }
    if style:
        action["style"] = style
    return action


def submit(title: str, action: Submit, *, style: str = "positive", **ids: int) -> Element:
    """A dialog's submit button (`task/submit`, routed on `data.action`); the dialog's inputs come with it."""
    return {"type": "Action.Submit", "title": title, "style": style, "data": {"action": str(action), **ids}}


def show_card(title: str, body: Sequence[Element], actions: Sequence[Element], *, style: str | None = None) -> Element:
    """A button that unfolds a small card under it (the reason to give before Refuse)."""
    action: Element = {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": list(body), "actions": list(actions)},
    }
    if style:
        action["style"] = style
    return action


def refresh(verb: Verb, user_ids: Iterable[str], **ids: int) -> Element:
    """Who sees the live card: Teams asks again (`trigger: automatic`) for each listed user, at most 60."""
    users = list(dict.fromkeys(u for u in user_ids if u))[:REFRESH_USERS]
    return {
        "action": {"type": "Action.Execute", "verb": str(verb), "data": {"action": str(verb), **ids}},
        "userIds": users,
    }


# --- inputs (dialogs, and the reason under Refuse) --------------------------------------------------------


def text_input(
    field: Field,
    name: str,
    *,
    required: str | None = None,
    multiline: bool = False,
    max_length: int = 500,
    value: str = "",
    placeholder: str | None = None,
) -> Element:
    """A text box; `required` is the message shown when it is left empty (checked again on the server)."""
    element: Element = {
        "type": "Input.Text",
        "id": str(field),
        "label": name,
        "isMultiline": multiline,
        "maxLength": max_length,
    }
    if value:
        element["value"] = value[:max_length]
    if placeholder:
        element["placeholder"] = placeholder
    return _required(element, required)


def choices(
    field: Field,
    name: str,
    options: Iterable[tuple[str, str]],
    *,
    required: str | None = None,
    value: str | None = None,
    multiple: bool = False,
    expanded: bool = True,
) -> Element:
    """Radio buttons (or ticks, with `multiple`); option titles are shown as plain text."""
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": str(field),
        "label": name,
        "style": "expanded" if expanded else "compact",
        "isMultiSelect": multiple,
        "choices": [{"title": title, "value": key} for key, title in options],
    }
    if value is not None:
        element["value"] = value
    return _required(element, required)


def date_input(field: Field, name: str, *, value: str | None = None, required: str | None = None) -> Element:
    """A date picker (`value` as YYYY-MM-DD)."""
    element: Element = {"type": "Input.Date", "id": str(field), "label": name}
    if value:
        element["value"] = value
    return _required(element, required)


def time_input(field: Field, name: str, *, value: str | None = None, required: str | None = None) -> Element:
    """A time picker (`value` as HH:MM)."""
    element: Element = {"type": "Input.Time", "id": str(field), "label": name}
    if value:
        element["value"] = value
    return _required(element, required)


def toggle(field: Field, title: str, *, name: str | None = None) -> Element:
    """A tick box, sent as "true" or "false"."""
    element: Element = {
        "type": "Input.Toggle",
        "id": str(field),
        "title": title,
        "valueOn": "true",
        "valueOff": "false",
    }
    if name:
        element["label"] = name
    return element


def _required(element: Element, message: str | None) -> Element:
    if message:
        element["isRequired"] = True
        element["errorMessage"] = message
    return element
