"""Block Kit limits that are easy to break, checked as Slack checks them.

The answers read like Slack's ``response_metadata.messages``
(``[ERROR] no more than 50 items allowed [json-pointer:/blocks]``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["block_problems", "element_problems", "view_problems"]


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        value = obj.get("text")
        return value if isinstance(value, str) else ""
    return obj if isinstance(obj, str) else ""


def block_problems(blocks: Any, *, max_blocks: int, pointer: str) -> list[str]:
    """Check the Block Kit limits that are easy to break; messages read like Slack's."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{where}/block_id]")
            if block_id in block_ids:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{where}/block_id]")
            block_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"[ERROR] must provide text or fields [json-pointer:{where}]")
            if len(_text_of(block.get("text"))) > 3000:
                problems.append(f"[ERROR] must be less than 3001 characters [json-pointer:{where}/text/text]")
            fields = block.get("fields") or []
            if len(fields) > 10:
                problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{where}/fields]")
            for j, fld in enumerate(fields):
                if len(_text_of(fld)) > 2000:
                    problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/fields/{j}/text]")
            if isinstance(block.get("accessory"), dict):
                problems.extend(element_problems(block["accessory"], f"{where}/accessory"))
        elif kind == "header":
            if len(_text_of(block.get("text"))) > 150:
                problems.append(f"[ERROR] must be less than 151 characters [json-pointer:{where}/text/text]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements:
                problems.append(f"[ERROR] must contain at least 1 element [json-pointer:{where}/elements]")
            if len(elements) > 25:
                problems.append(f"[ERROR] no more than 25 items allowed [json-pointer:{where}/elements]")
            action_ids: set[str] = set()
            for j, element in enumerate(elements):
                problems.extend(element_problems(element, f"{where}/elements/{j}"))
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if action_id is not None:
                    if action_id in action_ids:
                        problems.append(
                            f"[ERROR] duplicate action_id {action_id!r} [json-pointer:{where}/elements/{j}/action_id]"
                        )
                    action_ids.add(action_id)
        elif kind == "context":
            if len(block.get("elements") or []) > 10:
                problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{where}/elements]")
        elif kind == "input":
            if len(_text_of(block.get("label"))) > 2000:
                problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/label/text]")
            if not isinstance(block.get("element"), dict):
                problems.append(f"[ERROR] missing required field: element [json-pointer:{where}]")
            else:
                problems.extend(element_problems(block["element"], f"{where}/element"))
    return problems


def element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"[ERROR] missing required field: type [json-pointer:{where}]"]
    problems = []
    if len(str(element.get("action_id") or "")) > 255:
        problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{where}/action_id]")
    if element["type"] == "button":
        if len(_text_of(element.get("text"))) > 75:
            problems.append(f"[ERROR] must be less than 76 characters [json-pointer:{where}/text/text]")
        if len(str(element.get("value") or "")) > 2000:
            problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/value]")
    selects = ("static_select", "multi_static_select", "radio_buttons", "checkboxes")
    if element["type"] in selects and len(element.get("options") or []) > 100:
        problems.append(f"[ERROR] no more than 100 items allowed [json-pointer:{where}/options]")
    return problems


def view_problems(view: dict) -> list[str]:
    problems = block_problems(view.get("blocks", []), max_blocks=100, pointer="/view/blocks")
    if view.get("type") == "modal":
        if not _text_of(view.get("title")):
            problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            if len(_text_of(view.get(key))) > 24:
                problems.append(f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            problems.append("[ERROR] must provide a submit property when input blocks are present [json-pointer:/view]")
    if len(str(view.get("private_metadata") or "")) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id") or "")) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    return problems
