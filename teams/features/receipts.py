"""Plan copies and the CP9 in Teams: I have received the plan, the chair's Plan sent and Mark CP9 sent dialogs, and the
coordinator's Mark CP9 received. Each calls the service Slack's handlers/receipts.py calls; who may act is decided
there (bot/authority), and anyone else is answered alone, with nothing changed. The cards are updated in place
through the outbox (the services enqueue the updates; the Teams sender PUTs them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.context import Services
from bot.errors import CoreGroupError
from bot.receipts import SENT_HOW
from bot.services.cp9 import cp9_sent_form, mark_cp9_received, mark_cp9_sent
from bot.services.receipts import confirm_plan_receipt, mark_plan_sent, plan_sent_form
from teams.cards.dialogs import dialog_continue, dialog_message, error_response, message_response
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.receipts import build_cp9_sent_dialog, build_plan_sent_dialog
from teams.cards.status import explain
from teams.cards.text import inline, local_date

log = logging.getLogger("coregroup.teams")


class BadClickError(CoreGroupError):
    """A card or dialog sent an id this version cannot read (an old or altered card)."""

    def __init__(self) -> None:
        super().__init__("That button is out of date: open the latest message and try again.")


def person_of(ctx: Any) -> str:
    """Who clicked: their Entra object id, as the organisation file names people."""
    aad = getattr(ctx.activity.from_, "aad_object_id", None)
    if not aad:
        raise BadClickError()
    return str(aad)


def id_in(data: Mapping[str, Any] | None, key: str) -> int:
    """A record id the card carried (never trusted beyond being an id)."""
    value = (data or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise BadClickError()
    return int(value)


def action_data(ctx: Any) -> Mapping[str, Any]:
    value = ctx.activity.value
    action = getattr(value, "action", None)
    return getattr(action, "data", None) or {}


def dialog_data(ctx: Any) -> Mapping[str, Any]:
    return getattr(ctx.activity.value, "data", None) or {}


def _picked_day(data: Mapping[str, Any], key: str) -> date | None:
    raw = data.get(key)
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def _ids(raw: Any) -> tuple[int, ...]:
    """A multi-select's value: '3,5' (Teams sends the chosen values comma-separated)."""
    parts = [p.strip() for p in str(raw or "").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise BadClickError()
    return tuple(int(p) for p in parts)


# --- the clicks -----------------------------------------------------------------------------------------------


def plan_received(services: Services, ctx: Any) -> dict[str, Any]:
    """I have received the plan: only the recipient, once."""
    try:
        with services.uow_factory() as uow:
            confirm_plan_receipt(
                uow=uow, now=services.clock.now(), copy_id=id_in(action_data(ctx), "copy_id"), user=person_of(ctx)
            )
            uow.commit()
    except CoreGroupError as error:
        return error_response(explain(error))
    return message_response("Thank you: the chair can see you have received the plan.")


def cp9_received(services: Services, ctx: Any) -> dict[str, Any]:
    """Mark CP9 received: only the coordinator or their delegate, once."""
    try:
        with services.uow_factory() as uow:
            cp9 = mark_cp9_received(
                uow=uow, now=services.clock.now(), cp9_id=id_in(action_data(ctx), "cp9_id"), user=person_of(ctx)
            )
            uow.commit()
    except CoreGroupError as error:
        return error_response(explain(error))
    return message_response(f"Done: the {cp9.form_name} is marked received, and the chair can see it.")


# --- the dialogs ----------------------------------------------------------------------------------------------


def plan_sent_open(services: Services, ctx: Any) -> dict[str, Any]:
    """Plan sent, on the chair's card: the form for that meeting (the chair or their delegate)."""
    try:
        with services.uow_factory() as uow:
            form = plan_sent_form(
                uow=uow,
                now=services.clock.now(),
                user=person_of(ctx),
                receipt_id=id_in(dialog_data(ctx), "receipt_id"),
            )
    except CoreGroupError as error:
        return dialog_message(explain(error))
    return dialog_continue(build_plan_sent_dialog(form=form))


def plan_sent_submit(services: Services, ctx: Any) -> dict[str, Any]:
    """Mark the plan sent: people with Teams are asked to confirm; the ticked ones are marked sent."""
    data = dialog_data(ctx)
    how = str(data.get(Field.HOW) or "") or None
    try:
        with services.uow_factory() as uow:
            done = mark_plan_sent(
                uow=uow,
                now=services.clock.now(),
                receipt_id=id_in(data, "receipt_id"),
                user=person_of(ctx),
                labels=_ids(data.get(Field.LABELS)),
                how=how,
                sent_on=_picked_day(data, Field.WHEN),
            )
            uow.commit()
    except CoreGroupError as error:
        return dialog_message(explain(error))
    lines = []
    if done.asked:
        n = len(done.asked)
        lines.append(f"Done: {n} {'person is' if n == 1 else 'people are'} asked to confirm they have the plan.")
    if done.ticked:
        lines.append(f"Marked sent {SENT_HOW.get(how or '', '')}: {', '.join(inline(t) for t in done.ticked)}.")
    if done.still_to_send:
        lines.append(f"Still to send: {', '.join(inline(t) for t in done.still_to_send)}.")
    return dialog_message(" ".join(lines) or "Done.")


def cp9_sent_open(services: Services, ctx: Any) -> dict[str, Any]:
    """Mark CP9 sent, on the chair's card: the form for that meeting's CP9."""
    try:
        with services.uow_factory() as uow:
            form = cp9_sent_form(
                uow=uow, now=services.clock.now(), user=person_of(ctx), cp9_id=id_in(dialog_data(ctx), "cp9_id")
            )
    except CoreGroupError as error:
        return dialog_message(explain(error))
    return dialog_continue(build_cp9_sent_dialog(form=form))


def cp9_sent_submit(services: Services, ctx: Any) -> dict[str, Any]:
    """Mark the CP9 sent (once); the chair's card loses its button and the coordinator's card says so."""
    data = dialog_data(ctx)
    try:
        with services.uow_factory() as uow:
            cp9 = mark_cp9_sent(
                uow=uow,
                now=services.clock.now(),
                cp9_id=id_in(data, "cp9_id"),
                user=person_of(ctx),
                sent_on=_picked_day(data, Field.WHEN),
                note=str(data.get(Field.NOTE) or "") or None,
            )
            uow.commit()
    except CoreGroupError as error:
        return dialog_message(explain(error))
    return dialog_message(
        f"Done: the {cp9.form_name} is marked sent on {local_date(cp9.sent_on)}. The coordinator can see it."
    )


Handler = Callable[[Services, Any], dict[str, Any]]


def register(app: Any, services: Services) -> None:
    """Add the plan copies' and the CP9's card actions and dialogs to the SDK app."""

    def bind(fn: Handler) -> Callable[[Any], Any]:
        async def handle(ctx: Any) -> dict[str, Any]:
            return fn(services, ctx)

        handle.__name__ = fn.__name__
        return handle

    app.on_card_action_execute(str(Verb.PLAN_RECEIVED), bind(plan_received))
    app.on_card_action_execute(str(Verb.CP9_RECEIVED), bind(cp9_received))
    app.on_dialog_open(str(Dialog.PLAN_SENT), bind(plan_sent_open))
    app.on_dialog_open(str(Dialog.CP9_SENT), bind(cp9_sent_open))
    app.on_dialog_submit(str(Submit.PLAN_SENT), bind(plan_sent_submit))
    app.on_dialog_submit(str(Submit.CP9_SENT), bind(cp9_sent_submit))
