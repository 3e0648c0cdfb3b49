"""Meetings in Slack: `/core-group schedule` (the chair's modal); the notices' Block Kit is in blocks/meeting_notices.py."""

from __future__ import annotations

import json
from datetime import date, time

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.errors import CoreGroupError
from bot.organisation import calendar_for
from bot.services.meetings import change_schedule, prepare_schedule_change, schedule_form
from handlers.blocks.meetings import build_schedule_modal
from handlers.core_group import subcommand
from handlers.errors import explain
from handlers.format import local_datetime
from handlers.ids import MeetingIds
from handlers.once import once_per_view

_SCHEDULE_FIELDS = {
    "date": MeetingIds.DATE,
    "time": MeetingIds.TIME,
    "mode": MeetingIds.MODE,
    "note": MeetingIds.NOTE,
    "reason": MeetingIds.REASON,
}


# --- /core-group schedule -------------------------------------------------------------------


def handle_meeting_schedule_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """Open the schedule modal for the case's chair (or their delegate); anyone else is told why not."""
    now = services.clock.now()
    with services.uow_factory() as uow:
        form = schedule_form(command["channel_id"], command["user_id"], uow=uow, now=now)
        today = calendar_for(uow.cases.require(form.case_id).organisation).local_date(now)
    client.views_open(trigger_id=command["trigger_id"], view=build_schedule_modal(form, today=today))


def handle_meeting_schedule_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Check the chair's change (errors stay in the modal), then save it; the channel is told through the outbox."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    channel = json.loads(view.get("private_metadata") or "{}").get("channel", "")
    chosen = _selected(values, MeetingIds.MEETING)
    meeting_id = int(chosen) if chosen and chosen.isdigit() else None
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            change, errors = prepare_schedule_change(
                channel=channel,
                user=user,
                meeting_id=meeting_id,
                cancel=_selected(values, MeetingIds.CHANGE) == "cancel",
                day=_date(values, MeetingIds.DATE),
                at=_time(values, MeetingIds.TIME),
                mode=_selected(values, MeetingIds.MODE),
                note=_value(values, MeetingIds.NOTE),
                reason=_value(values, MeetingIds.REASON),
                uow=uow,
                now=now,
            )
    except CoreGroupError as error:  # e.g. no longer the chair: say so in the modal, which stays open
        change, errors = None, {"meeting": error.message}
    if errors or change is None:  # no change comes with its problems
        # "meeting" problems sit on the meeting chooser, or on the date when there is none to choose.
        fallback = MeetingIds.MEETING if str(MeetingIds.MEETING) in values else MeetingIds.DATE
        ack(
            response_action="errors",
            errors={str(_SCHEDULE_FIELDS.get(field, fallback)): message for field, message in errors.items()},
        )
        return
    ack()
    try:
        with services.uow_factory() as uow:
            outcome = change_schedule(change, channel=channel, user=user, uow=uow, now=now)
            uow.commit()
    except CoreGroupError as error:  # changed meanwhile (e.g. cancelled by someone else): say so, change nothing
        client.chat_postEphemeral(channel=channel, user=user, text=explain(error))
        return
    when = local_datetime(outcome.starts_at, outcome.timezone)
    text = {
        "scheduled": f"Scheduled: {when}. The case channel is told, and reminders will follow.",
        "rescheduled": f"Moved to {when}. The case channel is told, and the reminders follow the new time.",
        "cancelled": f"Cancelled the meeting of {when}. The case channel is told; its reminders are stopped.",
    }[outcome.action]
    for warning in outcome.warnings:
        text += f"\n:warning: {warning}"
    client.chat_postEphemeral(channel=channel, user=user, text=text)


def _selected(values: dict, block: str) -> str | None:
    entry = values.get(str(block), {}).get(str(block)) or {}
    option = entry.get("selected_option")
    return option.get("value") if option else None


def _value(values: dict, block: str) -> str | None:
    return (values.get(str(block), {}).get(str(block)) or {}).get("value")


def _date(values: dict, block: str) -> date | None:
    raw = (values.get(str(block), {}).get(str(block)) or {}).get("selected_date")
    return date.fromisoformat(raw) if raw else None


def _time(values: dict, block: str) -> time | None:
    raw = (values.get(str(block), {}).get(str(block)) or {}).get("selected_time")
    return time.fromisoformat(raw) if raw else None


def register(app: App) -> None:
    """`/core-group schedule` and its modal (its notices' Block Kit: handlers/blocks/meeting_notices.py)."""
    subcommand("schedule", "schedule, move or cancel a meeting of this case (the chair)")(
        handle_meeting_schedule_command
    )
    app.view(str(MeetingIds.SCHEDULE_MODAL))(once_per_view(handle_meeting_schedule_submission))
