"""`/request-core-group` in Slack: the request form, the decider's buttons and forms, the coordinator's
review, and the renderers of every request notice."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from slack_bolt import Ack, App, Respond

from bot.authority import AlreadyDoneError, NotYoursError
from bot.errors import CoreGroupError, InvalidInputError
from bot.requests import check_meeting_time, clean_details, clean_reason
from bot.services.requests import (
    NewRequest,
    case_for_request,
    decide_escalation,
    decide_request,
    decider_role,
    escalate_request,
    prepare_decision,
    request_meeting,
)
from handlers.blocks import requests as blocks
from handlers.errors import explain
from handlers.ids import Command, RequestIds
from handlers.once import once_per_view
from handlers.payloads import channel_of, element, id_of, tell_ephemeral
from handlers.render import mention

#: Which step each button takes, and whether it opens the date form (True) or the reason form.
_BUTTONS = {
    RequestIds.APPROVE: ("decide", True),
    RequestIds.REFUSE: ("decide", False),
    RequestIds.CONVENE: ("review", True),
    RequestIds.UPHOLD: ("review", False),
}


# --- asking ----------------------------------------------------------------------------------


def handle_requests_command(ack: Ack, command: dict, client, respond: Respond, context) -> None:
    """Open the request form for a member of the case whose channel this is; anyone else is told why not."""
    ack()
    services = context["services"]
    try:
        with services.uow_factory() as uow:
            reference = case_for_request(command["channel_id"], command["user_id"], uow=uow).reference
    except CoreGroupError as error:
        # Answered here, as /core-group does: an exception straight after ack() would also show "dispatch_failed".
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    view = blocks.build_request_modal(
        reference=reference, channel=command["channel_id"], details=command.get("text") or ""
    )
    client.views_open(trigger_id=command["trigger_id"], view=view)


def handle_requests_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the request and send it to the team leader; tell the requester who decides."""
    values = view["state"]["values"]
    concern = _selected(values, RequestIds.CONCERN)
    urgency = _selected(values, RequestIds.URGENCY) or "routine"
    errors = {}
    if not concern:
        errors[RequestIds.CONCERN] = "Choose what the concern is."
    try:
        details = clean_details(_text(values, RequestIds.DETAILS))
    except InvalidInputError as error:
        errors[RequestIds.DETAILS] = error.message
    if errors or not concern:  # no concern has its error
        ack(response_action="errors", errors={str(k): v for k, v in errors.items()})
        return
    ack()
    services, user = context["services"], body["user"]["id"]
    channel = json.loads(view.get("private_metadata") or "{}").get("channel", "")
    cmd = NewRequest(channel=channel, user=user, concern=concern, urgency=urgency, details=details)
    try:
        with services.uow_factory() as uow:
            request = request_meeting(cmd, uow=uow, now=services.clock.now())
            case = uow.cases.require(request.case_id)
            text, shown = blocks.build_request_confirmation(
                reference=case.reference,
                routed_to=request.routed_to,
                decider=request.decider,
                decider_role=decider_role(case, request),
            )
            uow.commit()
    except CoreGroupError as error:
        client.chat_postEphemeral(channel=channel, user=user, text=explain(error))
        return
    client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=shown)


# --- deciding --------------------------------------------------------------------------------


def handle_requests_decision_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Approve / Refuse / Convene / Uphold: open the form, if the clicker may still take that step."""
    ack()
    services, user = context["services"], body["user"]["id"]
    step, schedules = _BUTTONS[action["action_id"]]
    request_id = id_of(action)
    try:
        with services.uow_factory() as uow:
            shown = prepare_decision(uow=uow, now=services.clock.now(), request_id=request_id, user=user, step=step)
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    metadata = {"request_id": request_id, "channel": channel_of(body)}
    if schedules:
        calendar = shown.calendar
        view = blocks.build_schedule_modal(
            convene=step == "review",
            reference=shown.reference,
            requested_by=shown.requested_by,
            metadata=metadata,
            initial_day=calendar.next_working_day(calendar.local_date(services.clock.now())),
        )
    else:
        view = blocks.build_reason_modal(
            uphold=step == "review", reference=shown.reference, requested_by=shown.requested_by, metadata=metadata
        )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_requests_schedule_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Approve or convene: check the date and time, then decide (the first decision wins)."""
    services, user = context["services"], body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    convene = view["callback_id"] == RequestIds.CONVENE_MODAL
    values = view["state"]["values"]
    day, at = _picked_date(values), _picked_time(values)
    if day is None or at is None:
        missing = {RequestIds.DATE: "Choose a date."} if day is None else {RequestIds.TIME: "Choose a time."}
        ack(response_action="errors", errors={str(k): v for k, v in missing.items()})
        return
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            shown = prepare_decision(
                uow=uow, now=now, request_id=metadata["request_id"], user=user, step="review" if convene else "decide"
            )
    except (AlreadyDoneError, NotYoursError) as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    confirmed = bool(
        (values.get(RequestIds.NON_WORKING_DAY, {}).get(RequestIds.NON_WORKING_DAY) or {}).get("selected_options")
    )
    starts_at, problem = check_meeting_time(
        day=day, at=at, now=now, calendar=shown.calendar, allow_non_working_day=confirmed
    )
    if problem:
        ack(response_action="errors", errors={str(RequestIds.DATE): problem})
        return
    ack()
    _decide(services, client, metadata, user, approve=True, convene=convene, starts_at=starts_at)


def handle_requests_reason_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Refuse or uphold: a reason is required; then decide (the first decision wins)."""
    services, user = context["services"], body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    try:
        reason = clean_reason(_text(view["state"]["values"], RequestIds.REASON), required=True)
    except InvalidInputError as error:
        ack(response_action="errors", errors={str(RequestIds.REASON): error.message})
        return
    ack()
    uphold = view["callback_id"] == RequestIds.UPHOLD_MODAL
    _decide(services, client, metadata, user, approve=False, convene=uphold, reason=reason)


def _decide(
    services,
    client,
    metadata: dict,
    user: str,
    *,
    approve: bool,
    convene: bool,
    starts_at: datetime | None = None,
    reason: str | None = None,
) -> None:
    """Run the decision (the team leader's, or the coordinator's when `convene`), then tell the person."""
    request_id = metadata["request_id"]
    try:
        with services.uow_factory() as uow:
            now = services.clock.now()
            if convene:
                decide_escalation(
                    uow=uow,
                    now=now,
                    request_id=request_id,
                    user=user,
                    convene=approve,
                    starts_at=starts_at,
                    reason=reason,
                )
            else:
                decide_request(
                    uow=uow,
                    now=now,
                    request_id=request_id,
                    user=user,
                    approve=approve,
                    starts_at=starts_at,
                    reason=reason,
                )
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    except CoreGroupError as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    if approve:
        text = (
            "Done: the additional meeting is scheduled and posted in the case channel, and the requester has been told."
        )
    elif convene:
        text = "Done: the refusal is upheld, and the requester and the team leader have been told."
    else:
        text = "Done: the request is refused, and the requester has been told, with your reason."
    tell_ephemeral(client, metadata, user, text)


def handle_requests_ask_action(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """Ask the coordinator: send the refused request to the coordinator (or their delegate)."""
    ack()
    services, user = context["services"], body["user"]["id"]
    try:
        with services.uow_factory() as uow:
            request = escalate_request(uow=uow, now=services.clock.now(), request_id=id_of(action), user=user)
            to = request.coordinator_routed_to
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    respond(
        text=f"I've sent your request and the refusal to {mention(to)} (Co-ordinator, Children Services). "
        "You'll hear the outcome here.",
        response_type="ephemeral",
        replace_original=False,
    )


# --- renderers -------------------------------------------------------------------------------


# --- helpers ---------------------------------------------------------------------------------


def _selected(values: dict, block_id: str) -> str | None:
    option = element(values, block_id).get("selected_option")
    return option.get("value") if option else None


def _text(values: dict, block_id: str) -> str:
    return element(values, block_id).get("value") or ""


def _picked_date(values: dict) -> date | None:
    raw = element(values, RequestIds.DATE).get("selected_date")
    return date.fromisoformat(raw) if raw else None


def _picked_time(values: dict) -> time | None:
    raw = element(values, RequestIds.TIME).get("selected_time")
    return time.fromisoformat(raw) if raw else None


def register(app: App) -> None:
    """Listen for /request-core-group, its form, the decision buttons and forms."""
    app.command(Command.REQUEST_CORE_GROUP)(handle_requests_command)
    app.view(RequestIds.NEW_MODAL)(once_per_view(handle_requests_submission))
    for action_id in _BUTTONS:
        app.action(action_id)(handle_requests_decision_action)
    app.action(RequestIds.ASK_COORDINATOR)(handle_requests_ask_action)
    app.view(RequestIds.APPROVE_MODAL)(once_per_view(handle_requests_schedule_submission))
    app.view(RequestIds.CONVENE_MODAL)(once_per_view(handle_requests_schedule_submission))
    app.view(RequestIds.REFUSE_MODAL)(once_per_view(handle_requests_reason_submission))
    app.view(RequestIds.UPHOLD_MODAL)(once_per_view(handle_requests_reason_submission))
