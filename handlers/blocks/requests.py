"""Block Kit for requests for an additional meeting: the modals and every message about a request.

Messages are built from outbox payloads only. The request's details are the requester's own words:
always escaped, shown as a quote, never in the notification text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.authority import COVERS_IN_WORDS, Scope
from handlers.format import local_datetime
from handlers.ids import RequestIds
from handlers.render import actions, button, context, escape, mention, quote, section

CONCERNS = {"new": "New concerns", "deepening": "Deepening concerns", "other": "Something else"}
URGENCIES = {"routine": "Routine", "urgent": "Urgent"}
NO_NAMES = "Don't write names, addresses or dates of birth: use roles (e.g. “Mother”) and the case reference."
Blocks = list[dict[str, Any]]


# --- modals ----------------------------------------------------------------------------------


def build_request_modal(*, reference: str, channel: str, details: str = "") -> dict[str, Any]:
    """The form a member fills in to ask for an additional meeting."""
    details_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": RequestIds.DETAILS,
        "multiline": True,
        "max_length": 2000,
    }
    if details.strip():
        details_element["initial_value"] = details.strip()[:2000]
    return {
        "type": "modal",
        "callback_id": RequestIds.NEW_MODAL,
        "private_metadata": json.dumps({"channel": channel}),
        "title": _plain("Additional meeting"),
        "submit": _plain("Send request"),
        "close": _plain("Cancel"),
        "blocks": [
            section(f"Ask the team leader for an additional core group meeting for *{escape(reference)}*."),
            _input(RequestIds.CONCERN, "What is the concern?", _radio(RequestIds.CONCERN, CONCERNS)),
            _input(RequestIds.DETAILS, "What has changed?", details_element, hint=NO_NAMES),
            _input(RequestIds.URGENCY, "How urgent is it?", _radio(RequestIds.URGENCY, URGENCIES, initial="routine")),
        ],
    }


def build_schedule_modal(
    *, convene: bool, reference: str, requested_by: str, metadata: dict[str, Any], initial_day: date
) -> dict[str, Any]:
    """Approve (or, for the coordinator, convene): choose the additional meeting's date and time."""
    title = "Convene the meeting" if convene else "Approve the request"
    return {
        "type": "modal",
        "callback_id": RequestIds.CONVENE_MODAL if convene else RequestIds.APPROVE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": _plain(title),
        "submit": _plain("Schedule meeting"),
        "close": _plain("Cancel"),
        "blocks": [
            section(
                f"An additional core group meeting for *{escape(reference)}*, asked for by {mention(requested_by)}. "
                "It will be posted in the case channel."
            ),
            _input(
                RequestIds.DATE,
                "Date",
                {"type": "datepicker", "action_id": RequestIds.DATE, "initial_date": initial_day.isoformat()},
            ),
            _input(
                RequestIds.TIME,
                "Time (local)",
                {"type": "timepicker", "action_id": RequestIds.TIME, "initial_time": "10:00"},
            ),
            _input(
                RequestIds.NON_WORKING_DAY,
                "Weekends and holidays",
                {
                    "type": "checkboxes",
                    "action_id": RequestIds.NON_WORKING_DAY,
                    "options": [_option("yes", "Hold it on a non-working day")],
                },
                optional=True,
                hint="Only if the date is a weekend, bank holiday or closure day and you mean it.",
            ),
        ],
    }


def build_reason_modal(*, uphold: bool, reference: str, requested_by: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Refuse (or, for the coordinator, uphold the refusal): a reason is required."""
    return {
        "type": "modal",
        "callback_id": RequestIds.UPHOLD_MODAL if uphold else RequestIds.REFUSE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": _plain("Uphold the refusal" if uphold else "Refuse the request"),
        "submit": _plain("Uphold" if uphold else "Refuse"),
        "close": _plain("Cancel"),
        "blocks": [
            section(f"The request for an additional meeting for *{escape(reference)}* from {mention(requested_by)}."),
            _input(
                RequestIds.REASON,
                "Reason",
                {"type": "plain_text_input", "action_id": RequestIds.REASON, "multiline": True, "max_length": 1000},
                hint=f"The requester will see this. {NO_NAMES}",
            ),
        ],
    }


# --- messages --------------------------------------------------------------------------------


def build_decision_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The decider's message: the request with Approve / Refuse; once decided, who decided and when."""
    ref, occasion = p["reference"], p.get("occasion", "routed")
    title = {
        "reminder": "Reminder: a request for an additional meeting is waiting for your decision",
        "escalated": "Escalated to you: a request for an additional meeting nobody has decided",
    }.get(occasion, "Request for an additional core group meeting")
    text = f"{title} — {ref}, from {mention(p['requested_by'])}"
    blocks = [section(f"*{title}* — {escape(ref)}"), *_request_facts(p)]
    notes = []
    if p.get("on_behalf_of"):
        notes.append(f"You have this as delegate for {mention(p['on_behalf_of'])} ({p['decider_role']}).")
    if occasion == "escalated" and not p.get("on_behalf_of"):
        notes.append(f"Waiting on the {p['decider_role']} {mention(p['decider'])}; you can decide it instead.")
    if p.get("delegate"):
        notes.append(f"Your delegate {mention(p['delegate'])} has this too: whichever of you decides first, decides.")
    if notes:
        blocks.append(context(" ".join(notes)))
    closed = p.get("closed")
    if closed:
        blocks.append(section(_decided_line(closed, p["timezone"])))
        return f"{text}: {closed['outcome']}", blocks
    value = str(p["request_id"])
    blocks.append(
        actions(
            button("Approve", action_id=RequestIds.APPROVE, value=value, style="primary"),
            button("Refuse", action_id=RequestIds.REFUSE, value=value, style="danger"),
            block_id=RequestIds.BUTTONS,
        )
    )
    return text, blocks


def build_approved_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The requester hears that the meeting will be held, and when."""
    d, tz = p["decision"], p["timezone"]
    when = local_datetime(datetime.fromisoformat(d["meeting_starts_at"]), tz)
    text = f"Your request for an additional core group meeting for {p['reference']} was approved: {when}"
    lines = [
        f"*Your request for an additional core group meeting was approved* — {escape(p['reference'])}",
        f"*Meeting:* {when} (posted in the case channel)",
        f"Approved by {_by(d)} on {local_datetime(datetime.fromisoformat(d['at']), tz)}.",
    ]
    if d.get("reason"):
        lines.append(f"*Note:*\n{quote(d['reason'])}")
    return text, [section("\n".join(lines))]


def build_refused_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The requester hears the refusal and its reason, and that they can ask the coordinator."""
    d, tz, coordinator = p["decision"], p["timezone"], p["coordinator"]
    text = f"Your request for an additional core group meeting for {p['reference']} was refused"
    lines = [
        f"*Your request for an additional core group meeting was refused* — {escape(p['reference'])}",
        f"Refused by {_by(d)} on {local_datetime(datetime.fromisoformat(d['at']), tz)}.",
        f"*Reason:*\n{quote(d.get('reason'))}",
    ]
    if p.get("decider_role") == "coordinator":  # the coordinator decided: there is nobody further to ask
        lines.append(f"This was the decision of the Co-ordinator, Children Services, {mention(coordinator)}.")
        return text, [section("\n".join(lines))]
    lines.append(f"You can discuss this with the Co-ordinator, Children Services, {mention(coordinator)}.")
    blocks = [section("\n".join(lines))]
    closed = p.get("closed")
    if closed:
        blocks.append(
            context(
                f"You asked the coordinator {mention(closed.get('to') or coordinator)} on "
                f"{local_datetime(datetime.fromisoformat(closed['at']), tz)}."
            )
        )
        return text, blocks
    blocks.append(
        actions(
            button(
                "Ask the coordinator", action_id=RequestIds.ASK_COORDINATOR, value=str(p["request_id"]), style="primary"
            ),
            block_id=RequestIds.BUTTONS,
        )
    )
    return text, blocks


def build_review_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The coordinator's message: the request, the refusal and its reason, with Convene / Uphold."""
    d, tz, ref = p["decision"], p["timezone"], p["reference"]
    reminder = "Reminder: " if p.get("occasion") == "reminder" else ""  # the ledger's chase, where a profile has one
    text = (
        f"{reminder}{mention(p['requested_by'])} asks you to look at a refused request for an additional meeting"
        f" — {ref}"
    )
    blocks = [
        section(
            f"*{reminder}A refused request for an additional meeting* — {escape(ref)}\n"
            f"{mention(p['requested_by'])} asked the Co-ordinator, Children Services to look at it."
        ),
        *_request_facts(p),
        section(
            f"*Refused by* {_by(d)} ({p['decider_role']}) on {local_datetime(datetime.fromisoformat(d['at']), tz)}\n"
            f"*Reason:*\n{quote(d.get('reason'))}"
        ),
    ]
    if p.get("on_behalf_of"):
        blocks.append(context(f"You have this as delegate for the coordinator {mention(p['on_behalf_of'])}."))
    closed = p.get("closed")
    if closed:
        blocks.append(section(_decided_line(closed, tz)))
        return f"{text}: {closed['outcome']}", blocks
    value = str(p["request_id"])
    blocks.append(
        actions(
            button("Convene the meeting", action_id=RequestIds.CONVENE, value=value, style="primary"),
            button("Uphold the refusal", action_id=RequestIds.UPHOLD, value=value, style="danger"),
            block_id=RequestIds.BUTTONS,
        )
    )
    return text, blocks


def build_outcome_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The requester and the team leader hear what the coordinator decided."""
    o, tz, ref = p["outcome"], p["timezone"], p["reference"]
    at = local_datetime(datetime.fromisoformat(o["at"]), tz)
    if o["outcome"] == "convened":
        when = local_datetime(datetime.fromisoformat(o["meeting_starts_at"]), tz)
        text = f"The coordinator convened the additional core group meeting for {ref}: {when}"
        lines = [
            f"*The coordinator convened the additional meeting* — {escape(ref)}",
            f"{_by(o)} convened the meeting {mention(p['requested_by'])} asked for, after it was refused.",
            f"*Meeting:* {when} (posted in the case channel)",
        ]
    else:
        text = f"The coordinator upheld the refusal of the additional meeting for {ref}"
        lines = [
            f"*The coordinator upheld the refusal* — {escape(ref)}",
            f"{_by(o)} upheld the refusal of the additional meeting {mention(p['requested_by'])} asked for.",
        ]
    if o.get("reason"):
        lines.append(f"*Reason:*\n{quote(o['reason'])}")
    lines.append(f"Decided on {at}.")
    return text, [section("\n".join(lines))]


def build_delegate_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The new delegate hears whom they stand in for, until when, and exactly what for."""
    until = date.fromisoformat(p["until"]).strftime("%a %-d %b %Y")
    scope = Scope(p.get("scope") or Scope.REQUEST_DECISIONS)
    text = f"{mention(p['principal'])} has made you their delegate until {until}"
    body = (
        f"{mention(p['principal'])} has made you their delegate until *{until}*, for "
        f"{COVERS_IN_WORDS[scope]}. What comes to them for that comes to you too, and either of you can act. "
        "Nothing else of theirs is yours to do."
    )
    return text, [section(body)]


def build_request_confirmation(
    *, reference: str, routed_to: str, decider: str, decider_role: str
) -> tuple[str, Blocks]:
    """The requester's own confirmation, straight after sending: who decides."""
    if routed_to != decider:
        who = f"{mention(routed_to)}, standing in for the {decider_role} {mention(decider)},"
    else:
        who = f"{mention(decider)}, the {decider_role},"
    text = (
        f"Your request for an additional core group meeting for {reference} has gone to {who} "
        "who decides whether to hold it. You'll get a message with the decision."
    )
    return text, [section(text)]


# --- pieces ----------------------------------------------------------------------------------


def _request_facts(p: dict[str, Any]) -> Blocks:
    asked = local_datetime(datetime.fromisoformat(p["requested_at"]), p["timezone"])
    urgency = URGENCIES.get(p["urgency"], p["urgency"])
    facts = section(
        f"*Concern:* {CONCERNS.get(p['concern'], p['concern'])}\n"
        f"*Urgency:* {':rotating_light: ' if p['urgency'] == 'urgent' else ''}{urgency}\n"
        f"*Asked by:* {mention(p['requested_by'])} on {asked}"
    )
    return [facts, section(f"*What has changed:*\n{quote(p['details'])}")]


def _by(d: dict[str, Any]) -> str:
    """'<@U0DEP> for <@U0TL>' when a delegate acted."""
    if d.get("on_behalf_of"):
        return f"{mention(d['by'])} for {mention(d['on_behalf_of'])}"
    return mention(d["by"])


def _decided_line(d: dict[str, Any], tz: str) -> str:
    at = local_datetime(datetime.fromisoformat(d["at"]), tz)
    word = {
        "approved": ":white_check_mark: *Approved*",
        "refused": ":x: *Refused*",
        "convened": ":white_check_mark: *Meeting convened*",
        "upheld": ":x: *Refusal upheld*",
    }[d["outcome"]]
    line = f"{word} by {_by(d)} on {at}"
    if d.get("meeting_starts_at"):
        line += f" — meeting {local_datetime(datetime.fromisoformat(d['meeting_starts_at']), tz)}"
    if d.get("reason"):
        line += f"\n*Reason:*\n{quote(d['reason'])}"
    return line


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _radio(action_id: str, choices: dict[str, str], *, initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": str(action_id),
        "options": [_option(value, text) for value, text in choices.items()],
    }
    if initial:
        element["initial_option"] = _option(initial, choices[initial])
    return element


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint[:2000])
    return block
