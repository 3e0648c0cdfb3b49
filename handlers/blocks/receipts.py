"""Block Kit for plan copies and the CP9: the chair's forms, every message about them, and their status lines.

Messages are built from outbox payloads only. Role labels and the chair's note are user-entered: always
escaped. A message whose button has been used is rebuilt without it (the dispatcher updates it in place).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cp9 import NOTE_LIMIT, Cp9State
from bot.receipts import SENT_HOW, CopyState
from bot.services.cp9 import Cp9SentForm, Cp9StatusView
from bot.services.receipts import CopyView, PlanSentForm, PlanStatusView
from handlers.format import local_date, local_datetime
from handlers.ids import ReceiptIds
from handlers.render import actions, button, context, escape, inline, mention, quote, section

Blocks = list[dict[str, Any]]
COORDINATOR = "Co-ordinator, Children Services"
MAX_TICKS = 10  # Slack's limit on checkbox options


def _day(value: str | None) -> str:
    return local_date(date.fromisoformat(value)) if value else "not set"


def _when(value: str | None, timezone: str) -> str:
    return local_datetime(datetime.fromisoformat(value), timezone) if value else "not set"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:24]}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": str(block_id)},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _delegate_note(p: dict[str, Any], role: str) -> Blocks:
    notes = []
    if p.get("on_behalf_of"):
        notes.append(f"You have this as delegate for {mention(p['on_behalf_of'])} ({role}).")
    if p.get("delegate"):
        notes.append(f"Your delegate {mention(p['delegate'])} has this too: either of you can act on it.")
    return [context(" ".join(notes))] if notes else []


# --- plan copies: the chair's form ----------------------------------------------------------


def build_plan_sent_modal(form: PlanSentForm, *, channel: str) -> dict[str, Any]:
    """The chair marks the plan sent: Slack recipients are asked to confirm; people without Slack are ticked."""
    lines = [
        f"*{escape(form.reference)}* — core group meeting on {local_date(form.held_on)}. "
        f"Everyone must have the plan by *{local_date(form.due_on)}*."
    ]
    if form.slack_to_send:
        lines.append(
            "These people will be asked to confirm they have received it: "
            + ", ".join(mention(u) for u in form.slack_to_send)
            + "."
        )
    if form.slack_already:
        lines.append("Already asked: " + ", ".join(mention(u) for u in form.slack_already) + ".")
    blocks: Blocks = [section("\n".join(lines))]
    if form.labels:
        options = [
            _option(str(i), f"{label} ({'attended' if attended else 'invited, absent'})")
            for i, label, attended in form.labels[:MAX_TICKS]
        ]
        blocks += [
            _input(
                ReceiptIds.LABELS,
                "Sent to people without Slack",
                {"type": "checkboxes", "options": options},
                optional=True,
                hint="Tick only those you have sent it to; the rest can be ticked later.",
            ),
            _input(
                ReceiptIds.HOW,
                "How",
                {
                    "type": "static_select",
                    "placeholder": {"type": "plain_text", "text": "Choose"},
                    "options": [_option(k, v.capitalize()) for k, v in SENT_HOW.items()],
                },
                optional=True,
            ),
            _input(
                ReceiptIds.WHEN, "When", {"type": "datepicker", "initial_date": form.today.isoformat()}, optional=True
            ),
        ]
    return {
        "type": "modal",
        "callback_id": str(ReceiptIds.PLAN_SENT_MODAL),
        "private_metadata": json.dumps({"receipt_id": form.receipt_id, "channel": channel}),
        "title": _plain("Plan sent"),
        "submit": _plain("Plan sent"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


# --- plan copies: messages ------------------------------------------------------------------


def _who(copy: dict[str, Any] | CopyView) -> str:
    user_id = copy["user_id"] if isinstance(copy, dict) else copy.user_id
    label = copy["label"] if isinstance(copy, dict) else copy.label
    attended = copy["attended"] if isinstance(copy, dict) else copy.attended
    who = mention(user_id) if user_id else f"{inline(label or '?', limit=60)} (no Slack)"
    return f"{who}, {'attended' if attended else 'invited, absent'}"


def _copy_words(c: dict[str, Any], timezone: str) -> str:
    """A copy's state as the chair's messages show it (at the time the message is built)."""
    if c["status"] == "received":
        return f"received {_when(c['received_at'], timezone)}"
    if c["status"] == "sent":
        if c["user_id"]:
            return f"sent {_day(c['sent_on'])}, awaiting confirmation"
        return f"sent {SENT_HOW.get(c['sent_how'] or '', '')} on {_day(c['sent_on'])}".replace("  ", " ")
    return "not sent"


def build_plan_to_send_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The chair's message: who must have the plan by when, with Plan sent while anyone's copy is unsent."""
    ref, tz, occasion = escape(p["reference"]), p["timezone"], p.get("occasion", "recorded")
    due, held = _day(p["due_on"]), _day(p["held_on"])
    copies = p["copies"]
    overdue_ids = set(p.get("overdue") or ())
    if occasion == "overdue":
        title = "Overdue: copies of the plan"
        text = f"Copies of the plan for {p['reference']} are overdue (due {due})"
        intro = (
            f"The deadline for the plan from the meeting on {held} was *{due}*. Still owed — this is kept for "
            "the coordinator's digest:"
        )
        shown = [c for c in copies if c["id"] in overdue_ids]
    elif occasion == "reminder":
        unsent = sum(1 for c in copies if c["status"] == "pending")
        title = "Reminder: the plan is not marked sent"
        text = f"Plan for {p['reference']}: not marked sent yet, due by {due}"
        intro = (
            f"Everyone must have the plan from the meeting on {held} by *{due}*; {unsent} of {len(copies)} "
            "copies are not marked sent."
        )
        shown = copies
    else:
        title = "Send the plan"
        text = f"Send the plan for {p['reference']} by {due}"
        intro = (
            f"Everyone who attended the core group meeting on {held}, and everyone invited but unable to "
            f"attend, must have a copy of the child protection plan by *{due}* "
            f"({p.get('working_days', 5)} working days)."
        )
        shown = copies
    lines = [f"*{title}* — {ref}", intro, *(f"• {_who(c)} — {_copy_words(c, tz)}" for c in shown[:40])]
    blocks: Blocks = [section("\n".join(lines))]
    if p.get("all_sent"):
        blocks.append(context("Marked sent to everyone. `/core-group status` shows who has confirmed."))
    else:
        blocks.append(
            context(
                "When you have sent it, click *Plan sent*: everyone with Slack is asked to confirm "
                "they have received it; tick the people without Slack in the form (how and when)."
            )
        )
        blocks.append(
            actions(
                button("Plan sent", action_id=ReceiptIds.PLAN_SENT, value=str(p["receipt_id"]), style="primary"),
                block_id=ReceiptIds.BUTTONS,
            )
        )
    blocks += _delegate_note(p, "chair")
    return text, blocks


def build_plan_copy_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """A recipient's message: the plan is on its way, with I have received the plan until they confirm."""
    ref, occasion = escape(p["reference"]), p.get("occasion", "sent")
    due, held = _day(p["due_on"]), _day(p["held_on"])
    title = {
        "reminder": "Reminder: please confirm you have the plan",
        "deadline": "Today is the deadline: please confirm you have the plan",
    }.get(occasion, "Child protection plan")
    text = {
        "reminder": f"Plan for {p['reference']}: please confirm you have it",
        "deadline": f"Plan for {p['reference']}: please confirm you have it, today is the deadline",
    }.get(occasion, f"Plan for {p['reference']}: please confirm when you have it")
    lines = [
        f"*{title}* — {ref}",
        f"The chair ({mention(p.get('chair'))}) has sent you a copy of the child protection plan from the core group "
        f"meeting on {held}. Everyone at the meeting or invited to it should have it by *{due}*.",
    ]
    blocks: Blocks = [section("\n".join(lines))]
    if p.get("confirmed_at"):
        blocks.append(
            section(
                f":white_check_mark: You confirmed you received the plan on {_when(p['confirmed_at'], p['timezone'])}."
            )
        )
        return f"{text}: confirmed", blocks
    blocks.append(context("When it has reached you, let the chair know. If it has not, ask the chair."))
    blocks.append(
        actions(
            button("I have received the plan", action_id=ReceiptIds.CONFIRM, value=str(p["copy_id"]), style="primary"),
            block_id=ReceiptIds.BUTTONS,
        )
    )
    return text, blocks


# --- the CP9 --------------------------------------------------------------------------------


def _deadline_words(p: dict[str, Any]) -> str:
    """'by *Fri 6 Aug 2027* (7 days)', or both dates when the 7th day is not a working day."""
    if p["nominal_due_on"] != p["due_on"]:
        return (
            f"by *{_day(p['due_on'])}* — day {p['days']} after the meeting is {_day(p['nominal_due_on'])}, "
            "not a working day"
        )
    return f"by *{_day(p['due_on'])}* ({p['days']} days after the meeting)"


def _cp9_state_line(p: dict[str, Any]) -> str | None:
    form, tz = escape(p["form_name"]), p["timezone"]
    if p["status"] == "received":
        return (
            f":white_check_mark: Marked received by {mention(p.get('received_by'))} on {_when(p['received_at'], tz)}."
        )
    if p["status"] == "sent":
        line = f"Sent by {mention(p.get('sent_by'))} on {_day(p['sent_on'])}."
        if p.get("sent_note"):
            line += f"\n*Where to find it:*\n{quote(p['sent_note'])}"
        return line
    return None if p.get("occasion") != "overdue" else f"The {form} has not been marked sent."


def build_cp9_due_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The coordinator's message: the CP9 is due by when, with Mark CP9 received until it is."""
    form, ref = escape(p["form_name"]), escape(p["reference"])
    text = f"{p['form_name']} due for {p['reference']} by {_day(p['due_on'])}"
    lines = [
        f"*{form} due* — {ref}",
        f"The {form} for the core group meeting on {_day(p['held_on'])} is due with you {_deadline_words(p)}.",
        f"*Chair:* {mention(p.get('chair'))}",
    ]
    if p.get("occasion") == "overdue":  # the ledger's chase: marked sent, not yet marked received after the deadline
        text = f"{p['form_name']} for {p['reference']}: not marked received (due {_day(p['due_on'])})"
        lines[0] = f"*Reminder: mark the {form} received* — {ref}"
    state = _cp9_state_line(p)
    blocks: Blocks = [section("\n".join(lines))]
    if state:
        blocks.append(section(state))
    if p["status"] != "received":
        blocks.append(
            actions(
                button(
                    f"Mark {p['form_name']} received",
                    action_id=ReceiptIds.CP9_RECEIVED,
                    value=str(p["cp9_id"]),
                    style="primary",
                ),
                block_id=ReceiptIds.BUTTONS,
            )
        )
    blocks += _delegate_note(p, COORDINATOR)
    return text, blocks


def build_cp9_to_send_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The chair's message: send the CP9 to the coordinator by when, with Mark CP9 sent until it is."""
    form, ref, occasion = escape(p["form_name"]), escape(p["reference"]), p.get("occasion", "recorded")
    due = _day(p["due_on"])
    title, text = {
        "reminder": (
            f"Reminder: the {form} is due",
            f"{p['form_name']} for {p['reference']}: due by {due}, not sent yet",
        ),
        "deadline": (
            f"Today is the deadline for the {form}",
            f"{p['form_name']} for {p['reference']}: due today, not sent yet",
        ),
        "overdue": (f"Overdue: the {form}", f"{p['form_name']} for {p['reference']}: overdue (due {due})"),
    }.get(occasion, (f"Send the {form}", f"Send the {p['form_name']} for {p['reference']} by {due}"))
    lines = [
        f"*{title}* — {ref}",
        f"Send the {form} for the core group meeting on {_day(p['held_on'])} to the {COORDINATOR} "
        f"({mention(p.get('coordinator'))}) {_deadline_words(p)}.",
    ]
    if occasion == "overdue":
        lines.append("It is overdue: the coordinator's digest lists it until it is marked sent.")
    blocks: Blocks = [section("\n".join(lines))]
    state = _cp9_state_line(p)
    if state:
        blocks.append(section(state))
    if p["status"] == "pending":
        blocks.append(
            context(
                f"When it has gone, click *Mark {form} sent*. You can add a link to where it is kept — "
                "don't upload the form to Slack."
            )
        )
        blocks.append(
            actions(
                button(
                    f"Mark {p['form_name']} sent",
                    action_id=ReceiptIds.CP9_SENT,
                    value=str(p["cp9_id"]),
                    style="primary",
                ),
                block_id=ReceiptIds.BUTTONS,
            )
        )
    blocks += _delegate_note(p, "chair")
    return text, blocks


def build_cp9_sent_modal(form: Cp9SentForm, *, channel: str) -> dict[str, Any]:
    """The chair marks the CP9 sent: the day it went, and optionally where the coordinator finds it."""
    name = escape(form.form_name)
    return {
        "type": "modal",
        "callback_id": str(ReceiptIds.CP9_SENT_MODAL),
        "private_metadata": json.dumps({"cp9_id": form.cp9_id, "channel": channel}),
        "title": _plain(f"{form.form_name} sent"),
        "submit": _plain("Mark sent"),
        "close": _plain("Cancel"),
        "blocks": [
            section(
                f"*{escape(form.reference)}* — the {name} for the core group meeting on {local_date(form.held_on)}, "
                f"due with the {COORDINATOR} ({mention(form.coordinator)}) by *{local_date(form.due_on)}*."
            ),
            _input(ReceiptIds.CP9_WHEN, "Sent on", {"type": "datepicker", "initial_date": form.today.isoformat()}),
            _input(
                ReceiptIds.CP9_NOTE,
                "Where the coordinator can find it",
                {"type": "plain_text_input", "max_length": NOTE_LIMIT},
                optional=True,
                hint="A link to the document in the case record, or a note such as “secure email”. "
                "Don't upload the form to Slack or write names.",
            ),
        ],
    }


# --- status ---------------------------------------------------------------------------------


def _received_on(at: datetime | None, timezone: str) -> str:
    """The local day a copy or CP9 was received (one marked received always has the time)."""
    if at is None:
        raise ValueError("marked received with no time")
    return local_date(at.astimezone(ZoneInfo(timezone)).date())


def _status_words(c: CopyView, view: PlanStatusView) -> str:
    tz = view.timezone
    sent = f"sent {SENT_HOW.get(c.sent_how or '', '')} on {local_date(c.sent_on)}".replace("  ", " ")
    if c.state == CopyState.RECEIVED:
        return f"received {_received_on(c.received_at, tz)}"
    if c.state == CopyState.SENT:
        return sent
    if c.state == CopyState.AWAITING:
        return f"sent {local_date(c.sent_on)}, awaiting confirmation"
    if c.state == CopyState.OVERDUE:
        what = f"sent {local_date(c.sent_on)}, not confirmed" if c.sent_on else "not sent"
        return f"*overdue* — {what}; due {local_date(view.due_on)}, {c.days_overdue} day{'s' if c.days_overdue != 1 else ''} late"
    return f"not sent (due by {local_date(view.due_on)})"


def build_plan_status_section(view: PlanStatusView) -> Blocks:
    """Status: each recipient of the latest meeting's plan, with what became of their copy."""
    lines = [f"*Plan copies* — meeting on {local_date(view.held_on)}, due by {local_date(view.due_on)}"]
    lines += [f"• {_who(c)} — {_status_words(c, view)}" for c in view.copies[:40]]
    return [section("\n".join(lines))]


def build_cp9_status_section(view: Cp9StatusView) -> Blocks:
    """Status: the latest meeting's CP9, with both deadlines when they differ."""
    form = escape(view.form_name)
    due = f"due by {local_date(view.due_on)}"
    if view.nominal_due_on != view.due_on:
        due += f" (day {(view.nominal_due_on - view.held_on).days}, {local_date(view.nominal_due_on)}, is not a working day)"
    words = {
        Cp9State.RECEIVED: lambda: f"received {_received_on(view.received_at, view.timezone)}",
        Cp9State.SENT: lambda: f"sent {local_date(view.sent_on)} by {mention(view.sent_by)}, awaiting receipt",
        Cp9State.NOT_SENT: lambda: "not sent",
        Cp9State.OVERDUE: lambda: (
            f"*overdue* — not sent, {view.days_overdue} day{'s' if view.days_overdue != 1 else ''} late"
        ),
    }[view.state]()
    return [section(f"*{form}* — meeting on {local_date(view.held_on)}, {due}: {words}")]
