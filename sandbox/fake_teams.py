"""A local fake of Microsoft's side of a Teams bot, for tests: real HTTP on 127.0.0.1, standard library plus PyJWT.

``FakeTeams`` serves, on one port:

* the Bot Framework OpenID metadata (``/v1/.well-known/openidconfiguration``) and its JWKS (``/v1/.well-known/keys``),
  from an RSA key of its own: point ``TEAMS_OPENID_METADATA_URL`` at :attr:`FakeTeams.openid_metadata_url`;
* the Microsoft identity platform's token endpoint (``/{tenant}/oauth2/v2.0/token``, client credentials): point
  ``TEAMS_LOGIN_URL`` at :attr:`FakeTeams.url`;
* the Bot Connector (``/v3/conversations`` ...) at :attr:`FakeTeams.service_url`: it records every activity the bot
  posts (``POST``) or updates (``PUT``) and every conversation it creates, and can be scripted to fail
  (:meth:`FakeTeams.fail_next`: 429 with ``Retry-After``, 403 ``MessageWritesBlocked``, 412, 502 ...), and can hold
  each conversation to Microsoft's rate limits (:meth:`FakeTeams.limit_conversations`: 429 once a window is full, on
  a clock the test gives, and every refusal recorded).

It also plays Teams towards the bot: :meth:`FakeTeams.post_activity` POSTs an activity (see
:mod:`sandbox.teams_activities`) to the bot's ``/api/messages`` signed with its key, or with whatever token a test
builds with :meth:`FakeTeams.token` (another key, expired, another audience, another service URL).

The JWKS is served from this server's own thread: the Teams SDK fetches keys synchronously inside its event loop.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
_ACTIVITIES = re.compile(r"^/v3/conversations/([^/]+)/activities(?:/([^/]+))?$")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Call:
    """One request the bot made to the fake: method, path (decoded), headers and JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = 0.0  # on the fake's clock (the test's, when it gave one)
    status: int = 0  # what the fake answered

    @property
    def conversation(self) -> str | None:
        match = _ACTIVITIES.match(self.path)
        return match.group(1) if match else None

    @property
    def text(self) -> str:
        """What a person would read: the text, or every TextBlock and fact of the card."""
        body = self.body or {}
        parts = [str(body.get("text") or "")]
        for attachment in body.get("attachments") or []:
            parts.append(json.dumps(attachment.get("content"), ensure_ascii=False))
        return "\n".join(p for p in parts if p)


@dataclass
class _Scripted:
    method: str
    pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeTeams:
    """See the module docstring. ``app_id`` and ``tenant_id`` are the bot's; ``secret`` the password it must use."""

    def __init__(self, *, app_id: str, tenant_id: str, secret: str) -> None:
        self.app_id, self.tenant_id, self.secret = app_id, tenant_id, secret
        self.key = new_key()
        self.kid = "fake-teams-key-1"
        self.calls: list[Call] = []
        self.token_requests: list[dict[str, str]] = []
        self._scripted: list[_Scripted] = []
        self.clock: Callable[[], float] = time.monotonic
        self._windows: tuple[tuple[int, float], ...] = ()
        self._recent: dict[str, deque[float]] = {}
        #: Sends refused because a conversation's window was full: (conversation, at).
        self.window_refusals: list[tuple[str, float]] = []
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-teams", daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeTeams:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def service_url(self) -> str:
        """The Bot Connector's base, as activities name it (with its trailing slash, like Teams)."""
        return f"{self.url}/connector/"

    # --- what the bot did -----------------------------------------------------------------

    def sent(self, conversation: str | None = None) -> list[Call]:
        """Activities the bot posted (in `conversation`, if given), oldest first."""
        return [
            c
            for c in self._calls("POST")
            if c.conversation and (conversation is None or c.conversation == conversation)
        ]

    def updates(self) -> list[Call]:
        return [c for c in self._calls("PUT") if c.conversation]

    def conversations_created(self) -> list[Call]:
        return [c for c in self._calls("POST") if c.path == "/v3/conversations"]

    def _calls(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def fail_next(self, method: str, pattern: str, status: int, body: dict | None = None, **headers: str) -> None:
        """The next `method` call whose path contains `pattern` gets `status` with `body` (and headers)."""
        with self._lock:
            self._scripted.append(_Scripted(method, pattern, status, body or {}, dict(headers)))

    def limit_conversations(
        self, windows: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0)), *, clock=None
    ) -> None:
        """From now on, a post or update to a conversation that already had `count` in the last `seconds` gets 429."""
        with self._lock:
            self._windows = windows
            self.clock = clock or self.clock

    def block_writes_next(self, pattern: str = "/activities") -> None:
        """The next post gets what Teams answers for a user who blocked or uninstalled the app."""
        body = {"error": {"code": "Forbidden", "message": "The bot is not permitted to send messages to this user"}}
        body["error"]["innerHttpError"] = {"statusCode": 403, "subCode": "MessageWritesBlocked"}
        self.fail_next("POST", pattern, 403, {**body, "subCode": "MessageWritesBlocked"})

    # --- playing Teams towards the bot ------------------------------------------------------

    def token(self, *, key: rsa.RSAPrivateKey | None = None, service_url: str | None = None, **claims: Any) -> str:
        """A Bot Framework token for the bot: signed with the fake's key unless another is given; claims override."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": self.app_id,
            "serviceurl": service_url or self.service_url,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def post_activity(
        self, bot_url: str, activity: dict, *, token: str | None = "", raw: bytes | None = None
    ) -> tuple[int, Any]:
        """POST `activity` to the bot's /api/messages with a good token (or `token`; None sends no header)."""
        data = raw if raw is not None else json.dumps(activity).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token(service_url=activity.get('serviceUrl'))}"
        request = urllib.request.Request(f"{bot_url}/api/messages", data=data, headers=headers, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=20) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, content = exc.code, exc.read()
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content.decode(errors="replace")

    # --- serving ----------------------------------------------------------------------------

    def _jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def _answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict, dict[str, str]]:
        if method == "GET" and path == "/v1/.well-known/openidconfiguration":
            return 200, {"issuer": ISSUER, "jwks_uri": f"{self.url}/v1/.well-known/keys"}, {}
        if method == "GET" and path == "/v1/.well-known/keys":
            return 200, self._jwks(), {}
        if method == "POST" and path == f"/{self.tenant_id}/oauth2/v2.0/token":
            return self._issue_token(body)
        if not path.startswith("/connector/"):
            return 404, {"error": {"code": "NotFound"}}, {}
        path = path[len("/connector") :]
        call = Call(method, path, headers, body, at=self.clock())
        with self._lock:
            self.calls.append(call)
            scripted = next((s for s in self._scripted if s.method == method and s.pattern in path), None)
            if scripted is not None:
                self._scripted.remove(scripted)
            elif self._windows and call.conversation and method in ("POST", "PUT"):
                scripted = self._over_a_window(call.conversation, call.at)
        if scripted is not None:
            call.status = scripted.status
            return scripted.status, scripted.body, scripted.headers
        status, answer, extra = self._connector(method, path, headers, body)
        call.status = status
        return status, answer, extra

    def _over_a_window(self, conversation: str, at: float) -> _Scripted | None:
        """Microsoft's per-thread throttling: a 429 when any window is full, else the send counts (lock held)."""
        recent = self._recent.setdefault(conversation, deque())
        longest = max(seconds for _, seconds in self._windows)
        while recent and recent[0] <= at - longest:
            recent.popleft()
        for count, seconds in self._windows:
            if sum(1 for t in recent if t > at - seconds) >= count:
                self.window_refusals.append((conversation, at))
                body = {"error": {"code": "TooManyRequests", "message": "Too many requests"}}
                return _Scripted("", "", 429, body, {"Retry-After": "1"})
        recent.append(at)
        return None

    def _connector(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict, dict[str, str]]:
        if not headers.get("authorization", "").startswith("Bearer "):
            return 401, {"error": {"code": "Unauthorized"}}, {}
        if method == "POST" and path == "/v3/conversations":
            member = ((body or {}).get("members") or [{}])[0].get("id", "")
            return 201, {"id": f"a:1to1-{member.removeprefix('29:')}", "serviceUrl": self.service_url}, {}
        if method in ("POST", "PUT") and _ACTIVITIES.match(path):
            return 200, {"id": _ACTIVITIES.match(path).group(2) if method == "PUT" else str(next(self._ids))}, {}  # type: ignore[union-attr]
        return 404, {"error": {"code": "NotFound"}}, {}

    def _issue_token(self, form: Any) -> tuple[int, dict, dict[str, str]]:
        form = form if isinstance(form, dict) else {}
        with self._lock:
            self.token_requests.append({k: v for k, v in form.items() if k != "client_secret"})
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.secret:
            return 401, {"error": "invalid_client"}, {}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        access = jwt.encode(
            {"aud": "https://api.botframework.com", "appid": self.app_id, "exp": int(time.time()) + 3600},
            self.key,
            algorithm="RS256",
        )
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": access}, {}


def _handler(fake: FakeTeams) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body: Any = None
            if raw:
                if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                else:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw.decode(errors="replace")
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer, extra = fake._answer(self.command, urllib.parse.unquote(parsed.path), headers, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's parameter name
            pass

    return Handler
