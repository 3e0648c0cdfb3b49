"""The review conference in Slack: `/core-group review-conference YYYY-MM-DD`, the coordinator's **Record the
conference's decision** button and form (the plan continues with the next date, or the deregistration form takes
over), the referral's **Review conference brought forward to …** and **Considered: no early review** buttons and
forms, and the renderers of their notices."""

from __future__ import annotations

import json
from datetime import date

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.errors import CoreGroupError, InvalidInputError
from bot.services.deregistration import deregister_form
from bot.services.reviews import (
    answer_referral,
    deregistration_channel,
    outcome_form,
    record_plan_continues,
    referral_form,
    set_conference_by_command,
)
from handlers import core_group
from handlers.blocks import reviews as blocks
from handlers.blocks.deregistration import build_deregister_modal
from handlers.format import local_date
from handlers.ids import ReviewIds as Ids
from handlers.payloads import element, id_of
from handlers.render import echo

USAGE = "`/core-group review-conference YYYY-MM-DD`, with the date of the next review conference"


def handle_review_conference_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """Set the case's next review conference (the chair or the coordinator, or a delegate)."""
    if len(args) != 1:
        raise InvalidInputError(f"Say when the next review conference is: {USAGE}.")
    try:
        held_on = date.fromisoformat(args[0])
    except ValueError:
        raise InvalidInputError(f"I couldn't read the date {echo(args[0], limit=20)}: {USAGE}.") from None
    with services.uow_factory() as uow:
        view = set_conference_by_command(
            uow=uow, now=services.clock.now(), channel=command["channel_id"], user=command["user_id"], held_on=held_on
        )
        uow.commit()
    moved = f" (it was {local_date(view.previous)})" if view.previous else ""
    respond(
        text=f"Set: the {view.conference_name} for {view.reference} is on {local_date(view.held_on)}{moved}. "
        f"The chair's report to it is due by {local_date(view.report_due_on)}; the case channel is told.",
        response_type="ephemeral",
    )


# --- the conference's decision ------------------------------------------------------------------------


def handle_review_outcome_action(ack: Ack, body: dict, action: dict, client, context) -> None:
    """Record the conference's decision: the form, for the coordinator (or delegate) once the conference is held."""
    ack()
    services: Services = context["services"]
    with services.uow_factory() as uow:
        view = outcome_form(uow=uow, now=services.clock.now(), conference_id=id_of(action), user=body["user"]["id"])
    client.views_open(trigger_id=body["trigger_id"], view=blocks.build_outcome_modal(view))


def handle_review_outcome_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """The plan continues: save, and the next cycle starts. The name removed: the deregistration form takes over."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    conference_id = int(json.loads(view.get("private_metadata") or "{}").get("conference_id") or 0)
    decision = (element(values, Ids.DECISION).get("selected_option") or {}).get("value")
    picked = element(values, Ids.NEXT_ON).get("selected_date")
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            if decision == "removed":
                channel = deregistration_channel(uow=uow, now=now, conference_id=conference_id, user=user)
                form = deregister_form(channel, user, uow=uow, now=now)
                ack(response_action="update", view=build_deregister_modal(form))
                return
            if decision != "continues":
                raise InvalidInputError("Say what the conference decided.")
            saved = record_plan_continues(
                uow=uow,
                now=now,
                conference_id=conference_id,
                user=user,
                next_on=date.fromisoformat(picked) if picked else None,
            )
            uow.commit()
    except CoreGroupError as error:
        block = Ids.NEXT_ON if decision == "continues" else Ids.DECISION
        ack(response_action="errors", errors={str(block): error.message})
        return
    ack()
    client.chat_postMessage(
        channel=user,
        text=(
            f"Saved: the {saved.conference_name} of {local_date(saved.previous)} for {saved.reference} decided the plan "
            f"continues. The next is on {local_date(saved.held_on)}; the chair's report to it is due by "
            f"{local_date(saved.report_due_on)}. The case channel is told."
        ),
    )


# --- significant-amendment referrals ------------------------------------------------------------------


def handle_referral_action(ack: Ack, body: dict, action: dict, client, context) -> None:
    """Brought forward / Considered: the form, for the referral's recipient (or delegate) while it is unanswered."""
    ack()
    services: Services = context["services"]
    with services.uow_factory() as uow:
        view = referral_form(uow=uow, now=services.clock.now(), referral_id=id_of(action), user=body["user"]["id"])
    build = (
        blocks.build_brought_forward_modal
        if action["action_id"] == Ids.BROUGHT_FORWARD
        else blocks.build_considered_modal
    )
    client.views_open(trigger_id=body["trigger_id"], view=build(view))


def handle_referral_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the answer (problems stay in the form); the referral leaves the digest."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    referral_id = int(json.loads(view.get("private_metadata") or "{}").get("referral_id") or 0)
    considered = view.get("callback_id") == Ids.CONSIDERED_MODAL
    block = Ids.REASON if considered else Ids.DATE
    picked = element(values, Ids.DATE).get("selected_date")
    try:
        with services.uow_factory() as uow:
            saved = answer_referral(
                uow=uow,
                now=services.clock.now(),
                referral_id=referral_id,
                user=user,
                considered=considered,
                reason=element(values, Ids.REASON).get("value"),
                brought_forward_to=date.fromisoformat(picked) if picked else None,
            )
            uow.commit()
    except CoreGroupError as error:
        ack(response_action="errors", errors={str(block): error.message})
        return
    ack()
    said = (
        f"the {saved.conference_name} is brought forward to {local_date(saved.brought_forward_to)}"
        if not considered
        else "considered, no early review (your reason is kept with the referral)"
    )
    client.chat_postMessage(channel=user, text=f"Saved for {saved.reference}: {said}. The case channel is told.")


# --- renderers ----------------------------------------------------------------------------------------


def register(app: App) -> None:
    """`/core-group review-conference`, the decision and referral buttons, and their forms."""
    core_group.subcommand(
        "review-conference", "`YYYY-MM-DD`: set the case's next review conference (the chair or the coordinator)"
    )(handle_review_conference_command)
    app.action(str(Ids.RECORD_OUTCOME))(handle_review_outcome_action)
    app.view(str(Ids.OUTCOME_MODAL))(handle_review_outcome_submission)
    app.action(str(Ids.BROUGHT_FORWARD))(handle_referral_action)
    app.action(str(Ids.CONSIDERED))(handle_referral_action)
    app.view(str(Ids.BROUGHT_FORWARD_MODAL))(handle_referral_submission)
    app.view(str(Ids.CONSIDERED_MODAL))(handle_referral_submission)
