"""The Bot Connector's REST API, synchronously (the outbox dispatcher is sync): create a 1:1, send, update.

Every call goes to the service URL a verified activity named (per tenant and region), with the bot's token.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx

from teams.tokens import ClientCredentialsToken


@dataclass
class ConnectorError(Exception):
    """The connector did not take the call: its HTTP status, Teams' error code and sub-code, Retry-After."""

    status: int
    code: str = ""
    sub_code: str = ""
    retry_after: float | None = None

    def __str__(self) -> str:
        return (
            f"http {self.status}"
            + (f" {self.code}" if self.code else "")
            + (f"/{self.sub_code}" if self.sub_code else "")
        )


class NetworkError(Exception):
    """The connector could not be reached (or answered nonsense)."""


class BotConnector:
    """Calls to the Bot Connector as the bot (`28:<app id>`)."""

    def __init__(self, tokens: ClientCredentialsToken, *, app_id: str, http: httpx.Client | None = None) -> None:
        self._tokens = tokens
        self.bot_id = f"28:{app_id}"
        self._http = http or httpx.Client(timeout=15.0, trust_env=False)

    def create_personal(self, *, service_url: str, tenant_id: str, member_id: str) -> str:
        """Open (or find again: Teams returns the same one) the bot's 1:1 chat with `member_id`; its conversation id."""
        body = {
            "isGroup": False,
            "bot": {"id": self.bot_id},
            "members": [{"id": member_id}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        answer = self._call("POST", service_url, "/v3/conversations", body)
        conversation_id = answer.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            raise NetworkError("the connector created a conversation without an id")
        return conversation_id

    def send(self, *, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        """Post `activity` into a conversation; the new activity's id."""
        path = f"/v3/conversations/{_quote(conversation_id)}/activities"
        return self._activity_id(self._call("POST", service_url, path, activity))

    def update(self, *, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> str:
        """Replace a sent activity in place (for everyone in the conversation)."""
        path = f"/v3/conversations/{_quote(conversation_id)}/activities/{_quote(activity_id)}"
        answer = self._call("PUT", service_url, path, {**activity, "id": activity_id})
        return str(answer.get("id") or activity_id)

    def _call(self, method: str, service_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = service_url.rstrip("/") + path
        headers = {"Authorization": f"Bearer {self._tokens.get()}"}
        try:
            response = self._http.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise NetworkError(exc.__class__.__name__) from None
        if response.status_code == 401:
            self._tokens.forget()  # a revoked or rotated secret: the next attempt fetches a fresh token
        if response.status_code >= 300:
            raise _error(response)
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            raise NetworkError("the connector answered something other than JSON") from None
        return answer if isinstance(answer, dict) else {}

    @staticmethod
    def _activity_id(answer: dict[str, Any]) -> str:
        activity_id = answer.get("id")
        if not isinstance(activity_id, str) or not activity_id:
            raise NetworkError("the connector took the activity without giving its id")
        return activity_id


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe=":@;=")


def _error(response: httpx.Response) -> ConnectorError:
    code = sub_code = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        nested = body.get("error")
        error: dict = nested if isinstance(nested, dict) else body
        inner = error.get("innerHttpError")
        code = str(error.get("code") or "")
        sub_code = str(error.get("subCode") or (inner.get("subCode") if isinstance(inner, dict) else "") or "")
        if not sub_code and "MessageWritesBlocked" in str(body):
            sub_code = "MessageWritesBlocked"
    return ConnectorError(response.status_code, code[:80], sub_code[:80], _retry_after(response))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
