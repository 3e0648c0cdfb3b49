"""Send requests to the bot exactly as Slack does: signed slash commands, interactions and events.

``SlackSender`` builds Slack's payloads (form-encoded ``payload=`` JSON for interactivity, the
``event_callback`` envelope for the Events API, the slash-command form), signs them with the signing
secret (``X-Slack-Request-Timestamp`` / ``X-Slack-Signature``) and POSTs them to the bot's HTTP
endpoint. Non-2xx answers are returned, never raised::

    sender = SlackSender(bot_url="http://127.0.0.1:3000/slack/events", signing_secret="secret",
                         response_url_factory=fake.response_url)
    resp = sender.slash_command(command="/core-group", text="status", user_id="U0CHAIR", channel_id="C0CASE")
    assert resp.status == 200
    fake.wait_for("response_url", where=lambda c: c.params["_key"] == resp.trigger_id)

Every request carries a fresh ``trigger_id``; it is also the key handed to ``response_url_factory``, so
``resp.trigger_id`` finds the posts the bot made to that request's ``response_url``.

The sender's own HTTP calls never use a proxy (``urllib`` with an explicit ``ProxyHandler({})``).
Note that ``slack_sdk`` — and so Bolt, for the bot's Web API and ``respond()`` calls — honours
``HTTP(S)_PROXY`` and ignores ``NO_PROXY``: clear those variables for the bot under test when it talks
to a local fake Slack.

The helpers that build the ``view.state.values`` of a modal submission (:func:`state_from_view` and the
small ``*_value`` functions) live in :mod:`sandbox.view_state` and are importable from here too; signing
and posting live in :mod:`sandbox.signed_post`.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.signed_post import USER_AGENT, SignedPoster, SlackResponse
from sandbox.view_state import (
    date_value,
    option_value,
    options_value,
    selection_for,
    state_from_view,
    state_values,
    text_value,
    time_value,
    user_value,
    users_value,
)

__all__ = [
    "SlackResponse",
    "SlackSender",
    "USER_AGENT",
    "state_from_view",
    "state_values",
    "text_value",
    "date_value",
    "time_value",
    "user_value",
    "users_value",
    "option_value",
    "options_value",
]


class SlackSender(SignedPoster):
    """Signs and sends Slack-shaped requests to a bot's HTTP endpoint.

    ``response_url_factory(key)`` gives the ``response_url`` of each slash command and message
    interaction (usually ``FakeSlack.response_url``); the key is the request's ``trigger_id``. Without
    it a dead local URL (``http://127.0.0.1:9/…``) is sent, so a stray ``respond()`` never leaves the host.
    """

    def __init__(
        self,
        *,
        bot_url: str,
        signing_secret: str,
        team_id: str = "T0TEAM",
        response_url_factory: Callable[[str], str] | None = None,
        team_domain: str = "coregroup-sandbox",
        api_app_id: str = "A0APP",
        bot_user_id: str = "U0BOT",
        user_names: Mapping[str, str] | None = None,
        verification_token: str = "fake-verification-token",
        timeout: float = 10.0,
    ) -> None:
        super().__init__(bot_url=bot_url, signing_secret=signing_secret, timeout=timeout)
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.response_url_factory = response_url_factory
        self.user_names = dict(user_names or {})
        self.verification_token = verification_token
        self._seq = itertools.count(1)

    # ------------------------------------------------------------------ requests

    def slash_command(
        self,
        *,
        command: str,
        text: str = "",
        user_id: str,
        channel_id: str,
        channel_name: str = "case",
        trigger_id: str | None = None,
    ) -> SlackResponse:
        """POST a slash command, form-encoded with the fields Slack sends."""
        trigger_id = trigger_id or self.new_trigger_id()
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(trigger_id),
            "trigger_id": trigger_id,
        }
        body = urllib.parse.urlencode(form)
        return self._send(body, "application/x-www-form-urlencoded", sent=form)

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str = "",
        block_id: str = "b",
        channel_id: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
        action_type: str = "button",
        selected: dict | None = None,
        state: dict | None = None,
        message_ts: str | None = None,
        channel_name: str | None = None,
        trigger_id: str | None = None,
    ) -> SlackResponse:
        """POST a ``block_actions`` interaction, in Slack's shape.

        * ``view`` given: a click in a modal or the Home tab (container ``view``; no channel, no
          ``response_url``).
        * ``message`` given (e.g. ``fake.messages(channel)[-1]``; it must have ``ts``): a click on a
          channel or DM message. The channel is ``channel_id`` or ``message["channel"]``.
        * only ``channel_id``: a click on an ephemeral message — as Slack does, the payload has no
          ``message``; ``container.is_ephemeral`` is true and ``message_ts`` is ``message_ts`` (or a
          made-up ts). Use the ``response_url`` to change the ephemeral message.

        The action carries ``value`` for a button. For other element types, ``selected`` is merged into
        the action (e.g. ``{"selected_option": {...}}``); without it ``value`` is turned into Slack's
        field for the type (``selected_option``, ``selected_user``, ``selected_date``, …).
        ``state`` is the payload's ``state.values`` (default empty).
        """
        trigger_id = trigger_id or self.new_trigger_id()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if view is not None:
            view = copy.deepcopy(view)
            view.setdefault("id", self._new_id("V"))
            view.setdefault("hash", self._new_hash())
            if state is not None:
                view["state"] = {"values": state}
            view.setdefault("state", {"values": {}})
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            channel = channel_id or (message or {}).get("channel")
            if not channel:
                raise ValueError("block_action needs a view, a message (with its channel) or a channel_id")
            name = channel_name or ("directmessage" if channel.startswith("D") else "case")
            if message is not None:
                if not message.get("ts"):
                    raise ValueError("the message must have its ts (as returned by chat.postMessage)")
                shown = {k: v for k, v in copy.deepcopy(message).items() if k != "channel"}
                shown.setdefault("type", "message")
                payload["container"] = {
                    "type": "message",
                    "message_ts": shown["ts"],
                    "channel_id": channel,
                    "is_ephemeral": False,
                }
                payload["message"] = shown
            else:
                payload["container"] = {
                    "type": "message",
                    "message_ts": message_ts or self._new_ts(),
                    "channel_id": channel,
                    "is_ephemeral": True,
                }
            payload["channel"] = {"id": channel, "name": name}
            payload["state"] = {"values": state or {}}
            payload["response_url"] = self._response_url(trigger_id)
        payload["actions"] = [self._action(action_id, block_id, value, action_type, selected)]
        return self._send_payload(payload)

    def view_submission(
        self,
        *,
        user_id: str,
        view: dict,
        values: dict,
        response_urls: list[dict] | None = None,
        trigger_id: str | None = None,
    ) -> SlackResponse:
        """POST a ``view_submission`` of ``view`` (the view as opened, e.g. the ``view`` of the
        fake's ``views.open`` answer) with ``state.values = values``.

        ``values`` is ``{block_id: {action_id: {"type": ..., "value" | "selected_date" | "selected_time" |
        "selected_user" | "selected_users" | "selected_option" | "selected_options": ...}}}``; build it
        with :func:`state_from_view` or the ``*_value`` helpers.
        """
        view = copy.deepcopy(view)
        view.setdefault("id", self._new_id("V"))
        view.setdefault("hash", self._new_hash())
        view.setdefault("type", "modal")
        view.setdefault("team_id", self.team_id)
        view.setdefault("app_id", self.api_app_id)
        view.setdefault("private_metadata", "")
        view.setdefault("callback_id", "")
        view["state"] = {"values": copy.deepcopy(values)}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "view": view,
            "response_urls": response_urls or [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_payload(payload)

    def view_closed(self, *, user_id: str, view: dict, is_cleared: bool = False) -> SlackResponse:
        """POST a ``view_closed`` interaction (sent only for views opened with ``notify_on_close``)."""
        view = copy.deepcopy(view)
        view.setdefault("id", self._new_id("V"))
        view.setdefault("state", {"values": {}})
        payload = {
            "type": "view_closed",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "view": view,
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_payload(payload)

    def event(
        self,
        *,
        event: dict,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        event_time: int | None = None,
    ) -> SlackResponse:
        """POST an Events API ``event_callback`` (JSON). To simulate Slack's retry of an event, send the
        same ``event_id`` again with ``retry_num`` (1, 2, 3) and ``retry_reason`` (e.g. ``http_timeout``)."""
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self._new_id("Ev"),
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": secrets.token_hex(16),
        }
        extra = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            extra["X-Slack-Retry-Reason"] = retry_reason
        return self._send(json.dumps(envelope), "application/json", sent=envelope, extra_headers=extra)

    def app_home_opened(self, *, user_id: str, tab: str = "home", view: dict | None = None) -> SlackResponse:
        """Send the ``app_home_opened`` event for a user opening the app's Home (or Messages) tab."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": tab,
            "event_ts": self._new_ts(),
        }
        if view is not None:
            event["view"] = view
        return self.event(event=event)

    def url_verification(self, challenge: str | None = None) -> SlackResponse:
        """Send the ``url_verification`` handshake Slack makes when the Request URL is saved."""
        envelope = {
            "token": self.verification_token,
            "challenge": challenge or secrets.token_urlsafe(24),
            "type": "url_verification",
        }
        return self._send(json.dumps(envelope), "application/json", sent=envelope)

    def post_raw(self, body: str, *, headers: dict) -> SlackResponse:
        """POST ``body`` with exactly ``headers`` (no signature added): for forged, stale or missing
        signatures. Without a ``Content-Type`` header urllib sends ``application/x-www-form-urlencoded``."""
        return self._post(body, headers, sent={})

    # ------------------------------------------------------------------ helpers

    def new_trigger_id(self) -> str:
        """A fresh trigger id shaped like Slack's (``13345224609.738474920.8088930838d88f008e0``)."""
        return f"{int(time.time() * 1000)}{next(self._seq):04d}.{self.team_id[1:]}.{secrets.token_hex(16)}"

    def _response_url(self, key: str) -> str:
        if self.response_url_factory is not None:
            return self.response_url_factory(key)
        return f"http://127.0.0.1:9/response_url/{urllib.parse.quote(key, safe='')}"

    def _user_name(self, user_id: str) -> str:
        return self.user_names.get(user_id, user_id.lower())

    def _user(self, user_id: str) -> dict:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{secrets.token_hex(5).upper()}"

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _new_ts(self) -> str:
        return f"{time.time():.6f}"

    def _action(self, action_id: str, block_id: str, value: str, action_type: str, selected: dict | None) -> dict:
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": action_type,
            "action_ts": self._new_ts(),
        }
        if action_type == "button":
            action["value"] = value
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        elif selected is None:
            action.update(selection_for(action_type, value))
        if selected is not None:
            action.update(selected)
        return action

    def _send_payload(self, payload: dict) -> SlackResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self._send(body, "application/x-www-form-urlencoded", sent=payload)
