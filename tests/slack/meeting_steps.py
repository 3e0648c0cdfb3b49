"""Steps for driving `/core-group schedule` and `/core-group record` the way Slack does, and reading what
people then see."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sandbox.slack_sender import state_from_view

LONDON = ZoneInfo("Europe/London")
CASE_CHANNEL = "C0CASE142"
CHAIR, TEAM_LEADER, COORDINATOR = "U0CHAIR", "U0TL", "U0COORD"
MEMBERS = ("U0HV", "U0TEACH", "U0POL")
WITH_SLACK = (CHAIR, TEAM_LEADER, *MEMBERS)
CHECKLIST_ANSWERS = {
    "meeting.checklist.supports": "Family support worker twice weekly; CAMHS referral made.",
    "meeting.checklist.monitoring": "Health visitor visits weekly and reports to the chair.",
    "meeting.checklist.outcomes": "School attendance above 90%.",
    "meeting.checklist.contingency": "If a visit is refused twice, the chair reconvenes the group.",
}


def local(*args: int) -> datetime:
    """A moment on London's clocks (BST or GMT as the date decides)."""
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


def posts(bot, channel: str, *, kind: str | None = None, since: int = 0) -> list[dict]:
    """chat.postMessage calls that reached `channel` (a channel id or a user's DM), oldest first."""
    calls = bot.fake.calls_to("chat.postMessage", since=since)
    found = [c.params for c in calls if c.ok and c.params.get("channel") == channel]
    return [p for p in found if kind is None or kind in p.get("text", "")]


def open_modal(bot, subcommand: str, user: str = CHAIR, channel: str = CASE_CHANNEL) -> dict:
    """Run `/core-group <subcommand>` and return the modal the bot opened, as Slack holds it."""
    mark = bot.fake.mark()
    response = bot.slack.slash_command(command="/core-group", text=subcommand, user_id=user, channel_id=channel)
    assert response.status == 200
    (opened,) = bot.fake.wait_for("views.open", since=mark)
    assert opened.ok, opened.response
    return opened.response["view"]


def submit(bot, view: dict, answers: dict, user: str = CHAIR):
    """Submit the modal with `answers` (by action id); the bot's HTTP answer (errors stay in the modal)."""
    return bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))


def save(bot, view: dict, answers: dict, user: str = CHAIR) -> str:
    """Submit the modal, expect it to close, and wait for the bot's confirmation to `user` (sent once saved)."""
    mark = bot.fake.mark()
    response = submit(bot, view, answers, user)
    assert response.status == 200 and modal_errors(response) == {}, response.body
    return ephemeral_to(bot, user, since=mark)


def modal_errors(response) -> dict[str, str]:
    """The per-input errors a submission was answered with ({} when the modal closed)."""
    body = response.json() or {}
    return body.get("errors", {}) if body.get("response_action") == "errors" else {}


def ephemeral_to(bot, user: str, *, since: int = 0, count: int = 1) -> str:
    """The latest ephemeral message the bot showed `user` (chat.postEphemeral)."""
    calls = bot.fake.wait_for(
        "chat.postEphemeral", since=since, count=count, where=lambda c: c.params.get("user") == user
    )
    return calls[-1].params["text"]


def schedule(bot, answers: dict, *, at: datetime | None = None, user: str = CHAIR) -> str:
    """Open the schedule modal, save it, and return the chair's confirmation once the change is saved."""
    if at is not None:
        bot.at(at)
    return save(bot, open_modal(bot, "schedule", user), answers, user)


def record(bot, answers: dict | None = None, *, at: datetime | None = None, user: str = CHAIR) -> str:
    """Open the record modal, save it with the four points answered (plus `answers`), return the confirmation."""
    if at is not None:
        bot.at(at)
    view = open_modal(bot, "record", user)
    return save(bot, view, {**CHECKLIST_ANSWERS, **(answers or {})}, user)


def status_text(bot, user: str = "U0HV") -> str:
    """`/core-group status` in the case channel, as `user` reads it."""
    mark = bot.fake.mark()
    bot.slack.slash_command(command="/core-group", text="status", user_id=user, channel_id=CASE_CHANNEL)
    (reply,) = bot.fake.wait_for("response_url", since=mark)
    return "\n".join(b["text"]["text"] for b in reply.params["blocks"] if isinstance(b.get("text"), dict))


def case_row(bot):
    with bot.services.uow_factory() as uow:
        return uow.cases.get_by_reference("CP-2027-0142")


def meetings(bot) -> list:
    """The case's meetings, in time order."""
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return list(uow.meetings.for_case(case.id))


def dues(bot) -> list:
    """The case's due periods, oldest first."""
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return list(uow.meetings.dues_for(case.id))
