"""Steps for driving plan copies and the CP9 the way Slack does: a recorded meeting, the chair's forms, people's
buttons, and reading the messages each person then has (updated in place as Slack shows them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.slack_sender import state_from_view
from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import CHAIR, COORDINATOR, modal_errors, open_modal, record
from tests.slack.request_steps import button_value, buttons

#: Who the standard record says was there: the chair, two members and Mother; the police officer and Father
#: were invited but could not attend (nobody ticks them: everyone is invited); the team leader was taken off the
#: invited list, with a reason.
NOT_INVITED_REASON = "The team leader decides requests and does not attend core group meetings."
ATTENDANCE = {
    "meeting.attended": [CHAIR, "U0HV", "U0TEACH", "p:Mother"],
    "meeting.not_invited": ["U0TL"],
    "meeting.not_invited_reason": NOT_INVITED_REASON,
}
RECIPIENTS_WITH_SLACK = ("U0HV", "U0TEACH", "U0POL")
ENGLAND = {"name": "Kent County Council", "profile": "england", "nation": "england", "closure_days": []}


def case_meeting_at(bot, when: datetime, *, organisation: dict | None = None) -> None:
    """Register the case a week before `when` with its first meeting at `when`, announced out of the way."""
    bot.at(when - timedelta(days=7))
    case = {
        **CASE,
        "registered_on": (when - timedelta(days=10)).date().isoformat(),
        "first_meeting": when.strftime("%Y-%m-%dT%H:%M"),
    }
    bot.import_organisation(organisation_file(organisation=organisation, cases=[case]))
    bot.dispatch()


def record_meeting(bot, *, at: datetime, answers: dict | None = None) -> str:
    """The chair records the meeting (the standard attendance) and what follows is delivered."""
    said = record(bot, {**ATTENDANCE, **(answers or {})}, at=at)
    bot.dispatch()
    return said


def messages_to(bot, user: str, containing: str) -> list[dict]:
    """The messages in `user`'s DM whose notification text contains `containing`, as they stand now."""
    return [m for m in bot.fake.messages(user) if containing in m.get("text", "")]


def message_to(bot, user: str, containing: str) -> dict:
    """The one message in `user`'s DM whose text contains `containing`."""
    (found,) = messages_to(bot, user, containing)
    return found


def press(bot, user: str, message: dict, label: str):
    """`user` clicks the button `label` on a message in a DM."""
    return bot.slack.block_action(
        user_id=user, action_id=buttons(message)[label], value=button_value(message, label), message=message
    )


def answer_to(bot, response) -> str:
    """The ephemeral answer sent through the response_url of `response`'s request."""
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["response_type"] == "ephemeral" and call.params.get("replace_original") is False
    return call.params["text"]


def command_reply(bot, text: str, *, user: str, channel: str = "C0CASE142") -> dict:
    """`/core-group <text>` in the case channel; the bot's ephemeral answer to that very command."""
    response = bot.slack.slash_command(command="/core-group", text=text, user_id=user, channel_id=channel)
    assert response.status == 200
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    return call.params


def blocks_text(reply: dict) -> str:
    """The sections of an ephemeral answer, as read."""
    return "\n".join(b["text"]["text"] for b in reply.get("blocks") or [] if isinstance(b.get("text"), dict))


def press_and_open(bot, user: str, message: dict, label: str) -> dict:
    """Click a button that opens a form; returns the form as Slack holds it."""
    mark = bot.fake.mark()
    press(bot, user, message, label)
    (opened,) = bot.fake.wait_for("views.open", since=mark)
    assert opened.ok, opened.response
    return opened.response["view"]


def submit_form(bot, view: dict, answers: dict, *, user: str = CHAIR) -> tuple[dict, str | None]:
    """Submit a form: (errors that kept it open, the ephemeral answer once it closed)."""
    mark = bot.fake.mark()
    response = bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))
    assert response.status == 200
    errors = modal_errors(response)
    if errors:
        return errors, None
    (said,) = bot.fake.wait_for("chat.postEphemeral", since=mark, where=lambda c: c.params.get("user") == user)
    bot.dispatch()
    return {}, said.params["text"]


def plan_sent_by_command(bot, answers: dict | None = None, *, user: str = CHAIR) -> tuple[dict, str | None]:
    """`/core-group plan-sent` in the case channel, then the form."""
    return submit_form(bot, open_modal(bot, "plan-sent", user), answers or {}, user=user)


__all__ = [  # CHAIR, COORDINATOR and buttons are re-exported for the tests
    "ATTENDANCE",
    "CHAIR",
    "COORDINATOR",
    "ENGLAND",
    "RECIPIENTS_WITH_SLACK",
    "answer_to",
    "blocks_text",
    "buttons",
    "case_meeting_at",
    "command_reply",
    "message_to",
    "messages_to",
    "plan_sent_by_command",
    "press",
    "press_and_open",
    "record_meeting",
    "submit_form",
]


def tick(view: dict, *labels: str) -> list[str]:
    """The checkbox values (copy ids) of the role labels in the plan-sent form."""
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "receipt.labels"]
    by_label = {o["text"]["text"].split(" (")[0]: o["value"] for o in block["element"]["options"]}
    return [by_label[label] for label in labels]


def plan_sent_from_message(bot, *labels_how_when, at: datetime) -> str:
    """Plan sent from the chair's message at `at`, ticking `labels` with how and when (or nobody); what it said."""
    bot.at(at)
    view = press_and_open(bot, CHAIR, message_to(bot, CHAIR, "Send the plan"), "Plan sent")
    answers = {}
    if labels_how_when:
        labels, how, when = labels_how_when
        answers = {"receipt.labels": tick(view, *labels), "receipt.how": how, "receipt.when": when}
    errors, said = submit_form(bot, view, answers)
    assert not errors, errors
    return said
