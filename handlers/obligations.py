"""The ledger's chases in Slack: the chair's "meeting not recorded" DM (its renderer), Record the meeting (opens the
record form on that meeting) and It did not take place (a reason, then the meeting is marked not held); and what the
case owes, from the ledger, in `/core-group status`."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.errors import CoreGroupError
from bot.services.owed import owed_by_case
from bot.services.unrecorded_meetings import meeting_for_not_held, record_form_for, record_not_held
from handlers import core_group
from handlers.blocks.meetings import build_record_modal
from handlers.blocks.obligations import build_not_held_modal
from handlers.blocks.owed import build_owed_section
from handlers.format import local_datetime
from handlers.ids import ObligationIds
from handlers.payloads import element


def handle_obligation_record_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Record the meeting: the record form, on the meeting the DM was about (the chair or their delegate only)."""
    ack()
    services: Services = context["services"]
    with services.uow_factory() as uow:
        form = record_form_for(int(action["value"]), user=body["user"]["id"], uow=uow, now=services.clock.now())
    client.views_open(trigger_id=body["trigger_id"], view=build_record_modal(form))


def handle_obligation_not_held_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """It did not take place: the reason form (the chair or their delegate only; the meeting must still be open)."""
    ack()
    services: Services = context["services"]
    with services.uow_factory() as uow:
        meeting = meeting_for_not_held(int(action["value"]), user=body["user"]["id"], uow=uow, now=services.clock.now())
        case = uow.cases.require(meeting.case_id)
        view = build_not_held_modal(
            meeting_id=meeting.id,
            reference=case.reference,
            starts_at=meeting.starts_at,
            timezone=case.organisation.timezone,
        )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_obligation_not_held_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Mark the meeting not held with the reason (required: the form says so and stays open)."""
    services: Services = context["services"]
    user = body["user"]["id"]
    meeting_id = int(json.loads(view.get("private_metadata") or "{}").get("meeting_id") or 0)
    reason = element(view["state"]["values"], ObligationIds.REASON).get("value")
    try:
        with services.uow_factory() as uow:
            meeting = record_not_held(
                uow=uow, meeting_id=meeting_id, user=user, reason=reason, now=services.clock.now()
            )
            case = uow.cases.require(meeting.case_id)
            uow.commit()
            reference, when = case.reference, local_datetime(meeting.starts_at, case.organisation.timezone)
    except CoreGroupError as error:
        ack(response_action="errors", errors={str(ObligationIds.REASON): error.message})
        return
    ack()
    client.chat_postMessage(
        channel=user,
        text=f"Saved: the meeting of {when} for {reference} did not take place. "
        "The next meeting is owed: schedule it with `/core-group schedule`.",
    )


def owed_status_section(*, channel: str, user: str, uow, now) -> list[dict[str, Any]]:
    """`/core-group status`: what the case owes, by whom, by when, from the ledger."""
    return build_owed_section(owed_by_case(uow=uow, now=now, channel=channel))


def register(app: App) -> None:
    """The ledger DM's buttons, the not-held form, and the status section of what the case owes."""
    app.action(str(ObligationIds.RECORD_MEETING))(handle_obligation_record_action)
    app.action(str(ObligationIds.NOT_HELD))(handle_obligation_not_held_action)
    app.view(str(ObligationIds.NOT_HELD_MODAL))(handle_obligation_not_held_submission)
    if owed_status_section not in core_group.STATUS_SECTIONS:
        core_group.STATUS_SECTIONS.append(owed_status_section)
