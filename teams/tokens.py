"""The bot's own access token for the Bot Connector: OAuth 2.0 client credentials at the Microsoft identity platform.

Both the SDK's in-turn replies and the outbox sender use this one provider. The SDK's own client-credentials path
(MSAL) accepts only an https authority and asks login.microsoftonline.com about any other host, so it could not be
pointed at TEAMS_LOGIN_URL for a test or a sovereign cloud: this is the same request (RFC 6749 §4.4) made directly.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

import httpx

from teams.config import BOT_SCOPE, TeamsSettings

log = logging.getLogger("coregroup.teams")

#: A token is renewed this long before it expires, so a request never carries one that runs out on the way.
RENEW_BEFORE = 300.0


class TokenError(Exception):
    """The identity platform did not give a token (wrong secret, unknown tenant, unreachable)."""


class ClientCredentialsToken:
    """A cached Bot Connector token for the app, renewed shortly before it expires; safe across threads."""

    def __init__(
        self,
        settings: TeamsSettings,
        *,
        http: httpx.Client | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http or httpx.Client(timeout=10.0, trust_env=False)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentialsToken(app_id={self._settings.app_id!r})"

    def get(self) -> str:
        """A valid access token, fetched only when the cached one is near its end."""
        with self._lock:
            if self._token is None or self._monotonic() >= self._expires - RENEW_BEFORE:
                self._token, lifetime = self._fetch()
                self._expires = self._monotonic() + lifetime
            return self._token

    def forget(self) -> None:
        """Drop the cached token (the connector refused it): the next `get` fetches a new one."""
        with self._lock:
            self._token = None

    def for_sdk(self) -> Callable[[str | list[str], str | None], Awaitable[str]]:
        """The provider the Teams SDK calls (scope, tenant) for in-turn replies; it never blocks the event loop."""

        def provide(scope: str | list[str], tenant_id: str | None = None) -> Awaitable[str]:
            return asyncio.to_thread(self.get)

        return provide

    def _fetch(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.app_id,
            "client_secret": self._settings.app_password,
            "scope": BOT_SCOPE,
        }
        try:
            response = self._http.post(self._settings.token_url, data=form)
        except httpx.HTTPError as exc:
            raise TokenError(f"token endpoint unreachable: {exc.__class__.__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            # The identity platform's error code says why (invalid_client, unauthorized_client ...); never the secret.
            code = body.get("error") if isinstance(body, dict) else None
            raise TokenError(f"no token (http {response.status_code}, {code or 'no error code'})")
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        log.info("Bot Connector token obtained for app %s, valid %ds", self._settings.app_id, int(lifetime))
        return token, lifetime
