"""Block Kit for the ledger's chases: the chair's "record this meeting" DM and the "it did not take place" form."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.meetings import REASON_LIMIT
from handlers.format import local_date, local_datetime
from handlers.ids import ObligationIds
from handlers.render import actions, button, context, mention, section

#: How a chase reads once its obligation is closed, by outcome.
DONE = {"recorded": "recorded", "not_held": "marked as not held", "waived": "cancelled"}


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def build_meeting_to_record_message(payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The chair's DM: the meeting whose time came with no record, Record the meeting / It did not take place."""
    when = local_datetime(datetime.fromisoformat(payload["starts_at"]), payload["timezone"])
    reference = payload["reference"]
    if payload.get("done"):  # updated in place once it was recorded, said not held, or the meeting cancelled
        said = DONE.get(payload["done"], "dealt with")
        return (
            f"The core group meeting of {when} for {reference} was {said}",
            [section(f"*Meeting {said}* — {reference}, {when}"), context(f"By {mention(payload.get('done_by'))}.")],
        )
    text = f"The core group meeting of {when} for {reference} has no record yet"
    lines = [
        f"*Meeting not recorded* — {reference}, {when}",
        "The meeting's time has come and it has no record. Record it, or say it did not take place "
        "(a meeting not held does not count as the group meeting).",
    ]
    if payload.get("stage") == "breached":
        lines.append(":warning: It is now listed in the coordinator's digest as a meeting held but not recorded.")
    elif payload.get("breach_on"):
        breach = datetime.fromisoformat(payload["breach_on"]).astimezone(ZoneInfo(payload["timezone"]))
        lines.append(f"If it is still not recorded on {local_date(breach.date())}, the coordinator's digest lists it.")
    meeting = str(payload["meeting_id"])
    blocks = [
        section("\n".join(lines)),
        actions(
            button("Record the meeting", action_id=ObligationIds.RECORD_MEETING, value=meeting, style="primary"),
            button("It did not take place", action_id=ObligationIds.NOT_HELD, value=meeting),
            block_id=ObligationIds.BUTTONS,
        ),
        context(f"Case channel: <#{payload['channel']}>"),
    ]
    if payload.get("on_behalf_of"):
        blocks.append(context(f"You are standing in for {mention(payload['on_behalf_of'])}."))
    return text, blocks


def build_not_held_modal(*, meeting_id: int, reference: str, starts_at: datetime, timezone: str) -> dict[str, Any]:
    """Why the meeting did not take place (required): it is then marked not held and the next meeting is owed."""
    when = local_datetime(starts_at, timezone)
    return {
        "type": "modal",
        "callback_id": str(ObligationIds.NOT_HELD_MODAL),
        "private_metadata": json.dumps({"meeting_id": meeting_id}),
        "title": _plain("Meeting not held"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            section(
                f"*{reference}* — the meeting of {when} did not take place. It will not count as the group's "
                "meeting: the next meeting is owed, and overdue if its date has passed."
            ),
            {
                "type": "input",
                "block_id": str(ObligationIds.REASON),
                "label": _plain("Why it did not take place"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": str(ObligationIds.REASON),
                    "multiline": True,
                    "max_length": REASON_LIMIT,
                },
                "hint": _plain("No names: roles only (e.g. “the chair was ill”)."),
            },
        ],
    }
