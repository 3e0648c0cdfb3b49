"""The gate in front of Bolt: a bounded body and a valid Slack signature, or nothing reads the payload.

Bolt verifies signatures too, but only after it has read and parsed the whole body, and a malformed
timestamp makes its verifier raise, which reaches the app's error handler with the unverified payload.
Here a request is refused (413 or 401, one log line with no body) before Bolt ever sees it.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
from collections.abc import Callable

from slack_sdk.signature import SignatureVerifier

#: Slack's own payloads are a few kB; a modal with every field full stays far below this.
MAX_BODY = 1024 * 1024
#: Slack's rule: a signature older (or newer) than five minutes is refused, so a captured request cannot be replayed.
MAX_CLOCK_SKEW = 5 * 60

log = logging.getLogger("coregroup.http")


def log_rejection(method: str, path: str, reason: str, size: int) -> None:
    """One line per refused request: where, why and how big; never the body or its headers."""
    log.warning("refused %s %s: %s (%d bytes)", method[:16], path[:200], reason, size)


class SlackGate:
    """WSGI middleware that lets a request through to `app` only with a body of at most `max_body` bytes
    signed with `signing_secret`; anything else is answered 413 or 401 here."""

    def __init__(self, app: Callable, *, signing_secret: str | None, max_body: int = MAX_BODY) -> None:
        self._app = app
        self._max_body = max_body
        # No secret (Socket Mode): nothing can be verified over HTTP, so everything is refused.
        self._verifier = SignatureVerifier(signing_secret) if signing_secret and signing_secret.strip() else None

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        declared = _content_length(environ)
        if declared is not None and declared > self._max_body:
            log_rejection(method, path, "body too large", declared)
            return json_answer(start_response, "413 Request Entity Too Large", {"error": "request too large"})
        if declared is None and not environ.get("wsgi.input_terminated"):
            declared = 0  # PEP 3333: without a length (or a terminated input) there is no body to read
        limit = self._max_body + 1 if declared is None else declared
        body = environ["wsgi.input"].read(limit) if limit else b""
        if len(body) > self._max_body:
            log_rejection(method, path, "body too large", len(body))
            return json_answer(start_response, "413 Request Entity Too Large", {"error": "request too large"})
        reason = self._refusal(environ, body)
        if reason:
            log_rejection(method, path, reason, len(body))
            return json_answer(start_response, "401 Unauthorized", {"error": "invalid request"})
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return self._app(environ, start_response)

    def _refusal(self, environ: dict, body: bytes) -> str | None:
        """Why the request is not Slack's (None when it is)."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        if self._verifier is None:
            return "no signing secret configured"
        if not timestamp or not signature:
            return "unsigned"
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return "malformed timestamp"
        if abs(self._verifier.clock.now() - int(timestamp)) > MAX_CLOCK_SKEW:
            return "timestamp too far from now"
        try:
            expected = self._verifier.generate_signature(timestamp=timestamp, body=body)
        except UnicodeDecodeError:
            return "body is not UTF-8"
        if expected is None or not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return "bad signature"
        return None


class JsonBodyGate:
    """WSGI middleware in front of the Teams endpoint: a JSON body of at most `max_body` bytes, or 413/400 here.
    The token is verified behind it, by the Teams SDK (401 for anything unsigned, forged, expired or not ours)."""

    def __init__(self, app: Callable, *, max_body: int = MAX_BODY) -> None:
        self._app = app
        self._max_body = max_body

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        if method != "POST":
            return json_answer(start_response, "405 Method Not Allowed", {"error": "POST only"})
        declared = _content_length(environ)
        if declared is not None and declared > self._max_body:
            log_rejection(method, path, "body too large", declared)
            return json_answer(start_response, "413 Request Entity Too Large", {"error": "request too large"})
        if declared is None and not environ.get("wsgi.input_terminated"):
            declared = 0
        limit = self._max_body + 1 if declared is None else declared
        body = environ["wsgi.input"].read(limit) if limit else b""
        if len(body) > self._max_body:
            log_rejection(method, path, "body too large", len(body))
            return json_answer(start_response, "413 Request Entity Too Large", {"error": "request too large"})
        try:
            activity = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            activity = None
        if not isinstance(activity, dict):
            log_rejection(method, path, "not a JSON activity", len(body))
            return json_answer(start_response, "400 Bad Request", {"error": "expected a JSON activity"})
        if _automatic_refresh(activity):
            # Teams sends `trigger: "automatic"` when a card refreshes itself for a viewer; the SDK's model (2.1.x)
            # allows only "manual" and answers 500. The refresh handler reads only the verb and the record's id.
            del activity["value"]["trigger"]
            body = json.dumps(activity).encode("utf-8")
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return self._app(environ, start_response)


def _content_length(environ: dict) -> int | None:
    """The declared body size, or None when none (or nonsense) was declared."""
    value = (environ.get("CONTENT_LENGTH") or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def json_answer(start_response: Callable, status: str, body: dict) -> list[bytes]:
    """A small JSON answer with its length."""
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _automatic_refresh(activity: dict) -> bool:
    """An Adaptive Card invoke Teams sent to refresh a card on its own (not a click)."""
    value = activity.get("value")
    return (
        activity.get("type") == "invoke"
        and activity.get("name") == "adaptiveCard/action"
        and isinstance(value, dict)
        and value.get("trigger") == "automatic"
    )
