"""Signing and posting requests to a bot the way Slack does, and the bot's answer.

``SignedPoster`` holds the HTTP side of :class:`sandbox.slack_sender.SlackSender`: Slack's
``X-Slack-Request-Timestamp`` / ``X-Slack-Signature`` headers, and a POST that never uses a proxy and
returns non-2xx answers instead of raising them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SignedPoster", "SlackResponse", "USER_AGENT"]

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class SlackResponse:
    """The bot's answer to one request, plus what was sent (``sent``: the slash-command form fields,
    the interaction payload, or the event envelope) and how long the answer took (``elapsed``)."""

    status: int
    body: str
    headers: dict
    sent: dict = field(default_factory=dict)
    elapsed: float = 0.0

    def json(self) -> dict | None:
        """The body as JSON, or ``None`` when it is empty or not JSON (Bolt acks with an empty body)."""
        if not self.body or not self.body.strip():
            return None
        try:
            value = json.loads(self.body)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def trigger_id(self) -> str | None:
        """The trigger_id sent (also the key given to ``response_url_factory``)."""
        return self.sent.get("trigger_id")

    @property
    def response_url(self) -> str | None:
        return self.sent.get("response_url")


class SignedPoster:
    """Signs bodies with ``signing_secret`` and POSTs them to ``bot_url`` (a base of ``SlackSender``)."""

    def __init__(self, *, bot_url: str, signing_secret: str, timeout: float = 10.0) -> None:
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @staticmethod
    def signature(*, signing_secret: str, timestamp: str, body: str) -> str:
        """Slack's request signature: ``"v0=" + hex(HMAC-SHA256(secret, f"v0:{timestamp}:{body}"))``."""
        base = f"v0:{timestamp}:{body}".encode()
        return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()

    def signed_headers(self, body: str, *, timestamp: int | None = None) -> dict:
        """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` for ``body`` (now, unless given)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.signature(signing_secret=self.signing_secret, timestamp=ts, body=body),
        }

    def _send(
        self, body: str, content_type: str, *, sent: dict, extra_headers: Mapping[str, str] | None = None
    ) -> SlackResponse:
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "Accept": "application/json,*/*",
            **self.signed_headers(body),
            **(extra_headers or {}),
        }
        return self._post(body, headers, sent=sent)

    def _post(self, body: str, headers: Mapping[str, str], *, sent: dict) -> SlackResponse:
        request = urllib.request.Request(self.bot_url, data=body.encode("utf-8"), headers=dict(headers), method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, raw, resp_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:  # non-2xx: returned, not raised
            status, raw, resp_headers = error.code, error.read(), error.headers
            error.close()
        charset = (resp_headers.get_content_charset() if resp_headers is not None else None) or "utf-8"
        return SlackResponse(
            status=status,
            body=raw.decode(charset, "replace"),
            headers=dict(resp_headers.items()) if resp_headers is not None else {},
            sent=sent,
            elapsed=time.monotonic() - started,
        )
