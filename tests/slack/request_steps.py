"""Steps for driving `/request-core-group` the way Slack does: commands, clicks and form submissions in,
Web API calls out."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sandbox.slack_sender import state_from_view

LONDON = ZoneInfo("Europe/London")
CASE_CHANNEL = "C0CASE142"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def text_of(message: dict) -> str:
    """Everything a person reads in a message: its sections and context lines."""
    parts = []
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements") or []:
            if element.get("type") == "mrkdwn":
                parts.append(element["text"])
    return "\n".join(parts)


def buttons(message: dict) -> dict[str, str]:
    """The message's buttons: label -> action_id."""
    return {
        e["text"]["text"]: e["action_id"]
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("type") == "button"
    }


def button_value(message: dict, label: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element["value"]
    raise AssertionError(f"no {label!r} button in {buttons(message)}")


REQUEST_KINDS = {
    "request_decision",
    "request_approved",
    "request_refused",
    "request_coordinator_review",
    "request_outcome",
    "delegate_appointed",
}


def dms(bot, user: str) -> list[dict]:
    """The user's DMs from this feature (other features' reminders are left out), as they look now."""
    with bot.services.uow_factory() as uow:
        ours = {m.message_ts for m in uow.outbox.list(status="sent") if m.kind in REQUEST_KINDS}
    return [m for m in bot.fake.messages(user) if m["ts"] in ours]


def opened_view(bot, since: int) -> dict:
    """The modal the bot opened after the bookmark, as Slack holds it."""
    (call,) = bot.fake.wait_for("views.open", since=since)
    return call.response["view"]


def open_request_form(bot, *, user: str = "U0HV", text: str = "", channel: str = CASE_CHANNEL) -> dict:
    mark = bot.fake.mark()
    response = bot.slack.slash_command(command="/request-core-group", text=text, user_id=user, channel_id=channel)
    assert response.status == 200
    return opened_view(bot, mark)


def submit(bot, *, user: str, view: dict, answers: dict, wait_for: str | None = "chat.postEphemeral"):
    """Submit a modal; wait for the bot's answer (an ephemeral message) unless the form stays open."""
    mark = bot.fake.mark()
    response = bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))
    assert response.status == 200
    if wait_for and not (response.json() or {}).get("errors"):
        bot.fake.wait_for(wait_for, since=mark)
    return response


def make_request(
    bot,
    *,
    user: str = "U0HV",
    at: datetime,
    urgency: str = "routine",
    concern: str = "deepening",
    details: str = "Teacher reports new bruising; Father's <partner> has moved in",
    channel: str = CASE_CHANNEL,
) -> dict:
    """Ask for an additional meeting and deliver the team leader's message; returns the ephemeral confirmation."""
    bot.at(at)
    view = open_request_form(bot, user=user, channel=channel)
    mark = bot.fake.mark()
    submit(
        bot,
        user=user,
        view=view,
        answers={"request.concern": concern, "request.urgency": urgency, "request.details": details},
    )
    (confirmation,) = bot.fake.calls_to("chat.postEphemeral", since=mark)
    bot.dispatch()
    return confirmation.params


def click(bot, *, user: str, message: dict, label: str, at: datetime | None = None):
    """Click a button on a DM message, as `user`."""
    if at is not None:
        bot.at(at)
    return bot.slack.block_action(
        user_id=user, action_id=buttons(message)[label], value=button_value(message, label), message=message
    )


def click_and_open(bot, *, user: str, message: dict, label: str, at: datetime | None = None) -> dict:
    """Click a button that opens a form; returns the form."""
    mark = bot.fake.mark()
    click(bot, user=user, message=message, label=label, at=at)
    return opened_view(bot, mark)


def approve(bot, *, user: str, message: dict, day: str, at_time: str, when: datetime, label: str = "Approve") -> str:
    """Approve (or convene) with a date and time; returns the ephemeral answer to the decider."""
    view = click_and_open(bot, user=user, message=message, label=label, at=when)
    mark = bot.fake.mark()
    submit(bot, user=user, view=view, answers={"request.date": day, "request.time": at_time})
    (answer,) = bot.fake.calls_to("chat.postEphemeral", since=mark)
    return answer.params["text"]


def refuse(bot, *, user: str, message: dict, reason: str, when: datetime, label: str = "Refuse") -> str:
    view = click_and_open(bot, user=user, message=message, label=label, at=when)
    mark = bot.fake.mark()
    submit(bot, user=user, view=view, answers={"request.reason": reason})
    (answer,) = bot.fake.calls_to("chat.postEphemeral", since=mark)
    return answer.params["text"]


def ephemeral_answer(bot, response) -> str:
    """The ephemeral text the bot sent through the response_url of `response`'s request."""
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["response_type"] == "ephemeral" and call.params.get("replace_original") is False
    return call.params["text"]
