"""The one error handler: expected errors answer the user; anything else gets an incident id."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App

from bot.errors import CoreGroupError

log = logging.getLogger("coregroup.errors")


def handle_error(error: Exception, body: dict, respond, client, logger) -> None:
    """Tell the person what went wrong; log unexpected errors with their traceback, never the payload."""
    if isinstance(error, CoreGroupError):
        _tell(body, respond, client, error.message)
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
