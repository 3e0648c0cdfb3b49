"""Requests for an additional meeting in Teams: the `request` command and its dialog, the decider's Approve (dialog)
and Refuse (reason on the card), Ask the coordinator, the coordinator's Convene / Uphold, and the per-viewer refresh.

Every click runs the same service as Slack's handlers/requests.py (who may act is bot.authority's; decisions are
conditional updates) and is answered only to the clicker. Cards are updated for everyone by the outbox (PUT).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, time
from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.attachment.attachment import Attachment

from bot.context import Services
from bot.errors import CoreGroupError, InvalidInputError
from bot.requests import check_meeting_time, clean_details, clean_reason
from bot.services import request_notices as notices
from bot.services.requests import (
    NewRequest,
    case_for_request,
    decide_escalation,
    decide_request,
    decider_role,
    escalate_request,
    may_take_step,
    prepare_decision,
    request_meeting,
)
from store.changes import Changes
from store.models import Case, CaseStatus
from teams.cards.decisions import build_decision_card, build_review_card, build_schedule_dialog
from teams.cards.dialogs import card_response, dialog_continue, dialog_message, error_response, message_response
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.request_parts import COORDINATOR
from teams.cards.requests import build_request_dialog, build_request_start_card, request_sent_text
from teams.cards.status import explain
from teams.features.refresh_answers import RefreshAnswers
from teams.features.request_renderers import deciders_of, reviewers_of
from teams.listeners import answer_privately
from teams.render import CARD_CONTENT_TYPE

log = logging.getLogger("coregroup.teams")

Answer = dict[str, Any]
_DONE = {
    "approve": "Done: the additional meeting is scheduled and posted in the case channel, and the requester has "
    "been told.",
    "refuse": "Done: the request is refused, and the requester has been told, with your reason.",
    "convene": "Done: the meeting is convened and posted in the case channel; the requester and the team leader "
    "have been told.",
    "uphold": "Done: the refusal is upheld, and the requester and the team leader have been told.",
}


def person_of(ctx: Any) -> str:
    """Who acted: their Entra object id, the name the organisation file gives people."""
    return str(getattr(ctx.activity.from_, "aad_object_id", None) or "")


def data_of(ctx: Any) -> dict[str, Any]:
    """The card's data (task/fetch, task/submit) or the Action.Execute's data (adaptiveCard/action)."""
    value = ctx.activity.value
    action = getattr(value, "action", None)
    data = getattr(action, "data", None) if action is not None else getattr(value, "data", None)
    return dict(data) if isinstance(data, dict) else {}


def id_in(data: dict[str, Any], name: str) -> int:
    """A record id from card data; anything else is a stale card (answered, never a traceback)."""
    try:
        return int(data[name])
    except (KeyError, TypeError, ValueError):
        raise InvalidInputError("This card is out of date: type **request** to start again.") from None


# --- asking ------------------------------------------------------------------------------------


def case_to_request_for(services: Services, *, user: str, channel: str | None, args: str) -> Case:
    """The case: the channel's, else the reference typed, else the one open case the person is in."""
    with services.uow_factory() as uow:
        if channel:
            return case_for_request(channel, user, uow=uow)
        if args.strip():
            case = uow.cases.get_by_reference(args.strip().split()[0].upper())
            if case is None or not case.is_in_group(user):
                raise InvalidInputError("You are not in the core group of a case with that reference.")
            return case_for_request(case.channel, user, uow=uow)
        mine = [c for c in uow.cases.list(status=CaseStatus.OPEN) if c.is_in_group(user)]
        if len(mine) != 1:
            raise InvalidInputError(
                "Type **request** in your case's channel (with an @mention), or **request** and the case reference."
                if mine
                else "You are not in an open core group, so there is no meeting to ask for."
            )
        return mine[0]


def channel_of(ctx: Any) -> str | None:
    """The Teams channel a command was typed in (None in a 1:1 or group chat)."""
    data = getattr(ctx.activity, "channel_data", None)
    channel = getattr(getattr(data, "channel", None), "id", None)
    if channel:
        return str(channel)
    conversation = ctx.activity.conversation
    if getattr(conversation, "conversation_type", None) == "channel":
        return str(conversation.id).split(";")[0]
    return None


def request_command(services: Services) -> Callable[[Any, str], Any]:
    """`request`: the card with Request an additional meeting, answered only to the asker."""

    async def answer(ctx: Any, args: str) -> None:
        user, channel = person_of(ctx), channel_of(ctx)
        try:
            case = await asyncio.to_thread(case_to_request_for, services, user=user, channel=channel, args=args)
        except CoreGroupError as error:
            await answer_privately(ctx, explain(error))
            return
        start = build_request_start_card(reference=case.reference, case_id=case.id)
        activity = MessageActivityInput(attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=start)])
        if getattr(ctx.activity.conversation, "conversation_type", None) not in (None, "personal"):
            activity = activity.with_recipient(ctx.activity.from_, is_targeted=True)
        await ctx.send(activity)

    return answer


def open_request_dialog(services: Services, user: str, data: dict[str, Any]) -> Answer:
    with services.uow_factory() as uow:
        case = uow.cases.get(id_in(data, "case_id"))
        if case is None:
            raise InvalidInputError("This card is out of date: type **request** to start again.")
        case = case_for_request(case.channel, user, uow=uow)
        return dialog_continue(build_request_dialog(reference=case.reference, case_id=case.id))


def submit_request(services: Services, user: str, data: dict[str, Any]) -> Answer:
    concern = str(data.get(Field.CONCERN) or "")
    if concern not in ("new", "deepening", "other"):
        raise InvalidInputError("Choose what the concern is.")
    urgency = str(data.get(Field.URGENCY) or "routine")
    if urgency not in ("routine", "urgent"):
        raise InvalidInputError("Choose how urgent it is.")
    details = clean_details(str(data.get(Field.DETAILS) or ""))
    with services.uow_factory() as uow:
        case = uow.cases.get(id_in(data, "case_id"))
        if case is None:
            raise InvalidInputError("This card is out of date: type **request** to start again.")
        cmd = NewRequest(channel=case.channel, user=user, concern=concern, urgency=urgency, details=details)
        request = request_meeting(cmd, uow=uow, now=services.clock.now())
        text = request_sent_text(
            reference=case.reference,
            routed_to=request.routed_to,
            decider=request.decider,
            decider_role=decider_role(case, request),
        )
        uow.commit()
    return dialog_message(text)


# --- deciding ----------------------------------------------------------------------------------


def open_schedule_dialog(services: Services, user: str, data: dict[str, Any], *, convene: bool) -> Answer:
    now = services.clock.now()
    with services.uow_factory() as uow:
        step = "review" if convene else "decide"
        shown = prepare_decision(uow=uow, now=now, request_id=id_in(data, "request_id"), user=user, step=step)
    calendar = shown.calendar
    dialog = build_schedule_dialog(
        convene=convene,
        reference=shown.reference,
        request_id=shown.request_id,
        initial_day=calendar.next_working_day(calendar.local_date(now)),
    )
    return dialog_continue(dialog)


def submit_schedule(services: Services, user: str, data: dict[str, Any], *, convene: bool) -> Answer:
    """Approve or convene at the date and time chosen (checked as Slack checks them); the first decision wins."""
    request_id, now = id_in(data, "request_id"), services.clock.now()
    try:
        day = date.fromisoformat(str(data.get(Field.DATE) or ""))
        at = time.fromisoformat(str(data.get(Field.TIME) or ""))
    except ValueError:
        raise InvalidInputError("Choose a date and a time for the meeting.") from None
    with services.uow_factory() as uow:
        shown = prepare_decision(
            uow=uow, now=now, request_id=request_id, user=user, step="review" if convene else "decide"
        )
        allowed = str(data.get(Field.NON_WORKING_DAY) or "").lower() in ("true", "1", "on")
        starts_at, problem = check_meeting_time(
            day=day, at=at, now=now, calendar=shown.calendar, allow_non_working_day=allowed
        )
        if problem:
            raise InvalidInputError(f"{problem} Nothing was changed: click the button again to choose another time.")
        if convene:
            decide_escalation(uow=uow, now=now, request_id=request_id, user=user, convene=True, starts_at=starts_at)
        else:
            decide_request(uow=uow, now=now, request_id=request_id, user=user, approve=True, starts_at=starts_at)
        uow.commit()
    return dialog_message(_DONE["convene" if convene else "approve"])


def refuse(services: Services, user: str, data: dict[str, Any], *, uphold: bool) -> Answer:
    """Refuse (or uphold the refusal) with the reason typed under the button: required, checked here again."""
    request_id, now = id_in(data, "request_id"), services.clock.now()
    reason = clean_reason(str(data.get(Field.REASON) or ""), required=True)
    with services.uow_factory() as uow:
        if uphold:
            decide_escalation(uow=uow, now=now, request_id=request_id, user=user, convene=False, reason=reason)
        else:
            decide_request(uow=uow, now=now, request_id=request_id, user=user, approve=False, reason=reason)
        uow.commit()
    return message_response(_DONE["uphold" if uphold else "refuse"])


def ask_coordinator(services: Services, user: str, data: dict[str, Any]) -> Answer:
    with services.uow_factory() as uow:
        escalate_request(uow=uow, now=services.clock.now(), request_id=id_in(data, "request_id"), user=user)
        uow.commit()
    return message_response(
        f"I've sent your request and the refusal to the {COORDINATOR}. You'll hear the outcome in this chat."
    )


class Looks:
    """Answers to Teams' refreshes of the request cards: what each viewer sees, live only for who may act.

    Teams asks each time a decider looks at a card. While `changes` says nothing it depends on has changed, the
    answer worked out last time is given again on the event loop, without the database; otherwise it is worked out
    again (`work_out`, on a worker thread) and kept under the token taken before reading."""

    def __init__(self, services: Services, changes: Changes, answers: RefreshAnswers | None = None) -> None:
        self.services, self.changes = services, changes
        self.answers = answers or RefreshAnswers()

    def remembered(self, user: str, data: dict[str, Any], *, review: bool) -> Answer | None:
        """The kept answer, if it still holds; no database, so safe on the event loop."""
        key = (id_in(data, "request_id"), review, user)
        return self.answers.get(key, token=self.changes.token(), now=self.services.clock.now())

    def work_out(self, user: str, data: dict[str, Any], *, review: bool) -> Answer:
        """The answer from the database, kept for the next look."""
        request_id, now = id_in(data, "request_id"), self.services.clock.now()
        token = self.changes.token()  # before reading: a change committed meanwhile moves it on
        with self.services.uow_factory().reading() as uow:
            loaded = uow.requests.get_with_case(request_id)  # the rule needs the case's organisation, not its roles
            if loaded is None:
                raise InvalidInputError("This card is out of date.")
            request, case = loaded
            if review:
                keys = [notices.review_key(request.id, person) for person in notices.review_messages(request)]
            else:
                keys = [notices.decision_key(request.id, o, to) for o, to in notices.decision_messages(request)]
            found = uow.outbox.by_keys(keys + [f"{key}:closed" for key in keys])
            rows = [found[key] for key in keys if key in found]
            if not rows:
                raise InvalidInputError("This card is out of date.")
            mine = next((r for r in rows if r.recipient == user), rows[0])
            payload = dict((found.get(f"{mine.idempotency_key}:closed") or mine).payload)
            step = "review" if review else "decide"
            live = may_take_step(uow=uow, now=now, request=request, case=case, user=user, step=step)
            timezone = case.organisation.timezone
        if review:
            answer = card_response(build_review_card(payload=payload, reviewer_ids=reviewers_of(payload), live=live))
        else:
            answer = card_response(build_decision_card(payload=payload, decider_ids=deciders_of(payload), live=live))
        self.answers.put((request_id, review, user), answer, token=token, now=now, timezone=timezone)
        return answer


# --- wiring ------------------------------------------------------------------------------------


class Once:
    """Teams retries an invoke it thinks slow: the same activity id gets the first answer, not a second decision."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.lock = asyncio.Lock()

    async def run(self, ctx: Any, work: Callable[[], Answer], *, on_error: Callable[[str], Answer]) -> Answer:
        activity_id = str(getattr(ctx.activity, "id", "") or "")
        async with self.lock:
            if activity_id and activity_id in self.answers:
                return self.answers[activity_id]
            try:
                answer = await asyncio.to_thread(work)
            except CoreGroupError as error:
                answer = on_error(explain(error))
            if activity_id:
                self.answers[activity_id] = answer
                while len(self.answers) > self.size:
                    self.answers.popitem(last=False)
            return answer


def card_error(message: str) -> Answer:
    return error_response(message)


def register(app: Any, services: Services, *, changes: Changes) -> None:
    """The request dialogs and card actions on the SDK app (the `request` command is `request_command`); `changes`
    says when a refresh answer kept in memory still holds."""
    once = Once()

    def dialog(fn: Callable[..., Answer], **kw: Any) -> Callable[[Any], Any]:
        async def handler(ctx: Any) -> Answer:
            user, data = person_of(ctx), data_of(ctx)
            return await once.run(ctx, lambda: fn(services, user, data, **kw), on_error=dialog_message)

        return handler

    def action(fn: Callable[..., Answer], **kw: Any) -> Callable[[Any], Any]:
        async def handler(ctx: Any) -> Answer:
            user, data = person_of(ctx), data_of(ctx)
            return await once.run(ctx, lambda: fn(services, user, data, **kw), on_error=card_error)

        return handler

    def look(*, review: bool) -> Callable[[Any], Any]:
        # A refresh only reads: a retried one is simply answered again, so it neither waits for `once`'s lock
        # (behind someone's decision) nor fills its memory.
        async def handler(ctx: Any) -> Answer:
            user, data = person_of(ctx), data_of(ctx)
            try:
                kept = looks.remembered(user, data, review=review)
                if kept is not None:
                    return kept
                return await asyncio.to_thread(looks.work_out, user, data, review=review)
            except CoreGroupError as error:
                return card_error(explain(error))

        return handler

    app.on_dialog_open(str(Dialog.REQUEST_NEW), dialog(open_request_dialog))
    app.on_dialog_submit(str(Submit.REQUEST_NEW), dialog(submit_request))
    app.on_dialog_open(str(Dialog.REQUEST_APPROVE), dialog(open_schedule_dialog, convene=False))
    app.on_dialog_open(str(Dialog.REVIEW_CONVENE), dialog(open_schedule_dialog, convene=True))
    app.on_dialog_submit(str(Submit.REQUEST_APPROVE), dialog(submit_schedule, convene=False))
    app.on_dialog_submit(str(Submit.REVIEW_CONVENE), dialog(submit_schedule, convene=True))
    app.on_card_action_execute(str(Verb.REQUEST_REFUSE), action(refuse, uphold=False))
    app.on_card_action_execute(str(Verb.REVIEW_UPHOLD), action(refuse, uphold=True))
    app.on_card_action_execute(str(Verb.REQUEST_ASK_COORDINATOR), action(ask_coordinator))
    looks = Looks(services, changes)
    app.on_card_action_execute(str(Verb.REQUEST_REFRESH), look(review=False))
    app.on_card_action_execute(str(Verb.REVIEW_REFRESH), look(review=True))
