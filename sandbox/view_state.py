"""The ``view.state.values`` of a modal submission, built as Slack builds it.

:func:`state_from_view` fills a view as opened with answers keyed by ``action_id`` (or ``block_id``);
:func:`state_from_form` does the same for answers keyed by ``block_id`` then ``action_id`` (what the
sandbox page sends); the small ``*_value`` functions build single entries for hand-written ``values``.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "state_from_form",
    "state_from_view",
    "state_values",
    "text_value",
    "date_value",
    "time_value",
    "user_value",
    "users_value",
    "option_value",
    "options_value",
    "selection_for",
    "stateful_elements",
    "make_option",
]


def text_value(value: str | None, *, type: str = "plain_text_input") -> dict:  # noqa: A002 - Slack's name
    """A text input's state: ``{"type": "plain_text_input", "value": value}`` (``None`` when left empty)."""
    return {"type": type, "value": value}


def date_value(value: _dt.date | str | None) -> dict:
    """A datepicker's state: ``selected_date`` as ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": value.isoformat() if isinstance(value, _dt.date) else value}


def time_value(value: _dt.time | str | None) -> dict:
    """A timepicker's state: ``selected_time`` as ``HH:MM``."""
    return {"type": "timepicker", "selected_time": value.strftime("%H:%M") if isinstance(value, _dt.time) else value}


def user_value(user_id: str | None) -> dict:
    """A users_select's state: ``selected_user``."""
    return {"type": "users_select", "selected_user": user_id}


def users_value(user_ids: Iterable[str]) -> dict:
    """A multi_users_select's state: ``selected_users``."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def option_value(value: str | None, text: str | None = None, *, type: str = "static_select") -> dict:  # noqa: A002 - Slack's name
    """A static_select (or ``radio_buttons``) state: ``selected_option`` ``{text, value}`` or ``None``."""
    chosen = None if value is None else make_option(value, text)
    return {"type": type, "selected_option": chosen}


def options_value(
    values: Iterable[str | tuple[str, str]],
    *,
    type: str = "checkboxes",  # noqa: A002 - Slack's field name
) -> dict:
    """A checkboxes (or ``multi_static_select``) state: ``selected_options``; items are values or
    ``(value, text)`` pairs."""
    options = [make_option(v[0], v[1]) if isinstance(v, tuple) else make_option(v, None) for v in values]
    return {"type": type, "selected_options": options}


def state_values(values: Mapping[str, Mapping[str, Any]]) -> dict:
    """``{block_id: {action_id: entry}}`` where an entry that is a ``str`` or ``None`` becomes a
    plain-text input (:func:`text_value`) and a dict is taken as it is."""
    return {
        block_id: {
            action_id: (copy.deepcopy(entry) if isinstance(entry, dict) else text_value(entry))
            for action_id, entry in actions.items()
        }
        for block_id, actions in values.items()
    }


_STATEFUL_SELECTS = {
    "static_select",
    "external_select",
    "radio_buttons",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "checkboxes",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "datepicker",
    "timepicker",
    "datetimepicker",
}
_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_text_input", "rich_text_input"}


def state_from_view(view: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> dict:
    """The ``state.values`` Slack would send when ``view`` is submitted with ``answers``.

    As Slack does, every input block (and every stateful element of an ``actions`` block or section
    accessory) appears, with ``None``/``[]`` for what was left empty. ``answers`` is keyed by
    ``action_id`` (or by ``block_id``); values are plain Python: ``str`` for text inputs and single
    selects (the option's ``value``), ``date``/``"YYYY-MM-DD"``, ``time``/``"HH:MM"``, a user id, lists for
    multi-selects and checkboxes. An option value that is not among the element's options, or an
    answer that matches no element, raises ``ValueError``/``KeyError``.
    """
    answers = dict(answers or {})
    used: set[str] = set()
    values: dict[str, dict] = {}
    found = stateful_elements(view)
    per_block = {block_id: sum(1 for b, _, _ in found if b == block_id) for block_id, _, _ in found}
    for block_id, action_id, element in found:
        if action_id in answers:
            key = action_id
        elif block_id in answers and per_block[block_id] == 1:
            key = block_id
        else:
            key = None
        answer = answers.get(key) if key is not None else _initial_of(element)
        if key is not None:
            used.add(key)
        values.setdefault(block_id, {})[action_id] = _state_entry(element, answer)
    unknown = set(answers) - used
    if unknown:
        known = sorted({a for actions in values.values() for a in actions} | set(values))
        raise KeyError(f"answers for {sorted(unknown)} match no element of the view; known ids: {known}")
    return values


def state_from_form(view: Mapping[str, Any], form: Mapping[str, Mapping[str, Any]]) -> dict:
    """The ``state.values`` for ``view`` from ``{block_id: {action_id: answer}}`` (plain answers as in
    :func:`state_from_view`); elements without an answer keep their initial value. Answers for ids the
    view does not have are ignored, as Slack ignores them."""
    values: dict[str, dict] = {}
    for block_id, action_id, element in stateful_elements(view):
        given = form.get(block_id) or {}
        answer = given[action_id] if action_id in given else _initial_of(element)
        values.setdefault(block_id, {})[action_id] = _state_entry(element, answer)
    return values


def stateful_elements(view: Mapping[str, Any]) -> list[tuple[str, str, dict]]:
    """``(block_id, action_id, element)`` for every element of ``view`` whose value Slack sends in the state."""
    found = []
    for index, block in enumerate(view.get("blocks") or []):
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id") or f"block{index}"
        elements: list[dict] = []
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            elements = [block["element"]]
        elif block.get("type") == "actions":
            elements = [e for e in block.get("elements") or [] if e.get("type") in _STATEFUL_SELECTS]
        elif (
            block.get("type") == "section"
            and isinstance(block.get("accessory"), dict)
            and block["accessory"].get("type") in _STATEFUL_SELECTS
        ):
            elements = [block["accessory"]]
        for position, element in enumerate(elements):
            found.append((block_id, element.get("action_id") or f"{block_id}-action{position}", element))
    return found


def _initial_of(element: Mapping[str, Any]) -> Any:
    kind = element.get("type")
    if kind in _TEXT_INPUTS:
        return element.get("initial_value")
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "timepicker":
        return element.get("initial_time")
    if kind == "datetimepicker":
        return element.get("initial_date_time")
    if kind == "users_select":
        return element.get("initial_user")
    if kind == "multi_users_select":
        return element.get("initial_users") or []
    if kind in ("conversations_select", "channels_select"):
        return element.get("initial_conversation") or element.get("initial_channel")
    if kind in ("static_select", "external_select", "radio_buttons"):
        initial = element.get("initial_option")
        return initial.get("value") if isinstance(initial, dict) else None
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return [o.get("value") for o in element.get("initial_options") or []]
    return None


def _options_of(element: Mapping[str, Any]) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _find_option(element: Mapping[str, Any], value: str) -> dict:
    options = _options_of(element)
    if not options:  # external_select: Slack echoes what the options endpoint offered
        return make_option(value, None)
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    raise ValueError(
        f"{value!r} is not an option of {element.get('action_id')!r}; options: {[o.get('value') for o in options]}"
    )


def _state_entry(element: Mapping[str, Any], answer: Any) -> dict:
    kind = element.get("type")
    if kind in _TEXT_INPUTS:
        if kind == "rich_text_input":
            return {"type": kind, "rich_text_value": answer}
        return {"type": kind, "value": None if answer is None else str(answer)}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer.isoformat() if isinstance(answer, _dt.date) else answer}
    if kind == "timepicker":
        return {"type": kind, "selected_time": answer.strftime("%H:%M") if isinstance(answer, _dt.time) else answer}
    if kind == "datetimepicker":
        if isinstance(answer, _dt.datetime):
            answer = int(answer.timestamp())
        return {"type": kind, "selected_date_time": answer}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(answer or [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": answer}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": list(answer or [])}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": answer}
    if kind == "multi_channels_select":
        return {"type": kind, "selected_channels": list(answer or [])}
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": None if answer is None else _find_option(element, answer)}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": [_find_option(element, v) for v in answer or []]}
    return {"type": kind, "value": answer}


def make_option(value: str, text: str | None) -> dict:
    return {"text": {"type": "plain_text", "text": text if text is not None else value, "emoji": True}, "value": value}


def selection_for(action_type: str, value: str) -> dict:
    """Slack's field for the chosen value of a non-button block action."""
    if action_type in ("static_select", "external_select", "radio_buttons", "overflow"):
        return {"selected_option": make_option(value, None) if value else None}
    if action_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"selected_options": [make_option(value, None)] if value else []}
    field_by_type = {
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
        "datepicker": "selected_date",
        "timepicker": "selected_time",
    }
    if action_type in field_by_type:
        return {field_by_type[action_type]: value or None}
    if action_type in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        plural = {"multi_users_select": "selected_users", "multi_conversations_select": "selected_conversations"}
        return {plural.get(action_type, "selected_channels"): [value] if value else []}
    if action_type == "datetimepicker":
        return {"selected_date_time": int(value) if value else None}
    return {"value": value}
