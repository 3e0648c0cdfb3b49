"""A local fake of Slack's Web API, for tests and the local sandbox.

``FakeSlack`` is a real HTTP server on 127.0.0.1 (standard library only) that answers the Web API
methods the bot uses the way Slack does: HTTP 200 with a JSON body and ``ok: true`` or
``ok: false`` plus an ``error`` code. It keeps the state a test needs to look at (the messages of
each channel and DM, opened views, Home tabs, uploaded files, ephemeral messages) and records every
request so a test can wait for it::

    with FakeSlack(users={"U0HV": "Health Visitor"}) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="C0CASE", text="hello")
        [call] = fake.wait_for("chat.postMessage")
        assert fake.messages("C0CASE")[-1]["text"] == "hello"

Bolt calls ``auth.test`` while an ``App`` is constructed: start the fake first.

``slack_sdk`` honours ``HTTP(S)_PROXY`` and ignores ``NO_PROXY``: clear those variables for a process
that talks to this fake, or its requests go to the proxy instead of 127.0.0.1.

What the fake is strict about (on purpose, because Slack is):

* ``chat.update`` and ``chat.delete`` need the conversation id (``C…``, ``G…`` or ``D…``, as returned by
  ``chat.postMessage`` or ``conversations.open``); a user id there is ``channel_not_found``.
* A ``trigger_id`` can be exchanged for a view once (``views.open``/``views.push``); a second use is
  ``exchanged_trigger_id``.
* Block Kit limits that are easy to break are checked (50 blocks in a message, 100 in a view, 3,000
  characters in a section, 24 in a modal title, unique ``block_id``/``action_id`` …) and answered
  with ``invalid_blocks`` / ``invalid_arguments`` and Slack-like ``response_metadata.messages``. Pass
  ``validate_blocks=False`` to switch this off.
* A request without a token (``Authorization: Bearer …`` header or ``token`` parameter) is
  ``not_authed``; any token is accepted.

Posts to a ``response_url`` are recorded as method ``"response_url"`` (params: the JSON body plus
``_key``); uploads to a ``files.getUploadURLExternal`` URL are recorded as method ``"file_upload"``
(params: ``file_id``, ``size``). Both can be scripted to fail with :meth:`FakeSlack.fail_next`.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import itertools
import json
import logging
import math
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Mapping

__all__ = ["FakeSlack", "RecordedCall", "dm_channel_id"]

logger = logging.getLogger(__name__)

#: Form fields that Slack clients send as JSON strings; they are decoded so tests can read lists/dicts.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})

_DM_PREFIXES = ("U", "W")
_CONVERSATION_PREFIXES = ("C", "G", "D")


def dm_channel_id(user_id: str) -> str:
    """The DM channel id this fake uses for a user: ``"D" + user_id[1:]`` (``U0HV`` → ``D0HV``)."""
    return "D" + user_id[1:]


class CaseInsensitiveDict(dict):
    """A dict of HTTP headers: keys are stored lower-case, lookups ignore case."""

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        super().__init__()
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class RecordedCall:
    """One request the fake received.

    ``params`` is the form or JSON body (plus any query string) decoded into a dict; the JSON string
    fields ``blocks``, ``attachments``, ``view``, ``files`` and ``metadata`` of a form body are decoded
    into lists/dicts. ``headers`` is case-insensitive. ``status`` and ``response`` are what the fake
    answered (``response`` is ``None`` when the answer was not JSON).
    """

    method: str
    params: dict
    headers: dict
    at: float
    status: int = 200
    response: dict | None = None
    seq: int = 0

    @property
    def ok(self) -> bool:
        """True when the fake answered HTTP 200 with ``ok: true`` (or, for an upload, plain text)."""
        return self.status == 200 and (self.response is None or bool(self.response.get("ok")))

    @property
    def error(self) -> str | None:
        """The Slack error code the fake answered with, if any."""
        return (self.response or {}).get("error")

    @property
    def token(self) -> str | None:
        """The token sent (``Authorization: Bearer`` header or ``token`` parameter)."""
        auth = self.headers.get("authorization") or ""
        if auth.lower().startswith("bearer "):
            return auth[7:].strip() or None
        token = self.params.get("token")
        return token if isinstance(token, str) and token else None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int


@dataclass
class _Bucket:
    """A token bucket: ``capacity`` posts at once, refilled at ``rate`` per second."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Refill, then return 0 if a token is available or the seconds until one is."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class _SlackError(Exception):
    def __init__(self, error: str, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.extra = extra

    def body(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: "FakeSlack") -> None:
        self.fake = fake
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = CaseInsensitiveDict(self.headers.items())
        try:
            status, body, extra_headers = self.server.fake._handle_http(self.path, headers, raw)
        except Exception:  # pragma: no cover - a bug in the fake must not hang the client
            logger.exception("FakeSlack failed on %s", self.path)
            status, body, extra_headers = 500, {"ok": False, "error": "fake_slack_internal_error"}, {}
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            data = str(body).encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class FakeSlack:
    """A local fake of Slack's Web API. See the module docstring.

    ``users`` maps user id → display name for ``users.info``; the bot user is always known.
    ``clock`` gives the epoch seconds used for message timestamps (``ts`` stay strictly increasing).
    """

    def __init__(
        self,
        *,
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        team_id: str = "T0TEAM",
        users: Mapping[str, str] | None = None,
        team_name: str = "Core group sandbox",
        team_domain: str = "coregroup-sandbox",
        app_id: str = "A0APP",
        host: str = "127.0.0.1",
        port: int = 0,
        validate_blocks: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = app_id
        self.validate_blocks = validate_blocks
        self._host = host
        self._port = port
        self._clock = clock
        self._users: dict[str, str] = dict(users or {})
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._started_at = time.time()
        self._per_channel_rate: float | None = None
        self._global_rate: float | None = None
        self._burst: float = 1.0
        self._clear_state()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "FakeSlack":
        """Start serving in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = _Server((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "FakeSlack":
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running: call start() (or use it as a context manager)")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``, with its trailing slash."""
        return f"{self.base_url}/api/"

    # ------------------------------------------------------------------ configuration

    def add_user(self, user_id: str, display_name: str) -> None:
        """Make a user known to ``users.info``."""
        with self._cond:
            self._users[user_id] = display_name

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Script the next ``times`` calls of ``method`` to fail.

        * ``status=429``: HTTP 429 with ``Retry-After: retry_after`` (default 1) and error ``ratelimited``.
        * ``status>=500`` (or any other non-200): that status with ``{"ok": false, "error": error}``
          (default ``internal_error``).
        * ``status=200``: ``{"ok": false, "error": error}`` (default ``internal_error``), as Slack
          reports most errors.

        ``method`` may also be ``"response_url"`` or ``"file_upload"``. Failures queue up in order.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if status == 429:
            error = error or "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        failure = _Failure(status=status, error=error or "internal_error", retry_after=retry_after, remaining=times)
        with self._cond:
            self._failures.setdefault(method, deque()).append(failure)

    def set_rate_limit(
        self,
        per_channel_per_second: float | None = None,
        global_per_second: float | None = None,
        *,
        burst: float = 1.0,
    ) -> None:
        """Rate-limit ``chat.postMessage`` (token buckets; ``None`` switches a limit off).

        Beyond a limit the call is answered HTTP 429, error ``ratelimited``, with ``Retry-After`` in whole
        seconds (at least 1), as Slack does. ``burst`` is how many posts may go at once before the
        rate applies. Rate-limited calls are recorded (``status == 429``).
        """
        for value in (per_channel_per_second, global_per_second):
            if value is not None and value <= 0:
                raise ValueError("rates must be positive (or None for no limit)")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        with self._cond:
            self._per_channel_rate = per_channel_per_second
            self._global_rate = global_per_second
            self._burst = float(burst)
            self._channel_buckets = {}
            self._global_bucket = None

    def reset(self) -> None:
        """Forget calls, scripted failures, rate limits, messages, views, ephemeral messages and files."""
        with self._cond:
            self._per_channel_rate = None
            self._global_rate = None
            self._burst = 1.0
            self._clear_state()
            self._cond.notify_all()

    def _clear_state(self) -> None:
        self._calls: list[RecordedCall] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._messages: dict[str, list[dict]] = {}
        self._ephemerals: list[dict] = []
        self._views: dict[str, dict] = {}
        self._home_views: dict[str, dict] = {}
        self._used_triggers: set[str] = set()
        self._files: dict[str, dict] = {}
        self._channel_buckets: dict[str, _Bucket] = {}
        self._global_bucket: _Bucket | None = None
        self._last_ts_micros = 0

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[RecordedCall]:
        """Every request received since start/reset, oldest first (a copy)."""
        with self._cond:
            return list(self._calls)

    def mark(self) -> int:
        """A bookmark: pass it as ``since=`` to only look at calls that arrive after this point."""
        with self._cond:
            return self._calls[-1].seq if self._calls else 0

    def calls_to(self, method: str, *, since: int = 0) -> list[RecordedCall]:
        """The calls to ``method`` (after the bookmark ``since``), oldest first."""
        with self._cond:
            return [c for c in self._calls if c.method == method and c.seq > since]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[RecordedCall], bool] | None = None,
        since: int = 0,
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` calls to ``method`` (matching ``where``) have arrived.

        Returns all matching calls so far, oldest first. Raises ``AssertionError`` listing every call
        that *was* received if the count is not reached within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(method, where, since)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected at least {count} call(s) to {method}"
                        f"{' matching the condition' if where else ''} within {timeout:g}s, "
                        f"but saw {len(found)}.\n{self._describe_calls(since)}"
                    )
                self._cond.wait(min(remaining, 0.1))

    def assert_no_call(
        self,
        method: str,
        *,
        within: float = 0.3,
        where: Callable[[RecordedCall], bool] | None = None,
        since: int = 0,
    ) -> None:
        """Wait ``within`` seconds and assert that no call to ``method`` (matching ``where``) arrived.

        Calls received before this method was called count too (scope with ``since=fake.mark()``).
        Fails as soon as a matching call is seen.
        """
        deadline = time.monotonic() + within
        with self._cond:
            while True:
                found = self._matching(method, where, since)
                if found:
                    raise AssertionError(
                        f"expected no call to {method}{' matching the condition' if where else ''}, "
                        f"but saw {len(found)}:\n"
                        + "\n".join(self._describe(c) for c in found)
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(min(remaining, 0.1))

    def messages(self, channel: str) -> list[dict]:
        """The current messages of a channel or DM, oldest first (copies).

        Each is ``{"ts", "channel", "text", "blocks", "user"}`` plus ``thread_ts``, ``attachments``,
        ``metadata`` or ``files`` when present. A user id (``U…``/``W…``) gives its DM.
        """
        with self._cond:
            return copy.deepcopy(self._messages.get(self._conversation_id(channel), []))

    def channels(self) -> list[str]:
        """The conversation ids that have messages."""
        with self._cond:
            return [channel for channel, messages in self._messages.items() if messages]

    def ephemeral_messages(self, *, channel: str | None = None, user: str | None = None) -> list[dict]:
        """Messages sent with ``chat.postEphemeral``: ``{"message_ts", "channel", "user", "text", "blocks"}``."""
        with self._cond:
            return copy.deepcopy(
                [
                    m
                    for m in self._ephemerals
                    if (channel is None or m["channel"] == self._conversation_id(channel))
                    and (user is None or m["user"] == user)
                ]
            )

    def view(self, view_id: str) -> dict | None:
        """The current state of a view opened, pushed or updated through the fake."""
        with self._cond:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def home_view(self, user_id: str) -> dict | None:
        """The Home tab last published for a user (``views.publish``), or ``None``."""
        with self._cond:
            found = self._home_views.get(user_id)
            return copy.deepcopy(found) if found is not None else None

    def uploaded_files(self) -> list[dict]:
        """Files completed with ``files.completeUploadExternal``, oldest first.

        Each is ``{"file_id", "filename", "title", "content" (bytes), "channel_id", "initial_comment",
        "thread_ts"}``.
        """
        with self._cond:
            return [
                {
                    "file_id": f["file_id"],
                    "filename": f["filename"],
                    "title": f["title"],
                    "content": f["content"],
                    "channel_id": f["channel_id"],
                    "initial_comment": f["initial_comment"],
                    "thread_ts": f["thread_ts"],
                }
                for f in self._files.values()
                if f["completed"]
            ]

    def response_url(self, key: str = "") -> str:
        """A ``response_url`` on this server. POSTs to it are recorded as method ``"response_url"``
        with the JSON body as params plus ``params["_key"] = key``."""
        return f"{self.base_url}/response_url/{urllib.parse.quote(key, safe='')}"

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle_http(self, path: str, headers: CaseInsensitiveDict, raw: bytes) -> tuple[int, Any, dict]:
        parsed = urllib.parse.urlsplit(path)
        route = parsed.path
        if route.startswith("/api/"):
            params = _decode_params(raw, headers.get("content-type") or "", parsed.query)
            method = route[len("/api/") :]
            return self._call(method, params, headers, lambda: self._dispatch(method, params, headers))
        if route.startswith("/response_url/") or route == "/response_url":
            key = urllib.parse.unquote(route[len("/response_url/") :]) if route.startswith("/response_url/") else ""
            params = _decode_params(raw, headers.get("content-type") or "", parsed.query)
            params["_key"] = key
            return self._call("response_url", params, headers, lambda: {"ok": True})
        if route.startswith("/upload/"):
            file_id = urllib.parse.unquote(route[len("/upload/") :])
            params = {"file_id": file_id, "size": len(raw)}
            return self._call("file_upload", params, headers, lambda: self._receive_upload(file_id, headers, raw))
        return 404, "Not Found", {}

    def _call(
        self, method: str, params: dict, headers: CaseInsensitiveDict, answer: Callable[[], Any]
    ) -> tuple[int, Any, dict]:
        with self._cond:
            status, extra_headers = 200, {}
            failure = self._take_failure(method)
            if failure is not None:
                status, body = failure.status, {"ok": False, "error": failure.error}
                if failure.retry_after is not None:
                    extra_headers["Retry-After"] = str(failure.retry_after)
            else:
                wait = self._rate_limited(params) if method == "chat.postMessage" else None
                if wait is not None:
                    status, body = 429, {"ok": False, "error": "ratelimited"}
                    extra_headers["Retry-After"] = str(max(1, math.ceil(wait)))
                else:
                    try:
                        body = answer()
                    except _SlackError as exc:
                        body = exc.body()
            call = RecordedCall(
                method=method,
                params=params,
                headers=headers,
                at=time.time(),
                status=status,
                response=body if isinstance(body, dict) else None,
                seq=next(self._seq),
            )
            self._calls.append(call)
            self._cond.notify_all()
        return status, body, extra_headers

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        return failure

    def _rate_limited(self, params: dict) -> float | None:
        """Seconds to wait if this chat.postMessage is over a limit, else None (and spend the tokens)."""
        now = time.monotonic()
        buckets: list[_Bucket] = []
        if self._per_channel_rate is not None:
            channel = self._conversation_id(str(params.get("channel") or ""))
            bucket = self._channel_buckets.get(channel)
            if bucket is None:
                bucket = _Bucket(self._per_channel_rate, self._burst, self._burst, now)
                self._channel_buckets[channel] = bucket
            buckets.append(bucket)
        if self._global_rate is not None:
            if self._global_bucket is None:
                self._global_bucket = _Bucket(self._global_rate, self._burst, self._burst, now)
            buckets.append(self._global_bucket)
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if wait > 0:
            return wait  # nothing spent: a 429 from one limit does not cost a token of the other
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None

    def _matching(self, method: str, where: Callable[[RecordedCall], bool] | None, since: int) -> list[RecordedCall]:
        return [c for c in self._calls if c.method == method and c.seq > since and (where is None or where(c))]

    def _describe_calls(self, since: int = 0) -> str:
        calls = [c for c in self._calls if c.seq > since]
        if not calls:
            return "No calls were received" + (" after the bookmark." if since else ".")
        lines = [f"Calls received ({len(calls)}):"]
        lines.extend(self._describe(c) for c in calls)
        return "\n".join(lines)

    def _describe(self, call: RecordedCall) -> str:
        details = []
        keys = ("channel", "channel_id", "user", "user_id", "users", "ts", "trigger_id", "view_id", "file_id", "_key")
        for key in keys:
            value = call.params.get(key)
            if value not in (None, ""):
                details.append(f"{key}={value}")
        view = call.params.get("view")
        if isinstance(view, dict) and view.get("callback_id"):
            details.append(f"callback_id={view['callback_id']}")
        text = call.params.get("text")
        if isinstance(text, str) and text:
            details.append(f"text={_shorten(text)!r}")
        if call.ok:
            outcome = "ok"
        elif call.error:
            outcome = f"HTTP {call.status} error={call.error}"
        else:
            outcome = f"HTTP {call.status}"
        offset = call.at - self._started_at
        return " ".join([f"  #{call.seq} +{offset:.3f}s {call.method}", *details, f"-> {outcome}"])

    # ------------------------------------------------------------------ Web API methods

    def _dispatch(self, method: str, params: dict, headers: CaseInsensitiveDict) -> dict:
        handler = self._methods().get(method)
        if handler is None:
            raise _SlackError("unknown_method")
        if not _token_of(params, headers):
            raise _SlackError("not_authed")
        return handler(params)

    def _methods(self) -> dict[str, Callable[[dict], dict]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _auth_test(self, params: dict) -> dict:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "coregroup",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict) -> dict:
        channel = self._require_channel(params.get("channel"), allow_user=True)
        text, blocks = params.get("text"), params.get("blocks")
        attachments = params.get("attachments")
        if not text and not blocks and not attachments:
            raise _SlackError("no_text")
        self._check_message(text, blocks)
        message = self._new_message(channel, text or "", blocks or [])
        for key in ("thread_ts", "attachments", "metadata"):
            if params.get(key):
                message[key] = params[key]
        self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": self._api_message(message)}

    def _chat_update(self, params: dict) -> dict:
        channel = self._require_channel(params.get("channel"), allow_user=False)
        ts = params.get("ts")
        message = self._find_message(channel, ts)
        text, blocks = params.get("text"), params.get("blocks")
        self._check_message(text, blocks)
        if text is not None:
            message["text"] = text
        if blocks is not None:  # as Slack: no blocks keeps the old ones, [] removes them
            message["blocks"] = blocks
        if params.get("attachments") is not None:
            message["attachments"] = params["attachments"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._api_message(message),
        }

    def _chat_delete(self, params: dict) -> dict:
        channel = self._require_channel(params.get("channel"), allow_user=False)
        message = self._find_message(channel, params.get("ts"))
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def _chat_post_ephemeral(self, params: dict) -> dict:
        channel = self._require_channel(params.get("channel"), allow_user=True)
        user = params.get("user")
        if not user:
            raise _SlackError("user_not_in_channel")
        text, blocks = params.get("text"), params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise _SlackError("no_text")
        self._check_message(text, blocks)
        ts = self._next_ts()
        self._ephemerals.append(
            {"message_ts": ts, "channel": channel, "user": user, "text": text or "", "blocks": blocks or []}
        )
        return {"ok": True, "message_ts": ts}

    def _conversations_open(self, params: dict) -> dict:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": params["channel"]}, "already_open": True}
        users = params.get("users")
        if isinstance(users, str):
            users = [u.strip() for u in users.split(",") if u.strip()]
        if not users:
            raise _SlackError("users_list_not_supplied")
        if len(users) == 1:
            if not users[0].startswith(_DM_PREFIXES):
                raise _SlackError("user_not_found")
            return {"ok": True, "channel": {"id": dm_channel_id(users[0])}, "no_op": True, "already_open": True}
        digest = "".join(sorted(u[1:] for u in users))[:10].upper()
        return {"ok": True, "channel": {"id": f"G{digest}"}}

    def _users_info(self, params: dict) -> dict:
        user_id = params.get("user")
        if user_id == self.bot_user_id:
            return {"ok": True, "user": self._user_object(user_id, "coregroup", is_bot=True)}
        if not user_id or user_id not in self._users:
            raise _SlackError("user_not_found")
        return {"ok": True, "user": self._user_object(user_id, self._users[user_id])}

    def _user_object(self, user_id: str, display_name: str, *, is_bot: bool = False) -> dict:
        name = display_name.lower().replace(" ", ".")
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": display_name,
            "deleted": False,
            "is_bot": is_bot,
            "tz": "Europe/London",
            "tz_label": "Europe/London",
            "tz_offset": _london_offset_seconds(),
            "profile": {
                "display_name": display_name,
                "display_name_normalized": display_name,
                "real_name": display_name,
                "real_name_normalized": display_name,
            },
        }

    def _views_open(self, params: dict) -> dict:
        self._exchange_trigger(params)
        view = self._store_view(params.get("view"), kind="modal")
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_push(self, params: dict) -> dict:
        self._exchange_trigger(params)
        view = self._store_view(params.get("view"), kind="modal")
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_update(self, params: dict) -> dict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        current = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next((v for v in self._views.values() if v.get("external_id") == external_id), None)
        else:
            raise _SlackError("invalid_arguments", ["[ERROR] view_id or external_id is required"])
        if current is None:
            raise _SlackError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._store_view(params.get("view"), kind="modal", replacing=current)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_publish(self, params: dict) -> dict:
        user_id = params.get("user_id")
        if not user_id:
            raise _SlackError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        current = self._home_views.get(user_id)
        if params.get("hash") and current is not None and params["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._store_view(params.get("view"), kind="home", replacing=current)
        self._home_views[user_id] = view
        return {"ok": True, "view": copy.deepcopy(view)}

    def _files_get_upload_url(self, params: dict) -> dict:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length in (None, ""):
            raise _SlackError("invalid_arguments", ["[ERROR] filename and length are required"])
        try:
            length = int(length)
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments", ["[ERROR] length must be an integer"]) from None
        file_id = f"F{next(self._ids):010d}"
        self._files[file_id] = {
            "file_id": file_id,
            "filename": filename,
            "length": length,
            "title": None,
            "content": None,
            "completed": False,
            "channel_id": None,
            "initial_comment": None,
            "thread_ts": None,
        }
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _receive_upload(self, file_id: str, headers: CaseInsensitiveDict, raw: bytes) -> str:
        record = self._files.get(file_id)
        if record is None:
            raise _SlackError("file_not_found")
        content_type = headers.get("content-type") or ""
        if content_type.startswith("multipart/form-data"):
            parts = _parse_multipart(raw, content_type)
            raw = next((v for v in parts.values() if isinstance(v, bytes)), raw)
        record["content"] = raw
        return f"OK - {len(raw)}"

    def _files_complete_upload(self, params: dict) -> dict:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise _SlackError("invalid_arguments", ["[ERROR] files must be a non-empty JSON array"])
        channels: list[str] = []
        if params.get("channel_id"):
            channels.append(self._require_channel(params["channel_id"], allow_user=False))
        if params.get("channels"):
            channels.extend(
                self._require_channel(c.strip(), allow_user=False)
                for c in str(params["channels"]).split(",")
                if c.strip()
            )
        records = []
        for item in files:
            record = self._files.get(item.get("id", "")) if isinstance(item, dict) else None
            if record is None or record["content"] is None or record["completed"]:
                raise _SlackError("file_not_found")
            records.append((record, item))
        result = []
        for record, item in records:
            record["completed"] = True
            record["title"] = item.get("title") or record["filename"]
            record["channel_id"] = channels[0] if channels else None
            record["initial_comment"] = params.get("initial_comment")
            record["thread_ts"] = params.get("thread_ts")
            result.append(
                {
                    "id": record["file_id"],
                    "name": record["filename"],
                    "title": record["title"],
                    "size": len(record["content"]),
                    "user": self.bot_user_id,
                    "channels": [c for c in channels if c.startswith("C")],
                    "groups": [c for c in channels if c.startswith("G")],
                    "ims": [c for c in channels if c.startswith("D")],
                }
            )
        for channel in channels:  # Slack shares the files with one message per channel
            message = self._new_message(channel, params.get("initial_comment") or "", [])
            message["files"] = [{"id": f["id"], "name": f["name"], "title": f["title"]} for f in result]
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "files": result}

    # ------------------------------------------------------------------ helpers

    def _conversation_id(self, channel: str) -> str:
        return dm_channel_id(channel) if channel.startswith(_DM_PREFIXES) else channel

    def _require_channel(self, channel: Any, *, allow_user: bool) -> str:
        if not isinstance(channel, str) or not channel:
            raise _SlackError("channel_not_found")
        if channel.startswith(_DM_PREFIXES) and allow_user:
            return dm_channel_id(channel)
        if not channel.startswith(_CONVERSATION_PREFIXES):
            raise _SlackError("channel_not_found")
        return channel

    def _find_message(self, channel: str, ts: Any) -> dict:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise _SlackError("message_not_found")

    def _next_ts(self) -> str:
        micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_message(self, channel: str, text: str, blocks: list) -> dict:
        return {"ts": self._next_ts(), "channel": channel, "text": text, "blocks": blocks, "user": self.bot_user_id}

    def _api_message(self, message: dict) -> dict:
        shown = {k: v for k, v in copy.deepcopy(message).items() if k != "channel"}
        shown.update({"type": "message", "bot_id": self.bot_id, "app_id": self.app_id, "team": self.team_id})
        return shown

    def _exchange_trigger(self, params: dict) -> None:
        trigger = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger:
            raise _SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger in self._used_triggers:
            raise _SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)

    def _store_view(self, view: Any, *, kind: str, replacing: dict | None = None) -> dict:
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments", ["[ERROR] missing required field: view"])
        view_type = view.get("type")
        if view_type != kind:
            raise _SlackError("invalid_arguments", [f"[ERROR] must be '{kind}' [json-pointer:/view/type]"])
        if self.validate_blocks:
            problems = _view_problems(view)
            if problems:
                raise _SlackError("invalid_arguments", problems)
        view_id = replacing["id"] if replacing else f"V{next(self._ids):010d}"
        stored = copy.deepcopy(view)
        stored.update(
            {
                "id": view_id,
                "team_id": self.team_id,
                "app_id": self.app_id,
                "bot_id": self.bot_id,
                "app_installed_team_id": self.team_id,
                "hash": f"{int(self._clock())}.{next(self._ids):08x}",
                "state": {"values": {}},
                "root_view_id": view_id,
                "previous_view_id": None,
            }
        )
        stored.setdefault("blocks", [])
        stored.setdefault("private_metadata", "")
        stored.setdefault("callback_id", "")
        stored.setdefault("external_id", "")
        self._views[view_id] = stored
        return stored

    def _check_message(self, text: Any, blocks: Any) -> None:
        if isinstance(text, str) and len(text) > 40_000:
            raise _SlackError("msg_too_long")
        if blocks is None or not self.validate_blocks:
            return
        problems = _block_problems(blocks, max_blocks=50, pointer="/blocks")
        if problems:
            raise _SlackError("invalid_blocks", problems)


# ---------------------------------------------------------------------- module helpers


def _token_of(params: dict, headers: Mapping[str, str]) -> str | None:
    auth = headers.get("authorization") or ""
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return auth[7:].strip()
    token = params.get("token")
    return token if isinstance(token, str) and token else None


def _shorten(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _london_offset_seconds() -> int:
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        offset = datetime.now(ZoneInfo("Europe/London")).utcoffset()
        return int(offset.total_seconds()) if offset else 0
    except Exception:  # pragma: no cover - no tz database
        return 0


def _decode_params(raw: bytes, content_type: str, query: str) -> dict:
    params: dict[str, Any] = _flatten(urllib.parse.parse_qs(query, keep_blank_values=True)) if query else {}
    ctype = content_type.split(";")[0].strip().lower()
    if raw:
        if ctype == "application/json" or (not ctype and raw.lstrip().startswith(b"{")):
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = {"_raw": raw.decode("utf-8", "replace")}
            params.update(body if isinstance(body, dict) else {"_json": body})
        elif ctype == "multipart/form-data":
            params.update(_parse_multipart(raw, content_type))
        else:
            params.update(_flatten(urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)))
    for key in JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                pass
    return params


def _flatten(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + raw
    )
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            fields[name] = payload
        else:
            fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        value = obj.get("text")
        return value if isinstance(value, str) else ""
    return obj if isinstance(obj, str) else ""


def _block_problems(blocks: Any, *, max_blocks: int, pointer: str) -> list[str]:
    """Check the Block Kit limits that are easy to break; messages read like Slack's."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{where}/block_id]")
            if block_id in block_ids:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{where}/block_id]")
            block_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"[ERROR] must provide text or fields [json-pointer:{where}]")
            if len(_text_of(block.get("text"))) > 3000:
                problems.append(f"[ERROR] must be less than 3001 characters [json-pointer:{where}/text/text]")
            fields = block.get("fields") or []
            if len(fields) > 10:
                problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{where}/fields]")
            for j, fld in enumerate(fields):
                if len(_text_of(fld)) > 2000:
                    problems.append(
                        f"[ERROR] must be less than 2001 characters [json-pointer:{where}/fields/{j}/text]"
                    )
            if isinstance(block.get("accessory"), dict):
                problems.extend(_element_problems(block["accessory"], f"{where}/accessory"))
        elif kind == "header":
            if len(_text_of(block.get("text"))) > 150:
                problems.append(f"[ERROR] must be less than 151 characters [json-pointer:{where}/text/text]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements:
                problems.append(f"[ERROR] must contain at least 1 element [json-pointer:{where}/elements]")
            if len(elements) > 25:
                problems.append(f"[ERROR] no more than 25 items allowed [json-pointer:{where}/elements]")
            action_ids: set[str] = set()
            for j, element in enumerate(elements):
                problems.extend(_element_problems(element, f"{where}/elements/{j}"))
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if action_id is not None:
                    if action_id in action_ids:
                        problems.append(
                            f"[ERROR] duplicate action_id {action_id!r} [json-pointer:{where}/elements/{j}/action_id]"
                        )
                    action_ids.add(action_id)
        elif kind == "context":
            if len(block.get("elements") or []) > 10:
                problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{where}/elements]")
        elif kind == "input":
            if len(_text_of(block.get("label"))) > 2000:
                problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/label/text]")
            if not isinstance(block.get("element"), dict):
                problems.append(f"[ERROR] missing required field: element [json-pointer:{where}]")
            else:
                problems.extend(_element_problems(block["element"], f"{where}/element"))
    return problems


def _element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"[ERROR] missing required field: type [json-pointer:{where}]"]
    problems = []
    if len(str(element.get("action_id") or "")) > 255:
        problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{where}/action_id]")
    if element["type"] == "button":
        if len(_text_of(element.get("text"))) > 75:
            problems.append(f"[ERROR] must be less than 76 characters [json-pointer:{where}/text/text]")
        if len(str(element.get("value") or "")) > 2000:
            problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/value]")
    if element["type"] in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
        if len(element.get("options") or []) > 100:
            problems.append(f"[ERROR] no more than 100 items allowed [json-pointer:{where}/options]")
    return problems


def _view_problems(view: dict) -> list[str]:
    problems = _block_problems(view.get("blocks", []), max_blocks=100, pointer="/view/blocks")
    if view.get("type") == "modal":
        if not _text_of(view.get("title")):
            problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            if len(_text_of(view.get(key))) > 24:
                problems.append(f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            problems.append("[ERROR] must provide a submit property when input blocks are present [json-pointer:/view]")
    if len(str(view.get("private_metadata") or "")) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id") or "")) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    return problems
