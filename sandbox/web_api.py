"""The Web API methods the bot uses, answered as Slack answers them, and the workspace state they change.

``WebApi`` is a part of :class:`sandbox.fake_slack.FakeSlack`: it holds the method handlers
(``chat.postMessage``, ``views.open`` …) and the helpers they share. Every handler runs under the
fake's lock and answers a dict, or raises :class:`SlackError` for Slack's ``ok: false`` answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.block_limits import block_problems, view_problems
from sandbox.http_plumbing import CaseInsensitiveDict

__all__ = ["SlackError", "WebApi", "dm_channel_id"]

#: Methods Slack has retired, answered ``method_deprecated`` so their use is caught in tests.
_RETIRED_METHODS = {"files.upload": "use files_upload_v2 (files.getUploadURLExternal + files.completeUploadExternal)"}

_DM_PREFIXES = ("U", "W")
_CONVERSATION_PREFIXES = ("C", "G", "D")


def dm_channel_id(user_id: str) -> str:
    """The DM channel id this fake uses for a user: ``"D" + user_id[1:]`` (``U0HV`` → ``D0HV``)."""
    return "D" + user_id[1:]


class SlackError(Exception):
    """A Slack error answer: HTTP 200 with ``ok: false``, ``error`` and, for invalid input, the
    ``response_metadata.messages`` Slack gives."""

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


class WebApi:
    """The Web API method handlers of ``FakeSlack`` (a mixin: the state lives on the fake)."""

    def _dispatch(self, method: str, params: dict, headers: CaseInsensitiveDict) -> dict:
        handler = self._methods().get(method)
        if method in _RETIRED_METHODS:
            raise SlackError("method_deprecated", [f"[ERROR] {method} is retired: {_RETIRED_METHODS[method]}"])
        if handler is None:
            raise SlackError("unknown_method")
        if not _token_of(params, headers):
            raise SlackError("not_authed")
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
            **self._file_methods(),
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
            raise SlackError("no_text")
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
            raise SlackError("user_not_in_channel")
        text, blocks = params.get("text"), params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
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
            raise SlackError("users_list_not_supplied")
        if len(users) == 1:
            if not users[0].startswith(_DM_PREFIXES):
                raise SlackError("user_not_found")
            return {"ok": True, "channel": {"id": dm_channel_id(users[0])}, "no_op": True, "already_open": True}
        digest = "".join(sorted(u[1:] for u in users))[:10].upper()
        return {"ok": True, "channel": {"id": f"G{digest}"}}

    def _users_info(self, params: dict) -> dict:
        user_id = params.get("user")
        if user_id == self.bot_user_id:
            return {"ok": True, "user": self._user_object(user_id, "coregroup", is_bot=True)}
        if not user_id or user_id not in self._users:
            raise SlackError("user_not_found")
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
        trigger = self._exchange_trigger(params)
        view = self._store_view(params.get("view"), kind="modal")
        self._modal_opened(trigger, view["id"], push=False)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_push(self, params: dict) -> dict:
        trigger = self._exchange_trigger(params)
        view = self._store_view(params.get("view"), kind="modal")
        self._modal_opened(trigger, view["id"], push=True)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_update(self, params: dict) -> dict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        current = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next((v for v in self._views.values() if v.get("external_id") == external_id), None)
        else:
            raise SlackError("invalid_arguments", ["[ERROR] view_id or external_id is required"])
        if current is None:
            raise SlackError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._store_view(params.get("view"), kind="modal", replacing=current)
        self._view_errors.pop(view["id"], None)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_publish(self, params: dict) -> dict:
        user_id = params.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        current = self._home_views.get(user_id)
        if params.get("hash") and current is not None and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._store_view(params.get("view"), kind="home", replacing=current)
        self._home_views[user_id] = view
        return {"ok": True, "view": copy.deepcopy(view)}

    # ------------------------------------------------------------------ helpers

    def _conversation_id(self, channel: str) -> str:
        return dm_channel_id(channel) if channel.startswith(_DM_PREFIXES) else channel

    def _require_channel(self, channel: Any, *, allow_user: bool) -> str:
        if not isinstance(channel, str) or not channel:
            raise SlackError("channel_not_found")
        if channel.startswith(_DM_PREFIXES) and allow_user:
            return dm_channel_id(channel)
        if not channel.startswith(_CONVERSATION_PREFIXES):
            raise SlackError("channel_not_found")
        return channel

    def _find_message(self, channel: str, ts: Any) -> dict:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

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

    def _exchange_trigger(self, params: dict) -> str:
        trigger = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)
        return trigger

    def _store_view(self, view: Any, *, kind: str, replacing: dict | None = None) -> dict:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: view"])
        view_type = view.get("type")
        if view_type != kind:
            raise SlackError("invalid_arguments", [f"[ERROR] must be '{kind}' [json-pointer:/view/type]"])
        if self.validate_blocks:
            problems = view_problems(view)
            if problems:
                raise SlackError("invalid_arguments", problems)
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
            raise SlackError("msg_too_long")
        if blocks is None or not self.validate_blocks:
            return
        problems = block_problems(blocks, max_blocks=50, pointer="/blocks")
        if problems:
            raise SlackError("invalid_blocks", problems)


def _token_of(params: dict, headers: Mapping[str, str]) -> str | None:
    auth = headers.get("authorization") or ""
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return auth[7:].strip()
    token = params.get("token")
    return token if isinstance(token, str) and token else None


def _london_offset_seconds() -> int:
    try:
        offset = datetime.now(ZoneInfo("Europe/London")).utcoffset()
        return int(offset.total_seconds()) if offset else 0
    except Exception:  # pragma: no cover - no tz database
        return 0
