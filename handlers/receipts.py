"""Plan copies and the CP9 in Slack: `/core-group plan-sent` and `cp9-sent`, their buttons and forms, the
recipients' and the coordinator's buttons, the renderers of every notice, and their part of status."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.authority import AlreadyDoneError, NotYoursError
from bot.context import Services
from bot.errors import CoreGroupError
from bot.receipts import SENT_HOW
from bot.services.cp9 import Cp9SentInvalidError, cp9_sent_form, cp9_status, mark_cp9_received, mark_cp9_sent
from bot.services.receipts import (
    PlanSentInvalidError,
    confirm_plan_receipt,
    mark_plan_sent,
    plan_sent_form,
    plan_status,
)
from handlers import core_group
from handlers.blocks import receipts as blocks
from handlers.errors import explain
from handlers.format import local_date
from handlers.ids import ReceiptIds
from handlers.once import once_per_view
from handlers.payloads import channel_of, element, id_of, tell_ephemeral
from handlers.render import inline, mention
from store.uow import UnitOfWork

_PLAN_FIELDS = {"labels": ReceiptIds.LABELS, "how": ReceiptIds.HOW, "when": ReceiptIds.WHEN}
_CP9_FIELDS = {"when": ReceiptIds.CP9_WHEN, "note": ReceiptIds.CP9_NOTE}


# --- the chair: plan sent -------------------------------------------------------------------


def handle_receipts_plan_sent_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """`/core-group plan-sent`: the plan-sent form for the case's latest meeting (the chair or their delegate)."""
    try:
        with services.uow_factory() as uow:
            form = plan_sent_form(
                uow=uow, now=services.clock.now(), user=command["user_id"], channel=command["channel_id"]
            )
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral")
        return
    client.views_open(
        trigger_id=command["trigger_id"], view=blocks.build_plan_sent_modal(form, channel=command["channel_id"])
    )


def handle_receipts_plan_sent_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Plan sent, on the chair's message: the same form, for that meeting."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            form = plan_sent_form(uow=uow, now=services.clock.now(), user=body["user"]["id"], receipt_id=id_of(action))
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=blocks.build_plan_sent_modal(form, channel=channel_of(body)))


def handle_receipts_plan_sent_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Mark the plan sent: problems stay in the form; then Slack recipients are asked and the chair told."""
    services: Services = context["services"]
    user = body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    labels = tuple(int(o["value"]) for o in element(values, ReceiptIds.LABELS).get("selected_options") or [])
    how = (element(values, ReceiptIds.HOW).get("selected_option") or {}).get("value")
    try:
        with services.uow_factory() as uow:
            done = mark_plan_sent(
                uow=uow,
                now=services.clock.now(),
                receipt_id=int(metadata["receipt_id"]),
                user=user,
                labels=labels,
                how=how,
                sent_on=_picked(values, ReceiptIds.WHEN),
            )
            uow.commit()
    except PlanSentInvalidError as error:
        shown = {str(_PLAN_FIELDS[f]): m for f, m in error.errors.items() if str(_PLAN_FIELDS[f]) in values}
        if shown:
            ack(response_action="errors", errors=shown)
            return
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    except (AlreadyDoneError, NotYoursError) as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    except CoreGroupError as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    ack()
    lines = []
    if done.asked:
        lines.append(
            f"Done: {', '.join(mention(u) for u in done.asked)} "
            f"{'is' if len(done.asked) == 1 else 'are'} asked to confirm they have received the plan."
        )
    if done.ticked:
        lines.append(f"Marked sent {SENT_HOW.get(how or '', '')}: {', '.join(inline(t) for t in done.ticked)}.")
    if done.still_to_send:
        lines.append(
            f"Still to send: {', '.join(inline(t) for t in done.still_to_send)} — tick them with "
            "`/core-group plan-sent` once it has gone."
        )
    tell_ephemeral(client, metadata, user, " ".join(lines))


# --- a recipient confirms -------------------------------------------------------------------


def handle_receipts_confirm_action(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """I have received the plan: only the recipient, once; anyone else is told why not."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            confirm_plan_receipt(uow=uow, now=services.clock.now(), copy_id=id_of(action), user=body["user"]["id"])
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    respond(
        text="Thank you: the chair can see you have received the plan.",
        response_type="ephemeral",
        replace_original=False,
    )


# --- the CP9 --------------------------------------------------------------------------------


def handle_receipts_cp9_sent_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """`/core-group cp9-sent`: the CP9-sent form for the case's latest meeting (the chair or their delegate)."""
    try:
        with services.uow_factory() as uow:
            form = cp9_sent_form(
                uow=uow, now=services.clock.now(), user=command["user_id"], channel=command["channel_id"]
            )
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral")
        return
    client.views_open(
        trigger_id=command["trigger_id"], view=blocks.build_cp9_sent_modal(form, channel=command["channel_id"])
    )


def handle_receipts_cp9_sent_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Mark CP9 sent, on the chair's message: the form, for that meeting's CP9."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            form = cp9_sent_form(uow=uow, now=services.clock.now(), user=body["user"]["id"], cp9_id=id_of(action))
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=blocks.build_cp9_sent_modal(form, channel=channel_of(body)))


def handle_receipts_cp9_sent_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Mark the CP9 sent (once): problems stay in the form; the buttons go and the coordinator sees it."""
    services: Services = context["services"]
    user = body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    note = element(values, ReceiptIds.CP9_NOTE).get("value")
    try:
        with services.uow_factory() as uow:
            cp9 = mark_cp9_sent(
                uow=uow,
                now=services.clock.now(),
                cp9_id=int(metadata["cp9_id"]),
                user=user,
                sent_on=_picked(values, ReceiptIds.CP9_WHEN),
                note=note,
            )
            coordinator = uow.cases.require(cp9.case_id).organisation.coordinator
            uow.commit()
    except Cp9SentInvalidError as error:
        ack(response_action="errors", errors={str(_CP9_FIELDS[f]): m for f, m in error.errors.items()})
        return
    except (AlreadyDoneError, NotYoursError) as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    except CoreGroupError as error:
        ack()
        tell_ephemeral(client, metadata, user, explain(error))
        return
    ack()
    tell_ephemeral(
        client,
        metadata,
        user,
        f"Done: the {cp9.form_name} is marked sent on {local_date(cp9.sent_on)}. "
        f"The coordinator ({mention(coordinator)}) can see it.",
    )


def handle_receipts_cp9_received_action(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """Mark CP9 received: only the coordinator or their delegate, once."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            cp9 = mark_cp9_received(uow=uow, now=services.clock.now(), cp9_id=id_of(action), user=body["user"]["id"])
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    respond(
        text=f"Done: the {cp9.form_name} is marked received, and the chair can see it.",
        response_type="ephemeral",
        replace_original=False,
    )


# --- explanations, status, renderers ----------------------------------------------------------


def receipts_status_section(*, channel: str, user: str, uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """`/core-group status`: the latest meeting's plan copies and its CP9."""
    plan = plan_status(channel, user, uow=uow, now=now)
    cp9 = cp9_status(channel, user, uow=uow, now=now)
    shown: list[dict[str, Any]] = []
    if plan is not None:
        shown += blocks.build_plan_status_section(plan)
    if cp9 is not None:
        shown += blocks.build_cp9_status_section(cp9)
    return shown


# --- helpers --------------------------------------------------------------------------------


def _picked(values: dict, block_id: str) -> date | None:
    raw = element(values, block_id).get("selected_date")
    return date.fromisoformat(raw) if raw else None


def register(app: App) -> None:
    """`/core-group plan-sent` and `cp9-sent`, the four buttons, the two forms, and the status section."""
    core_group.subcommand(
        "plan-sent",
        "mark the plan sent after a meeting: everyone with Slack confirms they have "
        "it; tick people without Slack (the chair)",
    )(handle_receipts_plan_sent_command)
    core_group.subcommand("cp9-sent", "mark the CP9 sent to the coordinator (the chair)")(
        handle_receipts_cp9_sent_command
    )
    app.action(str(ReceiptIds.PLAN_SENT))(handle_receipts_plan_sent_action)
    app.action(str(ReceiptIds.CONFIRM))(handle_receipts_confirm_action)
    app.action(str(ReceiptIds.CP9_SENT))(handle_receipts_cp9_sent_action)
    app.action(str(ReceiptIds.CP9_RECEIVED))(handle_receipts_cp9_received_action)
    app.view(str(ReceiptIds.PLAN_SENT_MODAL))(once_per_view(handle_receipts_plan_sent_submission))
    app.view(str(ReceiptIds.CP9_SENT_MODAL))(once_per_view(handle_receipts_cp9_sent_submission))
    if receipts_status_section not in core_group.STATUS_SECTIONS:
        core_group.STATUS_SECTIONS.append(receipts_status_section)
