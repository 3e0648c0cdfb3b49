"""Actions in Slack: `/core-group actions` (the case's actions with their buttons, shown only to the asker),
Mark done (on the reminder DM, the Home tab and the list), Close (no longer needed) with its reason modal, and
the reminder's renderer."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, Respond

from bot.authority import AlreadyDoneError, NotYoursError
from bot.context import Services
from bot.errors import CoreGroupError
from bot.services.actions import ActionReasonError, case_actions, check_close_action, close_action, mark_action_done
from handlers import core_group
from handlers.blocks.actions import build_actions_message, build_close_action_modal
from handlers.errors import explain
from handlers.ids import ActionIds
from handlers.payloads import channel_of, element, id_of, tell_ephemeral
from handlers.render import inline, mention


def handle_actions_command(*, args: list[str], command: dict, respond: Respond, client, services: Services) -> None:
    """`/core-group actions`: the case's actions, what, owner, due, state, with the buttons the asker may use."""
    with services.uow_factory() as uow:
        view = case_actions(uow=uow, now=services.clock.now(), channel=command["channel_id"], user=command["user_id"])
    text, blocks = build_actions_message(view)
    respond(text=text, blocks=blocks, response_type="ephemeral")


def handle_actions_done_action(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """Mark done: the owner, their delegate or the chair, once; anyone else is told why not and nothing changes."""
    ack()
    services: Services = context["services"]
    user = body["user"]["id"]
    try:
        with services.uow_factory() as uow:
            done = mark_action_done(uow=uow, now=services.clock.now(), action_id=id_of(action), by=user)
            uow.commit()
    except (NotYoursError, AlreadyDoneError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    whose = f" for {mention(done.done_on_behalf_of)}" if done.done_on_behalf_of else ""
    respond(
        text=f"Done: “{inline(done.description)}” is marked done{whose}. Its reminders stop.",
        response_type="ephemeral",
        replace_original=False,
    )


def handle_actions_close_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Close (no longer needed): the chair or their delegate gets the reason modal; anyone else is told why not."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            found = check_close_action(
                uow=uow, now=services.clock.now(), action_id=id_of(action), by=body["user"]["id"]
            )
    except (NotYoursError, AlreadyDoneError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_close_action_modal(found, channel=channel_of(body)))


def handle_actions_close_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Close the action with its reason (required: the modal stays open without one)."""
    services: Services = context["services"]
    user = body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    reason = element(view["state"]["values"], ActionIds.REASON).get("value")
    try:
        with services.uow_factory() as uow:
            closed = close_action(
                uow=uow, now=services.clock.now(), action_id=int(metadata["action_id"]), by=user, reason=reason
            )
            uow.commit()
    except ActionReasonError as error:
        ack(response_action="errors", errors={str(ActionIds.REASON): error.message})
        return
    except CoreGroupError as error:  # e.g. closed meanwhile by someone else: the modal closes and says so
        ack()
        shown = explain(error) if isinstance(error, (NotYoursError, AlreadyDoneError)) else error.message
        tell_ephemeral(client, metadata, user, shown)
        return
    ack()
    tell_ephemeral(
        client,
        metadata,
        user,
        f"Closed: “{inline(closed.description)}” is no longer needed. Its "
        "reminders stop, and the report shows it closed with your reason.",
    )


def register(app: App) -> None:
    """`/core-group actions`, Mark done, Close (no longer needed) and its modal."""
    core_group.subcommand(
        "actions",
        "this case's actions: what, owner, due, done or not; mark one done (its owner, "
        "a delegate or the chair) or close it (the chair)",
    )(handle_actions_command)
    app.action(str(ActionIds.DONE))(handle_actions_done_action)
    app.action(str(ActionIds.CLOSE))(handle_actions_close_action)
    app.view(str(ActionIds.CLOSE_MODAL))(handle_actions_close_submission)
