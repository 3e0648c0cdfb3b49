"""The one error handler: expected errors answer the user; anything else gets an incident id."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App

from zoneinfo import ZoneInfo

from bot.authority import AlreadyDoneError, NotYoursError
from bot.errors import CoreGroupError
from handlers.render import mention

log = logging.getLogger("coregroup.errors")


def explain(error: CoreGroupError) -> str:
    """The one explanation of an expected error: whose step it is, or who already took it and when.

    'Only the chair of CP-2027-0142 (@x) or their chairing delegate can schedule its meetings. Nothing was changed.'
    'Already approved by @x at 10:42 on Tue 3 Aug 2027.' (about the message clicked or the command typed)
    """
    if isinstance(error, NotYoursError):
        return f"Only {error.who.format(owner=mention(error.owner) if error.owner else 'nobody')} can {error.step}. " \
               "Nothing was changed."
    if isinstance(error, AlreadyDoneError):
        by = " by you" if error.yours else (f" by {mention(error.by)}" if error.by else "")
        when = ""
        if error.at is not None:
            local = error.at.astimezone(ZoneInfo(error.timezone))
            when = f" at {local:%H:%M} on {local:%a %-d %b %Y}"
        return f"Already {error.done}{by}{when}."
    return error.message


def handle_error(error: Exception, body: dict, respond, client, logger) -> None:
    """Tell the person what went wrong; log unexpected errors with their traceback, never the payload."""
    if isinstance(error, CoreGroupError):
        _tell(body, respond, client, explain(error))
        return
    incident = uuid.uuid4().hex[:8]
    kind = body.get("type") or body.get("command") or "request"
    log.error("incident %s while handling %s", incident, kind, exc_info=error)
    _tell(body, respond, client, f"Sorry, something went wrong and nothing was changed. Incident id: {incident}.")


def _tell(body: dict, respond, client, text: str) -> None:
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    try:
        if body.get("response_url") or body.get("response_urls"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except Exception:  # the error path must never raise: log and give up
        log.exception("could not tell the user about an error")


def register(app: App) -> None:
    """Install the central error handler."""
    app.error(handle_error)
