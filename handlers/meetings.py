"""Meetings in Slack: `/core-group schedule` (the chair's modal) and the notices about a meeting's time."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.errors import CoreGroupError
from bot.notices import NoticeKind
from bot.organisation import calendar_for
from bot.services.meetings import change_schedule, prepare_schedule_change, schedule_form
from handlers.blocks.meetings import build_schedule_modal
from handlers.core_group import subcommand
from handlers.errors import explain
from handlers.format import local_date, local_datetime
from handlers.ids import MeetingIds
from handlers.once import once_per_view
from handlers.render import Rendered, context, mention, quote, renderer, section

KIND_WORDS = {
    "first": "First core group meeting",
    "regular": "Core group meeting",
    "additional": "Additional core group meeting",
}
MODE_WORDS = {"in_person": "in person", "online": "online"}
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


# --- renderers ------------------------------------------------------------------------------


def _when(payload: dict[str, Any], key: str = "starts_at") -> str:
    return local_datetime(datetime.fromisoformat(payload[key]), payload["timezone"])


def _title(payload: dict[str, Any]) -> str:
    return KIND_WORDS.get(payload.get("kind", ""), "Core group meeting")


def _mode(payload: dict[str, Any]) -> str:
    mode = payload.get("mode") or ""
    return MODE_WORDS.get(mode, mode)


@renderer(NoticeKind.MEETING_SCHEDULED)
def render_meeting_scheduled(payload: dict[str, Any]) -> Rendered:
    """The case channel is told a meeting was scheduled."""
    when, title = _when(payload), _title(payload)
    text = f"{title} for {payload['reference']} scheduled: {when}"
    lines = [f"*{title} scheduled* — {payload['reference']}", f"*When:* {when} ({_mode(payload)})"]
    if payload.get("note"):
        lines.append(f"*Note:*\n{quote(payload['note'])}")
    blocks = [section("\n".join(lines))]
    by = payload.get("scheduled_by") or ""
    if by[:1] in ("U", "W"):
        blocks.append(context(f"Scheduled by {mention(by)}"))
    elif payload.get("kind") == "first":
        # Imported from the case record (`coregroup cases import`): the date is the conference's, not a person's.
        blocks.append(context("Date from the initial child protection conference's minute"))
    return Rendered(text=text, blocks=blocks)


@renderer(NoticeKind.MEETING_RESCHEDULED)
def render_meeting_rescheduled(payload: dict[str, Any]) -> Rendered:
    """The case channel is told a meeting moved: from when, to when, and why."""
    when, before, title = _when(payload), _when(payload, "previous_starts_at"), _title(payload)
    if when == before:
        text = f"{title} for {payload['reference']} changed: {when}"
        lines = [f"*{title} changed* — {payload['reference']}", f"*When:* {when} ({_mode(payload)})"]
    else:
        text = f"{title} for {payload['reference']} moved to {when} (was {before})"
        lines = [f"*{title} moved* — {payload['reference']}", f"*Now:* {when} ({_mode(payload)})", f"*Was:* ~{before}~"]
    if payload.get("reason"):
        lines.append(f"*Why:*\n{quote(payload['reason'])}")
    if payload.get("note"):
        lines.append(f"*Note:*\n{quote(payload['note'])}")
    blocks = [section("\n".join(lines))]
    if payload.get("changed_by"):
        blocks.append(context(f"Changed by {mention(payload['changed_by'])}"))
    return Rendered(text=text, blocks=blocks)


@renderer(NoticeKind.MEETING_CANCELLED)
def render_meeting_cancelled(payload: dict[str, Any]) -> Rendered:
    """The case channel is told a meeting is cancelled, and why."""
    when, title = _when(payload), _title(payload)
    text = f"{title} for {payload['reference']} on {when} is cancelled"
    lines = [f"*{title} cancelled* — {payload['reference']}", f"*Was:* ~{when}~"]
    if payload.get("reason"):
        lines.append(f"*Why:*\n{quote(payload['reason'])}")
    blocks = [section("\n".join(lines))]
    if payload.get("changed_by"):
        blocks.append(context(f"Cancelled by {mention(payload['changed_by'])}"))
    return Rendered(text=text, blocks=blocks)


@renderer(NoticeKind.MEETING_REMINDER)
def render_meeting_reminder(payload: dict[str, Any]) -> Rendered:
    """A reminder, in the case channel and by DM: when the meeting is, and where."""
    when, title = _when(payload), _title(payload)
    days = payload.get("working_days_before", 0)
    soon = "today" if days == 0 else f"in {days} working day{'s' if days != 1 else ''}"
    text = f"Reminder: {title.lower()} for {payload['reference']} {soon} — {when} ({_mode(payload)})"
    lines = [f"*Reminder: {title.lower()} {soon}* — {payload['reference']}", f"*When:* {when} ({_mode(payload)})"]
    if payload.get("note"):
        lines.append(f"*Note:*\n{quote(payload['note'])}")
    blocks = [section("\n".join(lines))]
    if payload.get("channel"):
        blocks.append(context(f"Case channel: <#{payload['channel']}>"))
    return Rendered(text=text, blocks=blocks)


@renderer(NoticeKind.FIRST_MEETING_TO_SCHEDULE)
def render_first_meeting_to_schedule(payload: dict[str, Any]) -> Rendered:
    """The chair is asked to schedule a first meeting the case record did not give."""
    due = local_date(date.fromisoformat(payload["due_on"]))
    text = f"Please schedule the first core group meeting for {payload['reference']} by {due}"
    lines = [
        f"*Please schedule the first core group meeting* — {payload['reference']}",
        f"The case record has no date for it. It is due by *{due}*, the default after registration "
        f"on {local_date(date.fromisoformat(payload['registered_on']))}.",
        f"Use `/core-group schedule` in <#{payload['channel']}>.",
    ]
    return Rendered(text=text, blocks=[section("\n".join(lines)), *_on_behalf(payload)])


@renderer(NoticeKind.MEETING_NOT_SCHEDULED)
def render_meeting_not_scheduled(payload: dict[str, Any]) -> Rendered:
    """The chair is told the meeting is due today and none is scheduled by then (kept for the coordinator's digest)."""
    due = local_date(date.fromisoformat(payload["due_on"]))
    which = "first core group meeting" if payload.get("basis") == "first" else "next core group meeting"
    text = f"The {which} for {payload['reference']} is due by {due} and none is scheduled"
    lines = [
        f":warning: *The {which} is due and not scheduled* — {payload['reference']}",
        f"It is due by *{due}*. Schedule it with `/core-group schedule` in <#{payload['channel']}>.",
    ]
    return Rendered(
        text=text,
        blocks=[
            section("\n".join(lines)),
            context("The coordinator's digest lists meetings that are overdue."),
            *_on_behalf(payload),
        ],
    )


@renderer(NoticeKind.MEETING_BREACH)
def render_meeting_breach(payload: dict[str, Any]) -> Rendered:
    """The coordinator is told no meeting was held within the profile's limit after the last one (kept in the digest)."""
    held, limit = (
        local_date(date.fromisoformat(payload["held_on"])),
        local_date(date.fromisoformat(payload["breach_on"])),
    )
    text = f"Breach: no core group meeting for {payload['reference']} within {payload['weeks']} weeks of the last"
    chair = f" The chair is {mention(payload['chair'])}." if payload.get("chair") else ""
    lines = [
        f":rotating_light: *No meeting within {payload['weeks']} weeks* — {payload['reference']}",
        f"The last core group meeting was on {held}; none was held by *{limit}*.{chair} See <#{payload['channel']}>.",
    ]
    return Rendered(
        text=text,
        blocks=[
            section("\n".join(lines)),
            context("The digest lists this case until a meeting is recorded."),
            *_on_behalf(payload),
        ],
    )


def _on_behalf(payload: dict[str, Any]) -> list[dict[str, Any]]:
    if payload.get("on_behalf_of"):
        return [context(f"You are standing in for {mention(payload['on_behalf_of'])}.")]
    return []


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
    """`/core-group schedule` and its modal (renderers register on import)."""
    subcommand("schedule", "schedule, move or cancel a meeting of this case (the chair)")(
        handle_meeting_schedule_command
    )
    app.view(str(MeetingIds.SCHEDULE_MODAL))(once_per_view(handle_meeting_schedule_submission))
