"""Steps for driving deregistration the way Slack does: `/core-group deregister`, the convener's buttons and
their forms, `/core-group reopen`; and reading what people then see."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sandbox.slack_sender import state_from_view
from tests.harness import organisation_file
from tests.slack.request_steps import local, text_of  # noqa: F401 (re-exported to the deregistration tests)

LONDON = ZoneInfo("Europe/London")
CASE_CHANNEL = "C0CASE142"
CHAIR, TEAM_LEADER, COORDINATOR = "U0CHAIR", "U0TL", "U0COORD"
CONVENER, MEETING_CHAIR, REVIEWING_OFFICER = "U0LP", "U0NP", "U0RO"  # lead professional, named person
DEREGISTERED_AT = datetime(2027, 6, 22, 15, 0, tzinfo=LONDON)  # Tue 22 Jun 2027: the review conference's day
#: The post-deregistration meeting is Fife's procedure (the `fife` profile); its chairs are listed.
FIFE = organisation_file(organisation={"name": "Fife Council", "profile": "fife", "eligible_chairs": ["U0CHAIR"]})
AGREED = {
    "deregistration.conference_on": "2027-06-22",
    "deregistration.convener": CONVENER,
    "deregistration.meeting_chair": MEETING_CHAIR,
    "deregistration.agreed_by": "consensus",
    "deregistration.target_on": "2027-08-10",
}


def buttons(message: dict) -> dict[str, str]:
    """The message's buttons: label -> value."""
    return {
        e["text"]["text"]: e["value"]
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("type") == "button"
    }


def action_ids(message: dict) -> dict[str, str]:
    return {
        e["text"]["text"]: e["action_id"]
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("type") == "button"
    }


def posts(bot, channel: str, *, since: int = 0) -> list[dict]:
    """chat.postMessage calls that reached `channel` (a channel id or a user's DM), oldest first."""
    return [
        c.params
        for c in bot.fake.calls_to("chat.postMessage", since=since)
        if c.ok and c.params.get("channel") == channel
    ]


def command(bot, text: str, *, user: str = CHAIR, channel: str = CASE_CHANNEL):
    """Run `/core-group <text>`; the HTTP response."""
    response = bot.slack.slash_command(command="/core-group", text=text, user_id=user, channel_id=channel)
    assert response.status == 200
    return response


def ephemeral_answer(bot, response) -> str:
    """What the bot answered through the command's response_url (only the person sees it)."""
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["response_type"] == "ephemeral"
    return call.params["text"]


def open_deregistration(bot, *, user: str = CHAIR, at: datetime = DEREGISTERED_AT) -> dict:
    """Run `/core-group deregister` and return the modal the bot opened."""
    bot.at(at)
    mark = bot.fake.mark()
    command(bot, "deregister", user=user)
    (opened,) = bot.fake.wait_for("views.open", since=mark)
    return opened.response["view"]


def submit(bot, view: dict, answers: dict, *, user: str):
    """Submit a modal; the bot's HTTP answer (errors stay in the modal)."""
    return bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))


def modal_errors(response) -> dict[str, str]:
    body = response.json() or {}
    return body.get("errors", {}) if body.get("response_action") == "errors" else {}


def ephemeral_to(bot, user: str, *, since: int) -> str:
    """The ephemeral message the bot showed `user` after the bookmark."""
    calls = bot.fake.wait_for("chat.postEphemeral", since=since, where=lambda c: c.params.get("user") == user)
    return calls[-1].params["text"]


def deregister(bot, answers: dict | None = None, *, user: str = CHAIR, at: datetime = DEREGISTERED_AT) -> str:
    """Deregister the case through the modal and deliver the notices; the ephemeral confirmation."""
    view = open_deregistration(bot, user=user, at=at)
    mark = bot.fake.mark()
    response = submit(bot, view, {**AGREED, **(answers or {})}, user=user)
    assert modal_errors(response) == {}
    said = ephemeral_to(bot, user, since=mark)
    bot.dispatch()
    return said


def dm(bot, user: str) -> dict:
    """The latest bot message in `user`'s DM, as it looks now (updated in place where it was)."""
    return bot.fake.messages(user)[-1]


def click(bot, *, user: str, message: dict, label: str, at: datetime | None = None):
    """Click a button on a DM message as `user`; the HTTP response."""
    if at is not None:
        bot.at(at)
    return bot.slack.block_action(
        user_id=user, action_id=action_ids(message)[label], value=buttons(message)[label], message=message
    )


def click_and_open(bot, *, user: str, message: dict, label: str, at: datetime | None = None) -> dict:
    """Click a button that opens a form; the form."""
    mark = bot.fake.mark()
    click(bot, user=user, message=message, label=label, at=at)
    (opened,) = bot.fake.wait_for("views.open", since=mark)
    return opened.response["view"]


def click_answer(bot, response) -> str:
    """The ephemeral answer to a click (through its response_url)."""
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["response_type"] == "ephemeral" and call.params.get("replace_original") is False
    return call.params["text"]


def record_outcome(bot, answers: dict, *, user: str = MEETING_CHAIR, at: datetime, message: dict | None = None) -> str:
    """Record the meeting's outcome from the button on `message` (default: the user's latest DM); the answer."""
    view = click_and_open(bot, user=user, message=message or dm(bot, user), label="Record the outcome", at=at)
    mark = bot.fake.mark()
    response = submit(bot, view, answers, user=user)
    assert modal_errors(response) == {}
    said = ephemeral_to(bot, user, since=mark)
    bot.dispatch()
    return said


def case_row(bot):
    with bot.services.uow_factory() as uow:
        return uow.cases.get_by_reference("CP-2027-0142")


def deregistration_row(bot):
    with bot.services.uow_factory() as uow:
        return uow.deregistrations.latest_for_case(uow.cases.get_by_reference("CP-2027-0142").id)


def audit_actions(bot, prefix: str) -> list[tuple]:
    with bot.services.uow_factory() as uow:
        return [(e.action, e.actor, e.on_behalf_of) for e in uow.audit.list() if e.action.startswith(prefix)]
