"""Block Kit for actions: one line per action (status and `/core-group actions`), the reminder DM with Mark done
(and as it reads once settled), the case's list with its buttons, and the close modal."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.services.actions import REASON_LIMIT, ActionItem, CaseActions
from handlers.format import local_date, local_datetime
from handlers.ids import ActionIds
from handlers.render import actions, button, context, header, inline, mention, quote, section
from store.models import MeetingAction

#: At most this many actions in the list (two blocks each, within Slack's 50).
LISTED = 20


def action_state(
    *,
    state: str,
    done_at: datetime | None,
    done_by: str | None,
    closed_reason: str | None,
    timezone: str,
    on_behalf_of: str | None = None,
) -> str:
    """'*overdue*', 'done Thu 3 Jun 2027, 10:00 by @x', 'closed … (no longer needed: reason)', or '' when open."""
    if state == "overdue":
        return "*overdue*"
    if state not in ("done", "closed"):
        return ""
    by = f" by {mention(done_by)}" + (f" for {mention(on_behalf_of)}" if on_behalf_of else "")
    when = local_datetime(done_at, timezone)
    if state == "done":
        return f"done {when}{by}"
    return f"closed {when}{by} (no longer needed: {inline(closed_reason or '—')})"


def action_line(item: ActionItem, timezone: str) -> str:
    """'• Refer to CAMHS — @owner — due Fri 4 Jun 2027 — done Thu 3 Jun 2027, 10:00 by @x'."""
    owner = mention(item.owner_user_id) if item.owner_user_id else inline(item.owner_label or "—")
    state = action_state(
        state=item.state,
        done_at=item.done_at,
        done_by=item.done_by,
        closed_reason=item.closed_reason,
        timezone=timezone,
    )
    return f"• {inline(item.description)} — {owner} — due {local_date(item.due_on)}" + (f" — {state}" if state else "")


def build_action_due_message(payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The owner (or the chair, for someone without Slack) is reminded, with Mark done; once settled, what became
    of it."""
    due = local_date(date.fromisoformat(payload["due_on"]))
    whose = (
        ""
        if payload.get("owner_user_id")
        else f" (owned by {inline(payload.get('owner_label') or '—')}, who has no Slack)"
    )
    said = f"Action overdue: it was due {due}" if payload.get("stage") == "overdue" else f"Action due {due}"
    text = f"{said} for {payload['reference']}{whose}"
    lines = [f"*{said}* — {payload['reference']}{whose}", quote(payload["description"])]
    blocks = [
        section("\n".join(lines)),
        context(f"Added at a core group meeting. Case channel: <#{payload['channel']}>"),
    ]
    status = payload.get("status") or "open"
    if status in ("done", "closed"):
        done_at = datetime.fromisoformat(payload["done_at"]) if payload.get("done_at") else None
        said = action_state(
            state=status,
            done_at=done_at,
            done_by=payload.get("done_by"),
            closed_reason=payload.get("closed_reason"),
            timezone=payload.get("timezone") or "Europe/London",
            on_behalf_of=payload.get("done_on_behalf_of"),
        )
        blocks.append(section(f":white_check_mark: {said[0].upper()}{said[1:]}."))
    elif payload.get("action_id"):
        blocks.append(
            actions(button("Mark done", action_id=ActionIds.DONE, value=str(payload["action_id"]), style="primary"))
        )
    if payload.get("on_behalf_of"):
        blocks.append(context(f"You are standing in for {mention(payload['on_behalf_of'])}."))
    return text, blocks


def build_actions_message(view: CaseActions) -> tuple[str, list[dict[str, Any]]]:
    """The case's actions, each with the buttons the asker may use (shown only to them)."""
    text = f"Actions of {view.reference}"
    if not view.actions:
        return text, [
            header(f"Actions — {view.reference}"),
            section("No actions yet: they are added when a meeting is recorded (`/core-group record`)."),
        ]
    still = sum(1 for a in view.actions if a.is_open)
    blocks = [
        header(f"Actions — {view.reference}"),
        context(f"{still} open of {len(view.actions)}. Only you can see this list."),
    ]
    for n, item in enumerate(view.actions[:LISTED], start=1):
        blocks.append(section(action_line(item, view.timezone)))
        shown = []
        if item.can_mark_done:
            shown.append(button("Mark done", action_id=ActionIds.DONE, value=str(item.action_id), style="primary"))
        if item.can_close:
            shown.append(button("Close (no longer needed)", action_id=ActionIds.CLOSE, value=str(item.action_id)))
        if shown:
            blocks.append(actions(*shown, block_id=f"action.buttons.{n}"))
    if len(view.actions) > LISTED:
        blocks.append(context(f"…and {len(view.actions) - LISTED} more: `/core-group report` has them all."))
    return text, blocks


def build_close_action_modal(item: MeetingAction, *, channel: str) -> dict[str, Any]:
    """Close an action as no longer needed: the reason is required and kept in the report."""
    return {
        "type": "modal",
        "callback_id": str(ActionIds.CLOSE_MODAL),
        "title": {"type": "plain_text", "text": "Close the action"},
        "submit": {"type": "plain_text", "text": "Close it"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"action_id": item.id, "channel": channel}),
        "blocks": [
            section(
                f"{quote(item.description)}\nDue {local_date(item.due_on)}. Closing it stops its reminder; "
                "the review conference report shows it closed, with your reason."
            ),
            {
                "type": "input",
                "block_id": str(ActionIds.REASON),
                "label": {"type": "plain_text", "text": "Why is it no longer needed?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": str(ActionIds.REASON),
                    "multiline": True,
                    "max_length": REASON_LIMIT,
                },
                "hint": {
                    "type": "plain_text",
                    "text": "No names of the child or family: the case reference is enough.",
                },
            },
        ],
    }
