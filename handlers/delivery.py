"""Deliver outbox notices to Slack: render, post or update, and translate Slack's answers."""

from __future__ import annotations

import socket
import urllib.error
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dispatch import Delivery, PermanentFailure, RetryLater, TemporaryFailure
from handlers.render import render

#: Errors that retrying cannot fix: the admin is told instead.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
    }
)


class SlackNoticeSender:
    """Sends rendered notices with a Web API client (the dispatcher's Slack surface)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def send(self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None) -> Delivery:
        """Post the notice to `recipient` (a channel or a user's DM), or update `replaces` in place."""
        rendered = render(kind, payload)
        try:
            if replaces is not None:
                response = self.client.chat_update(
                    channel=replaces.channel, ts=replaces.ts, text=rendered.text, blocks=rendered.blocks
                )
            else:
                response = self.client.chat_postMessage(
                    channel=recipient, text=rendered.text, blocks=rendered.blocks, unfurl_links=False
                )
        except SlackApiError as exc:
            raise _classify(exc) from None
        except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as exc:
            raise TemporaryFailure(f"network: {exc.__class__.__name__}") from None
        return Delivery(channel=response["channel"], ts=response["ts"])


def _classify(exc: SlackApiError) -> Exception:
    status = exc.response.status_code
    error = (exc.response.data or {}).get("error", "") if isinstance(exc.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        retry_after = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)) or 1)
        return RetryLater(retry_after)
    if status >= 500:
        return TemporaryFailure(f"http {status}")
    if error in PERMANENT_ERRORS:
        return PermanentFailure(error)
    return TemporaryFailure(error or f"http {status}")
