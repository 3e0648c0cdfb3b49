"""The one error handler: expected errors answer the user; anything else gets an incident id.

It answers only requests known to come from Slack: a request whose signature was never checked (Bolt's
verifier raises on a malformed timestamp and hands the error here) must not make the bot call the body's
`response_url` or write to the body's `user`.
"""

from __future__ import annotations

import logging
import uuid
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltResponse, Respond
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler

from bot.authority import AlreadyDoneError, NotYoursError
from bot.errors import CoreGroupError
from handlers.payloads import channel_of
from handlers.render import mention

log = logging.getLogger("coregroup.errors")

#: Set in the context by `mark_verified`, the first of our global middleware: Bolt runs it only after its own
#: signature check passed (or in Socket Mode, where the connection itself is authenticated).
VERIFIED = "coregroup_verified"


def mark_verified(context, next) -> None:
    """Global middleware, registered first: the request got past Bolt's verification."""
    context[VERIFIED] = True
    next()


def explain(error: CoreGroupError) -> str:
    """The one explanation of an expected error: whose step it is, or who already took it and when.

    'Only the chair of CP-2027-0142 (@x) or their chairing delegate can schedule its meetings. Nothing was changed.'
    'Already approved by @x at 10:42 on Tue 3 Aug 2027.' (about the message clicked or the command typed)
    """
    if isinstance(error, NotYoursError):
        return (
            f"Only {error.who.format(owner=mention(error.owner) if error.owner else 'nobody')} can {error.step}. "
            "Nothing was changed."
        )
    if isinstance(error, AlreadyDoneError):
        by = " by you" if error.yours else (f" by {mention(error.by)}" if error.by else "")
        when = ""
        if error.at is not None:
            local = error.at.astimezone(ZoneInfo(error.timezone))
            when = f" at {local:%H:%M} on {local:%a %-d %b %Y}"
        return f"Already {error.done}{by}{when}."
    return error.message


def handle_error(error: Exception, body: dict, respond, client, context, response) -> BoltResponse | None:
    """Tell the person what went wrong; log unexpected errors with their traceback, never the payload."""
    if not (context or {}).get(VERIFIED):
        log.warning("refused an unverified request (%s); nothing was answered", error.__class__.__name__)
        return BoltResponse(status=401, body={"error": "invalid request"}) if response is not None else None
    if isinstance(error, CoreGroupError):
        _tell(body, respond, client, explain(error))
    else:
        incident = uuid.uuid4().hex[:8]
        kind = body.get("type") or body.get("command") or "request"
        log.error("incident %s while handling %s", incident, kind, exc_info=error)
        _tell(body, respond, client, f"Sorry, something went wrong and nothing was changed. Incident id: {incident}.")
    if response is None or body.get("type") == "event_callback":
        return None  # already acknowledged; an event keeps its 500 so that Slack retries it
    # The person has been told; a 500 would make Slack stack its own error on top of the explanation.
    return BoltResponse(status=200, body="")


def _tell(body: dict, respond, client, text: str) -> None:
    """Ephemeral: through `respond` when it can answer (a response_url, or the Home tab's own), else where the
    person acted (or their DM with the bot)."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    try:
        if respond is not None and (getattr(respond, "response_url", None) or not isinstance(respond, Respond)):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postEphemeral(channel=channel_of(body), user=user, text=text)
    except Exception:  # the error path must never raise: log and give up
        log.exception("could not tell the user about an error")


class KeepAcknowledgement(ListenerCompletionHandler):
    """Keeps a listener's ack() when the listener raised after it.

    Bolt (1.30, threaded listeners) resets the acknowledgement to None when a listener raises after
    acking; the request then finds no listener and is answered 404, so Slack shows an app error on top of
    the explanation the error handler sent. The listener did ack: answer 200.
    """

    def handle(self, request, response) -> None:
        ack = request.context.ack
        if ack is not None and ack.response is None:
            ack.response = BoltResponse(status=200, body="")


def register(app: App) -> None:
    """Install the central error handler."""
    app.error(handle_error)
    app.listener_runner.listener_completion_handler = KeepAcknowledgement()
