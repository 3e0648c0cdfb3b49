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

Module helpers build the ``view.state.values`` of a modal submission: :func:`state_from_view` fills a
view as opened with answers keyed by ``action_id`` (or ``block_id``), in Slack's shape; the small
``*_value`` functions build single entries for hand-written ``values``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

__all__ = [
    "SlackResponse",
    "SlackSender",
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


class SlackSender:
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
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.response_url_factory = response_url_factory
        self.user_names = dict(user_names or {})
        self.verification_token = verification_token
        self.timeout = timeout
        self._seq = itertools.count(1)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # ------------------------------------------------------------------ signing

    @staticmethod
    def signature(*, signing_secret: str, timestamp: str, body: str) -> str:
        """Slack's request signature: ``"v0=" + hex(HMAC-SHA256(secret, f"v0:{timestamp}:{body}"))``."""
        base = f"v0:{timestamp}:{body}".encode("utf-8")
        return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()

    def signed_headers(self, body: str, *, timestamp: int | None = None) -> dict:
        """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` for ``body`` (now, unless given)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.signature(signing_secret=self.signing_secret, timestamp=ts, body=body),
        }

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
            action.update(_selection_for(action_type, value))
        if selected is not None:
            action.update(selected)
        return action

    def _send_payload(self, payload: dict) -> SlackResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self._send(body, "application/x-www-form-urlencoded", sent=payload)

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


# ---------------------------------------------------------------------- state.values helpers


def text_value(value: str | None, *, type: str = "plain_text_input") -> dict:  # noqa: A002 - Slack's name
    """A text input's state: ``{"type": "plain_text_input", "value": value}`` (``None`` when left empty)."""
    return {"type": type, "value": value}


def date_value(value: _dt.date | str | None) -> dict:
    """A datepicker's state: ``selected_date`` as ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": value.isoformat() if isinstance(value, _dt.date) else value}


def time_value(value: _dt.time | str | None) -> dict:
    """A timepicker's state: ``selected_time`` as ``HH:MM``."""
    return {"type": "timepicker", "selected_time": value.strftime("%H:%M") if isinstance(value, _dt.time) else value}


def user_value(user_id: str | None) -> dict:
    """A users_select's state: ``selected_user``."""
    return {"type": "users_select", "selected_user": user_id}


def users_value(user_ids: Iterable[str]) -> dict:
    """A multi_users_select's state: ``selected_users``."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def option_value(value: str | None, text: str | None = None, *, type: str = "static_select") -> dict:  # noqa: A002
    """A static_select (or ``radio_buttons``) state: ``selected_option`` ``{text, value}`` or ``None``."""
    option = None if value is None else _option(value, text)
    return {"type": type, "selected_option": option}


def options_value(
    values: Iterable[str | tuple[str, str]], *, type: str = "checkboxes"  # noqa: A002
) -> dict:
    """A checkboxes (or ``multi_static_select``) state: ``selected_options``; items are values or
    ``(value, text)`` pairs."""
    options = [_option(v[0], v[1]) if isinstance(v, tuple) else _option(v, None) for v in values]
    return {"type": type, "selected_options": options}


def state_values(values: Mapping[str, Mapping[str, Any]]) -> dict:
    """``{block_id: {action_id: entry}}`` where an entry that is a ``str`` or ``None`` becomes a
    plain-text input (:func:`text_value`) and a dict is taken as it is."""
    return {
        block_id: {
            action_id: (copy.deepcopy(entry) if isinstance(entry, dict) else text_value(entry))
            for action_id, entry in actions.items()
        }
        for block_id, actions in values.items()
    }


_STATEFUL_SELECTS = {
    "static_select",
    "external_select",
    "radio_buttons",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "checkboxes",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "datepicker",
    "timepicker",
    "datetimepicker",
}
_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_text_input", "rich_text_input"}


def state_from_view(view: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> dict:
    """The ``state.values`` Slack would send when ``view`` is submitted with ``answers``.

    As Slack does, every input block (and every stateful element of an ``actions`` block or section
    accessory) appears, with ``None``/``[]`` for what was left empty. ``answers`` is keyed by
    ``action_id`` (or by ``block_id``); values are plain Python: ``str`` for text inputs and single
    selects (the option's ``value``), ``date``/``"YYYY-MM-DD"``, ``time``/``"HH:MM"``, a user id, lists for
    multi-selects and checkboxes. An option value that is not among the element's options, or an
    answer that matches no element, raises ``ValueError``/``KeyError``.
    """
    answers = dict(answers or {})
    used: set[str] = set()
    values: dict[str, dict] = {}
    for index, block in enumerate(view.get("blocks") or []):
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id") or f"block{index}"
        elements: list[dict] = []
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            elements = [block["element"]]
        elif block.get("type") == "actions":
            elements = [e for e in block.get("elements") or [] if e.get("type") in _STATEFUL_SELECTS]
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            if block["accessory"].get("type") in _STATEFUL_SELECTS:
                elements = [block["accessory"]]
        for position, element in enumerate(elements):
            action_id = element.get("action_id") or f"{block_id}-action{position}"
            if action_id in answers:
                key = action_id
            elif block_id in answers and len(elements) == 1:
                key = block_id
            else:
                key = None
            answer = answers.get(key) if key is not None else _initial_of(element)
            if key is not None:
                used.add(key)
            values.setdefault(block_id, {})[action_id] = _state_entry(element, answer)
    unknown = set(answers) - used
    if unknown:
        known = sorted({a for actions in values.values() for a in actions} | set(values))
        raise KeyError(f"answers for {sorted(unknown)} match no element of the view; known ids: {known}")
    return values


def _initial_of(element: Mapping[str, Any]) -> Any:
    kind = element.get("type")
    if kind in _TEXT_INPUTS:
        return element.get("initial_value")
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "timepicker":
        return element.get("initial_time")
    if kind == "datetimepicker":
        return element.get("initial_date_time")
    if kind == "users_select":
        return element.get("initial_user")
    if kind == "multi_users_select":
        return element.get("initial_users") or []
    if kind in ("conversations_select", "channels_select"):
        return element.get("initial_conversation") or element.get("initial_channel")
    if kind in ("static_select", "external_select", "radio_buttons"):
        initial = element.get("initial_option")
        return initial.get("value") if isinstance(initial, dict) else None
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return [o.get("value") for o in element.get("initial_options") or []]
    return None


def _options_of(element: Mapping[str, Any]) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _find_option(element: Mapping[str, Any], value: str) -> dict:
    options = _options_of(element)
    if not options:  # external_select: Slack echoes what the options endpoint offered
        return _option(value, None)
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    raise ValueError(
        f"{value!r} is not an option of {element.get('action_id')!r}; options: {[o.get('value') for o in options]}"
    )


def _state_entry(element: Mapping[str, Any], answer: Any) -> dict:
    kind = element.get("type")
    if kind in _TEXT_INPUTS:
        if kind == "rich_text_input":
            return {"type": kind, "rich_text_value": answer}
        return {"type": kind, "value": None if answer is None else str(answer)}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer.isoformat() if isinstance(answer, _dt.date) else answer}
    if kind == "timepicker":
        return {"type": kind, "selected_time": answer.strftime("%H:%M") if isinstance(answer, _dt.time) else answer}
    if kind == "datetimepicker":
        if isinstance(answer, _dt.datetime):
            answer = int(answer.timestamp())
        return {"type": kind, "selected_date_time": answer}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(answer or [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": answer}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": list(answer or [])}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": answer}
    if kind == "multi_channels_select":
        return {"type": kind, "selected_channels": list(answer or [])}
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": None if answer is None else _find_option(element, answer)}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": [_find_option(element, v) for v in answer or []]}
    return {"type": kind, "value": answer}


def _option(value: str, text: str | None) -> dict:
    return {"text": {"type": "plain_text", "text": text if text is not None else value, "emoji": True}, "value": value}


def _selection_for(action_type: str, value: str) -> dict:
    """Slack's field for the chosen value of a non-button block action."""
    if action_type in ("static_select", "external_select", "radio_buttons", "overflow"):
        return {"selected_option": _option(value, None) if value else None}
    if action_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"selected_options": [_option(value, None)] if value else []}
    field_by_type = {
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
        "datepicker": "selected_date",
        "timepicker": "selected_time",
    }
    if action_type in field_by_type:
        return {field_by_type[action_type]: value or None}
    if action_type in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        plural = {"multi_users_select": "selected_users", "multi_conversations_select": "selected_conversations"}
        return {plural.get(action_type, "selected_channels"): [value] if value else []}
    if action_type == "datetimepicker":
        return {"selected_date_time": int(value) if value else None}
    return {"value": value}
