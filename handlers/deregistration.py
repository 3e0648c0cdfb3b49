"""Deregistration in Slack: `/core-group deregister` (its modal), the **Set the date** and **Record the outcome**
buttons on the convener's, the meeting chair's and the assessment messages (their modals), `/core-group reopen`,
the deregistration part of `/core-group status`, and the renderers of every deregistration notice."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.deregistration import DeregistrationDraft, OutcomeDraft, check_outcome, short_date
from bot.errors import CoreGroupError, InvalidInputError
from bot.services.cases import case_for_channel
from bot.services.deregistration import (
    deregister_case,
    deregister_form,
    deregistration_problems,
    deregistration_status,
    post_dereg_view,
    record_post_dereg_outcome,
    set_post_dereg_date,
    window_of,
)
from bot.services.reopen import reopen_case
from handlers import core_group
from handlers.blocks import deregistration as blocks
from handlers.errors import explain
from handlers.format import local_date, local_datetime
from handlers.ids import DeregistrationIds as Ids
from handlers.once import once_per_view
from handlers.payloads import channel_of, element, id_of, tell_ephemeral
from handlers.render import echo, mention
from store.db import required
from store.models import MeetingDue
from store.uow import UnitOfWork

#: Field names used by the services -> the modal's input blocks.
_BLOCKS = {
    "conference_on": Ids.CONFERENCE_ON,
    "convener": Ids.CONVENER,
    "meeting_chair": Ids.MEETING_CHAIR,
    "agreed_by": Ids.AGREED_BY,
    "reviewing_officer": Ids.REVIEWING_OFFICER,
    "target_on": Ids.TARGET_ON,
    "date": Ids.DATE,
    "time": Ids.TIME,
    "held_on": Ids.HELD_ON,
    "risk": Ids.RISK,
    "plan": Ids.PLAN,
    "lead_agency": Ids.LEAD_AGENCY,
    "activity": Ids.ACTIVITY,
}


# --- /core-group deregister ----------------------------------------------------------------------


def handle_deregistration_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """Open the deregistration modal for the case's chair or the coordinator (or their delegate)."""
    with services.uow_factory() as uow:
        form = deregister_form(command["channel_id"], command["user_id"], uow=uow, now=services.clock.now())
    client.views_open(trigger_id=command["trigger_id"], view=blocks.build_deregister_modal(form))


def handle_deregistration_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Check what the conference agreed (problems stay in the modal), then save it and say what follows."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    channel = json.loads(view.get("private_metadata") or "{}").get("channel", "")
    draft = DeregistrationDraft(
        conference_on=_date(values, Ids.CONFERENCE_ON),
        convener=_user(values, Ids.CONVENER),
        meeting_chair=_user(values, Ids.MEETING_CHAIR),
        agreed_by=_selected(values, Ids.AGREED_BY),
        reviewing_officer=_user(values, Ids.REVIEWING_OFFICER),
        target_on=_date(values, Ids.TARGET_ON),
        plan_type=_selected(values, Ids.PLAN),
        lead_agency=_value(values, Ids.LEAD_AGENCY),
    )
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            problems = deregistration_problems(draft, channel=channel, user=user, uow=uow, now=now)
    except CoreGroupError as error:  # e.g. no longer allowed, or deregistered meanwhile: say so in the modal
        problems = {"conference_on": error.message}
    if problems:
        ack(response_action="errors", errors=_errors(problems))
        return
    ack()
    with services.uow_factory() as uow:
        row, cancelled = deregister_case(draft, channel=channel, user=user, uow=uow, now=now)
        reference = uow.cases.require(row.case_id).reference
        uow.commit()
    if row.window_opens_on is None:  # no post-deregistration meeting in this procedure: the case closed
        text = (
            f"Recorded: {reference} is off the register and the case is closed; the Child's Plan continues as "
            f"{blocks.PLAN_WORDS.get(row.plan_type, 'a plan')}. Core group meetings and reminders stop"
            + (f" ({cancelled} upcoming meeting{'s' if cancelled != 1 else ''} cancelled)" if cancelled else "")
            + ". The case channel is told."
        )
        client.chat_postEphemeral(channel=channel, user=user, text=text)
        return
    window = window_of(row)
    text = (
        f"Recorded: {reference} is off the register. Core group meetings and reminders stop"
        + (f" ({cancelled} upcoming meeting{'s' if cancelled != 1 else ''} cancelled)" if cancelled else "")
        + f". {mention(row.convener)} is asked to arrange the post-deregistration Child's Plan meeting "
        f"{window.words()}, and reminded as the window opens, a week before it closes and on its last day. "
        "The case channel is told."
    )
    client.chat_postEphemeral(channel=channel, user=user, text=text)


# --- the buttons and their modals ------------------------------------------------------------------


def handle_deregistration_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Set the date / Record the outcome: open the form, if the clicker may still take that step."""
    ack()
    services: Services = context["services"]
    user, step = body["user"]["id"], "date" if action["action_id"] == Ids.SET_DATE else "outcome"
    deregistration_id = id_of(action)
    try:
        with services.uow_factory() as uow:
            shown = post_dereg_view(deregistration_id, user, uow=uow, now=services.clock.now(), step=step)
    except CoreGroupError as error:  # someone else, or already decided: only they are told, nothing changes
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    metadata = {"deregistration_id": deregistration_id, "channel": channel_of(body), "expected": shown.outcome_count}
    build = blocks.build_date_modal if step == "date" else blocks.build_outcome_modal
    client.views_open(trigger_id=body["trigger_id"], view=build(shown, metadata=metadata))


def handle_deregistration_date_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the meeting's date and tell the case channel."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    day, at = _date(values, Ids.DATE), _time(values, Ids.TIME)
    if day is None or at is None:
        ack(
            response_action="errors",
            errors=_errors({"date": "Choose a date."} if day is None else {"time": "Choose a time."}),
        )
        return
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            shown = post_dereg_view(metadata["deregistration_id"], user, uow=uow, now=now, step="date")
    except CoreGroupError as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    starts_at = datetime.combine(day, at, tzinfo=ZoneInfo(shown.timezone)).astimezone(timezone.utc)
    if starts_at <= now:
        ack(response_action="errors", errors=_errors({"date": "That date and time has already passed."}))
        return
    ack()
    try:
        with services.uow_factory() as uow:
            _, warnings = set_post_dereg_date(
                uow=uow, now=now, deregistration_id=shown.deregistration_id, user=user, starts_at=starts_at
            )
            uow.commit()
    except CoreGroupError as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    text = (
        f"Saved: the post-deregistration meeting of {shown.reference} is on {local_datetime(starts_at, shown.timezone)}. "
        "The case channel is told."
    )
    tell_ephemeral(client, metadata, user, "\n".join([text, *(f":warning: {w}" for w in warnings)]))


def handle_deregistration_outcome_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the outcome: escalated risk goes to social work and the coordinator; otherwise the case closes."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    risk = _selected(values, Ids.RISK)
    draft = OutcomeDraft(
        held_on=_date(values, Ids.HELD_ON),
        risk_escalated=None if risk is None else risk == "yes",
        plan_type=_selected(values, Ids.PLAN),
        lead_agency=_value(values, Ids.LEAD_AGENCY),
        activity_reviewed=bool(element(values, Ids.ACTIVITY).get("selected_options")),
    )
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            shown = post_dereg_view(metadata["deregistration_id"], user, uow=uow, now=now, step="outcome")
    except CoreGroupError as error:  # decided meanwhile, or no longer allowed: the modal closes and they are told
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    problems = check_outcome(
        draft, today=shown.today, conference_on=shown.window.conference_on, review_activity=shown.review_activity
    )
    if problems:
        ack(response_action="errors", errors=_errors(problems))
        return
    ack()
    try:
        with services.uow_factory() as uow:
            row = record_post_dereg_outcome(
                draft,
                uow=uow,
                now=now,
                deregistration_id=shown.deregistration_id,
                user=user,
                expected_count=int(metadata.get("expected", 0)),
            )
            case = uow.cases.require(row.case_id)
            chair, team_leader = case.chair, case.team_leader
            uow.commit()
    except CoreGroupError as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    if row.risk_escalated:
        text = (
            f"Saved: risk has escalated since deregistration. {mention(chair)} (chair) and {mention(team_leader)} "
            "(team leader) are asked for a social work assessment, and the coordinator is told."
        )
    else:
        text = (
            f"Saved: risks remain reduced, and the Child's Plan continues as {blocks.PLAN_WORDS[row.plan_type]}. "
            f"Case {shown.reference} is now closed: no more reminders, and the case channel is told."
        )
    tell_ephemeral(client, metadata, user, text)


# --- /core-group reopen ----------------------------------------------------------------------------


def handle_reopen_command(*, args: list[str], command: dict, respond: Respond, client, services: Services) -> None:
    """Re-open a deregistered or closed case (the coordinator): `/core-group reopen YYYY-MM-DD`."""
    usage = "`/core-group reopen YYYY-MM-DD`, with the date of the conference that registered the child again"
    if len(args) != 1:
        raise InvalidInputError(f"Say when the child was registered again: {usage}.")
    try:
        registered_on = date.fromisoformat(args[0])
    except ValueError:
        raise InvalidInputError(f"I couldn't read the date {echo(args[0], limit=20)}: {usage}.") from None
    with services.uow_factory() as uow:
        case = reopen_case(
            uow=uow,
            now=services.clock.now(),
            channel=command["channel_id"],
            user=command["user_id"],
            registered_on=registered_on,
        )
        due = required(uow.meetings.current_due(case.id), MeetingDue, f"of case {case.id}")  # reopen_case made it
        reference, chair = case.reference, case.chair
        uow.commit()
    respond(
        text=f"Re-opened {reference}: registered again on {short_date(registered_on)}. The first core group "
        f"meeting is due by {local_date(due.due_on)}; {mention(chair)} is asked to schedule it, and the case "
        "channel is told.",
        response_type="ephemeral",
    )


def deregistration_status_section(*, channel: str, user: str, uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """The deregistration part of `/core-group status` (nothing for an open case)."""
    view = deregistration_status(case_for_channel(channel, user, uow=uow), uow=uow)
    return blocks.build_deregistration_status_section(view) if view else []


# --- renderers ------------------------------------------------------------------------------------


# --- helpers ---------------------------------------------------------------------------------------


def _errors(problems: dict[str, str]) -> dict[str, str]:
    return {str(_BLOCKS.get(field, Ids.CONFERENCE_ON)): message for field, message in problems.items()}


def _selected(values: dict, block: str) -> str | None:
    option = element(values, block).get("selected_option")
    return option.get("value") if option else None


def _value(values: dict, block: str) -> str | None:
    return element(values, block).get("value")


def _user(values: dict, block: str) -> str | None:
    return element(values, block).get("selected_user")


def _date(values: dict, block: str) -> date | None:
    raw = element(values, block).get("selected_date")
    return date.fromisoformat(raw) if raw else None


def _time(values: dict, block: str) -> time | None:
    raw = element(values, block).get("selected_time")
    return time.fromisoformat(raw) if raw else None


def register(app: App) -> None:
    """`/core-group deregister` and `reopen`, the buttons, the modals and the status section."""
    core_group.subcommand(
        "deregister",
        "the review conference removed the child from the register: record the "
        "post-deregistration meeting's convener, chair and date (chair or coordinator)",
    )(handle_deregistration_command)
    core_group.subcommand("reopen", "`YYYY-MM-DD`: the child is registered again; re-open this case (the coordinator)")(
        handle_reopen_command
    )
    app.view(str(Ids.DEREGISTER_MODAL))(once_per_view(handle_deregistration_submission))
    app.action(str(Ids.SET_DATE))(handle_deregistration_action)
    app.action(str(Ids.RECORD_OUTCOME))(handle_deregistration_action)
    app.view(str(Ids.DATE_MODAL))(once_per_view(handle_deregistration_date_submission))
    app.view(str(Ids.OUTCOME_MODAL))(once_per_view(handle_deregistration_outcome_submission))
    if deregistration_status_section not in core_group.STATUS_SECTIONS:
        core_group.STATUS_SECTIONS.insert(0, deregistration_status_section)
