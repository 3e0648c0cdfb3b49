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

The fake is built from a few parts, one idea each: :mod:`sandbox.http_plumbing` (the server and request
decoding), :mod:`sandbox.call_log` (recorded calls, scripted failures, rate limits),
:mod:`sandbox.web_api` and :mod:`sandbox.files_api` (the methods and the state they change),
:mod:`sandbox.block_limits` (Block Kit validation) and :mod:`sandbox.interactions` (triggers, open
modals and response URLs, which the local sandbox page uses; see :mod:`sandbox.demo`).
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.call_log import Bucket, CallLog, Failure, RecordedCall
from sandbox.files_api import FilesApi
from sandbox.http_plumbing import CaseInsensitiveDict, Reply, Route, Server, decode_params
from sandbox.interactions import Interactions
from sandbox.web_api import SlackError, WebApi, dm_channel_id

__all__ = ["FakeSlack", "RecordedCall", "dm_channel_id"]


class FakeSlack(CallLog, WebApi, FilesApi, Interactions):
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
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._started_at = time.time()
        self._per_channel_rate: float | None = None
        self._global_rate: float | None = None
        self._burst: float = 1.0
        self._mounts: list[tuple[str, Route]] = []
        self._clear_state()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Start serving in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = Server((self._host, self._port), self._route)
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

    def __enter__(self) -> FakeSlack:
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
        self._failures: dict[str, deque[Failure]] = {}
        self._messages: dict[str, list[dict]] = {}
        self._ephemerals: list[dict] = []
        self._views: dict[str, dict] = {}
        self._home_views: dict[str, dict] = {}
        self._used_triggers: set[str] = set()
        self._files: dict[str, dict] = {}
        self._channel_buckets: dict[str, Bucket] = {}
        self._global_bucket: Bucket | None = None
        self._last_ts_micros = 0
        self._clear_interactions()

    # ------------------------------------------------------------------ inspection

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

    # ------------------------------------------------------------------ HTTP routing

    def _route(self, method: str, path: str, headers: CaseInsensitiveDict, raw: bytes) -> Reply:
        parsed = urllib.parse.urlsplit(path)
        route = parsed.path
        if route.startswith("/api/"):
            params = decode_params(raw, headers.get("content-type") or "", parsed.query)
            api_method = route[len("/api/") :]
            return self._call(api_method, params, headers, lambda: self._dispatch(api_method, params, headers))
        if route.startswith("/response_url/") or route == "/response_url":
            key = urllib.parse.unquote(route[len("/response_url/") :]) if route.startswith("/response_url/") else ""
            params = decode_params(raw, headers.get("content-type") or "", parsed.query)
            params["_key"] = key
            return self._call("response_url", params, headers, lambda: self._respond(key, params))
        if route.startswith("/upload/"):
            file_id = urllib.parse.unquote(route[len("/upload/") :])
            params = {"file_id": file_id, "size": len(raw)}
            return self._call("file_upload", params, headers, lambda: self._receive_upload(file_id, headers, raw))
        with self._cond:
            mounts = list(self._mounts)
        for prefix, mounted in mounts:
            if route == prefix.rstrip("/") or route.startswith(prefix):
                return mounted(method, path, headers, raw)
        return Reply(404, "Not Found")

    def _call(self, method: str, params: dict, headers: CaseInsensitiveDict, answer: Callable[[], Any]) -> Reply:
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
                    except SlackError as exc:
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
        return Reply(status, body, extra_headers)
