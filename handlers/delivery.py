"""Deliver outbox notices to Slack: render, post or update, and translate Slack's answers."""

from __future__ import annotations

import urllib.error
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.dispatch import Delivery, PermanentFailure, RetryLater, TemporaryFailure
from bot.notice_payloads import PayloadError
from bot.notice_payloads.renderers import Renderers
from handlers.people import display_names
from handlers.render import Rendered, RenderedFile

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

    def __init__(self, client: WebClient, *, renderers: Renderers[Rendered]) -> None:
        self.client, self.renderers = client, renderers

    def send(self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None) -> Delivery:
        """Post the notice to `recipient` (a channel or a user's DM), or update `replaces` in place."""
        try:
            rendered = self.renderers.render(kind, payload)
        except LookupError:
            # A notice this version cannot show must not hold up every other message in the pass.
            raise PermanentFailure("no_renderer") from None
        except PayloadError:
            # A row this version cannot read (written by a newer one, or damaged): the same, and the admins are told.
            raise PermanentFailure("unreadable_payload") from None
        if rendered.file is not None:
            return self._upload(recipient, rendered, rendered.file)
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
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"network: {exc.__class__.__name__}") from None
        return Delivery(channel=response["channel"], ts=response["ts"])

    def _upload(self, recipient: str, rendered: Rendered, document: RenderedFile) -> Delivery:
        """Upload a document into `recipient`'s DM (the D… id from conversations.open) or a channel."""
        try:
            channel = recipient
            if recipient[:1] in ("U", "W"):
                channel = self.client.conversations_open(users=recipient)["channel"]["id"]
            content = document.write(display_names(self.client, document.people))
            response = self.client.files_upload_v2(
                channel=channel,
                content=content,
                filename=document.filename,
                title=document.title,
                initial_comment=rendered.text,
            )
        except SlackApiError as exc:
            raise _classify(exc) from None
        except SlackRequestError as exc:  # the upload itself (step 2 of files_upload_v2) failed
            raise TemporaryFailure(f"upload: {str(exc)[:80]}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"network: {exc.__class__.__name__}") from None
        # A shared file has no message ts of its own to update later: the file id stands in for it.
        return Delivery(channel=channel, ts=(response.get("file") or {}).get("id") or "file")


def _classify(exc: SlackApiError) -> Exception:
    status = exc.response.status_code
    error = (exc.response.data or {}).get("error", "") if isinstance(exc.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        return RetryLater(_retry_after(exc.response.headers))
    if status >= 500:
        return TemporaryFailure(f"http {status}")
    if error in PERMANENT_ERRORS:
        return PermanentFailure(error)
    return TemporaryFailure(error or f"http {status}")


def _retry_after(headers: dict) -> float:
    """Seconds from a 429's Retry-After header (1 when it is missing or unreadable)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return 1.0
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 1.0
