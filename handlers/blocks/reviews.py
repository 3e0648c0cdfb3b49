"""Block Kit for the review conference: the channel's notice of its date, the chair's report reminders, the
coordinator's decision DM and form, and the significant-amendment referral with its two answers and their forms."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.meetings import REASON_LIMIT
from bot.services.reviews import ConferenceView, ReferralView
from handlers.format import local_date, local_datetime
from handlers.ids import ReviewIds as Ids
from handlers.render import actions, button, context, mention, section

Blocks = list[dict[str, Any]]
#: How a referral reads once answered (or no longer owed), by outcome.
ANSWERED = {
    "brought_forward": "answered: the review conference was brought forward",
    "considered": "answered: considered, no early review",
    "waived": "closed: no longer owed",
}


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _day(iso: str | None) -> str:
    return local_date(date.fromisoformat(iso)) if iso else "not set"


def _standing_in(payload: dict[str, Any]) -> Blocks:
    if payload.get("on_behalf_of"):
        return [context(f"You are standing in for {mention(payload['on_behalf_of'])}.")]
    return []


def build_conference_set_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The case channel: the next review conference's date, and when the chair's report to it is due."""
    name, reference, when = payload["conference_name"], payload["reference"], _day(payload["conference_on"])
    moved = f" (it was {_day(payload['previous'])})" if payload.get("previous") else ""
    text = f"{reference}: the {name} is on {when}"
    lines = [
        f"*The {name}* — {reference}: {when}{moved}.",
        f"The core group's report to it is due from the chair by {_day(payload['report_due_on'])}: "
        "produce it with `/core-group report`.",
    ]
    by = "the organisation file" if payload.get("via") == "organisation file" else mention(payload.get("set_by"))
    return text, [section("\n".join(lines)), context(f"Set by {by}.")]


def build_report_due_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The chair (and, once overdue, the coordinator): the report owed to the review conference."""
    name, reference = payload["conference_name"], payload["reference"]
    when, due = _day(payload["conference_on"]), _day(payload["report_due_on"])
    if payload.get("done"):
        said = "produced" if payload["done"] == "produced" else "no longer owed"
        return (
            f"The report for the {name} of {when} for {reference} was {said}",
            [
                section(f"*Report {said}* — {reference}, {name} of {when}"),
                context(f"By {mention(payload.get('done_by'))}."),
            ],
        )
    overdue = payload.get("stage") == "overdue"
    text = f"The report for the {name} of {when} for {reference} is {'overdue' if overdue else 'due'}"
    lines = [
        f"*{'Report overdue' if overdue else 'Report due'}* — {reference}, {name} of {when}",
        f"The core group's report to the {name} was due by {due}."
        if overdue
        else f"The core group's report to the {name} is due by {due}.",
        "Produce it in the case channel with `/core-group report` (the chair, or the coordinator).",
    ]
    if overdue:
        lines.append(f"Chair: {mention(payload.get('chair'))}")
    return text, [section("\n".join(lines)), context(f"Case channel: <#{payload['channel']}>"), *_standing_in(payload)]


def build_outcome_due_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The coordinator, the working day after the conference: Record the conference's decision."""
    name, reference, when = payload["conference_name"], payload["reference"], _day(payload["conference_on"])
    if payload.get("done"):
        said = {"continues": "the plan continues", "removed": "the child's name was removed"}.get(
            payload["done"], "no longer owed"
        )
        return (
            f"The decision of the {name} of {when} for {reference} was recorded",
            [
                section(f"*Decision recorded* — {reference}, {name} of {when}: {said}."),
                context(f"By {mention(payload.get('done_by'))}."),
            ],
        )
    text = f"What did the {name} of {when} for {reference} decide?"
    lines = [
        f"*Review conference decision* — {reference}, {name} of {when}",
        "Record what it decided: the plan continues (with the next review date), or the child's name was "
        "removed from the register (the deregistration form follows).",
    ]
    return text, [
        section("\n".join(lines)),
        actions(
            button(
                "Record the conference's decision",
                action_id=Ids.RECORD_OUTCOME,
                value=str(payload["conference_id"]),
                style="primary",
            )
        ),
        context(f"Case channel: <#{payload['channel']}>"),
        *_standing_in(payload),
    ]


def build_outcome_modal(view: ConferenceView) -> dict[str, Any]:
    """What the conference decided; the plan continuing needs the next review date."""
    options = [
        {"text": _plain("The plan continues"), "value": "continues"},
        {"text": _plain("The child's name was removed from the register"), "value": "removed"},
    ]
    return {
        "type": "modal",
        "callback_id": str(Ids.OUTCOME_MODAL),
        "title": _plain("Conference decision"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"conference_id": view.conference_id}),
        "blocks": [
            section(f"*{view.reference}* — the {view.conference_name} of {local_date(view.held_on)}."),
            {
                "type": "input",
                "block_id": str(Ids.DECISION),
                "label": _plain("What it decided"),
                "element": {"type": "radio_buttons", "action_id": str(Ids.DECISION), "options": options},
            },
            {
                "type": "input",
                "block_id": str(Ids.NEXT_ON),
                "optional": True,
                "label": _plain("Next review date"),
                "element": {"type": "datepicker", "action_id": str(Ids.NEXT_ON)},
                "hint": _plain("When the plan continues: the next review conference. The cycle repeats."),
            },
        ],
    }


def build_referral_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The referral's recipient (and at its breach, the coordinator): counts only, never the record's words; the two
    answers while it is open."""
    when = local_datetime(datetime.fromisoformat(payload["held_at"]), payload["timezone"])
    reference = payload["reference"]
    if payload.get("done"):
        said = ANSWERED.get(payload["done"], "answered")
        return (
            f"{reference}: the significant-amendment referral was {said}",
            [
                section(f"*Referral {said}* — {reference}, meeting of {when}"),
                context(f"By {mention(payload.get('done_by'))}."),
            ],
        )
    to_name = payload.get("to_name") or "the coordinator"
    conference = payload.get("conference_name") or "review conference"
    text = f"{reference}: the core group thinks the plan needs significant amendment"
    lines = [
        f"*Referred for the review conference* — {reference}",
        f"The core group meeting of {when} thinks the child protection plan needs significant amendment. "
        f"The group may add actions but may not significantly amend the plan: that is for the {conference}.",
        f"*Chair:* {mention(payload.get('chair'))} · *Attended:* {payload.get('attended', 0)} · "
        f"*Invited, absent:* {payload.get('absent', 0)} · *New actions:* {payload.get('actions', 0)}",
    ]
    blocks = [section("\n".join(lines))]
    if payload.get("referral_id"):
        due = local_datetime(datetime.fromisoformat(payload["due_at"]), payload["timezone"])
        if payload.get("stage") == "breached":
            ask = (
                f":warning: Not answered within {payload.get('days')} calendar days (due {due}): waiting on "
                f"{to_name}, {mention(payload.get('owner'))}."
            )
        else:
            ask = (
                f"For {to_name} to answer by {due}: bring the {conference} forward, or record that it was "
                "considered and no early review is needed."
            )
        referral = str(payload["referral_id"])
        blocks += [
            section(ask),
            actions(
                button(
                    "Review conference brought forward to …",
                    action_id=Ids.BROUGHT_FORWARD,
                    value=referral,
                    style="primary",
                ),
                button("Considered: no early review", action_id=Ids.CONSIDERED, value=referral),
            ),
        ]
        if payload.get("stand_in"):
            blocks.append(
                context(
                    "No conference chair is named for this case in the organisation file, so the "
                    "referral comes to the coordinator."
                )
            )
    return text, blocks + _standing_in(payload)


def build_brought_forward_modal(view: ReferralView) -> dict[str, Any]:
    """The date the review conference is brought forward to."""
    now_set = (
        f" It is set for {local_date(view.conference_on)}." if view.conference_on else " No date is set for it yet."
    )
    return _referral_modal(
        Ids.BROUGHT_FORWARD_MODAL,
        "Brought forward",
        view,
        [
            section(
                f"*{view.reference}* — the meeting of {local_date(view.held_on)} referred a significant amendment "
                f"of the plan. Bring the {view.conference_name} forward to:{now_set}"
            ),
            {
                "type": "input",
                "block_id": str(Ids.DATE),
                "label": _plain("Review conference brought forward to"),
                "element": {"type": "datepicker", "action_id": str(Ids.DATE)},
            },
        ],
    )


def build_considered_modal(view: ReferralView) -> dict[str, Any]:
    """Why no early review is needed (required)."""
    return _referral_modal(
        Ids.CONSIDERED_MODAL,
        "No early review",
        view,
        [
            section(
                f"*{view.reference}* — the meeting of {local_date(view.held_on)} referred a significant amendment "
                f"of the plan. You considered it: the {view.conference_name} is not brought forward."
            ),
            {
                "type": "input",
                "block_id": str(Ids.REASON),
                "label": _plain("Why no early review"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": str(Ids.REASON),
                    "multiline": True,
                    "max_length": REASON_LIMIT,
                },
                "hint": _plain("No names: roles only."),
            },
        ],
    )


def _referral_modal(callback: str, title: str, view: ReferralView, blocks: Blocks) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": str(callback),
        "title": _plain(title),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"referral_id": view.referral_id}),
        "blocks": blocks,
    }


def build_referral_answered_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The case channel: how the referral was answered (never the reason's words: it is kept on the record)."""
    reference, name = payload["reference"], payload["conference_name"]
    if payload["answer"] == "brought_forward":
        said = f"the {name} was brought forward to {_day(payload['brought_forward_to'])}"
    else:
        said = "it was considered: no early review"
    text = f"{reference}: the significant-amendment referral was answered: {said}"
    by = mention(payload.get("by")) + (
        f" for {mention(payload['on_behalf_of'])}" if payload.get("on_behalf_of") else ""
    )
    return text, [
        section(f"*Referral answered* — {reference}, meeting of {_day(payload['held_on'])}: {said}."),
        context(f"By {payload['to_name']}: {by}."),
    ]
