"""The sandbox's web page and its JSON API, served by the fake Slack's own HTTP server.

``GET /`` is the page (``sandbox/static/``: plain HTML, CSS and one vanilla JS file, no build step).
The page polls ``GET /sandbox/state?user=U…&conversation=C…`` about once a second and posts what the
person does:

| route | body | what Slack does |
|---|---|---|
| ``POST /sandbox/command`` | ``{user, channel, text: "/core-group status"}`` | sends the slash command |
| ``POST /sandbox/action`` | ``{user, action_id, block_id, type, value, text, channel, message_ts, ephemeral, view_id, form}`` | sends ``block_actions`` |
| ``POST /sandbox/submit`` | ``{user, view_id, form: {block_id: {action_id: answer}}}`` | sends ``view_submission`` |
| ``POST /sandbox/close`` | ``{user, view_id}`` | closes the modal |
| ``POST /sandbox/home`` | ``{user}`` | sends ``app_home_opened`` |
| ``POST /sandbox/clock`` | ``{step: "hour" | "day" | "next-0900" | "to", to: "YYYY-MM-DDTHH:MM"}`` | (the sandbox only) moves time forward, then sweeps and dispatches |

Answers are JSON: ``{"ok": true, ...}``, or ``{"ok": false, "error": "..."}`` with 400 (a bad request)
or 403 (someone else's conversation).
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sandbox.client import Click, ClientError
from sandbox.clock import next_local_time
from sandbox.http_plumbing import CaseInsensitiveDict, Reply
from sandbox.web_api import dm_channel_id

if TYPE_CHECKING:
    from sandbox.demo import Sandbox

__all__ = ["SandboxPage"]

STATIC = Path(__file__).resolve().parent / "static"
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


class Forbidden(Exception):
    """The person may not see what they asked for."""


class SandboxPage:
    """Routes the page's requests to the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def route(self, method: str, path: str, headers: CaseInsensitiveDict, raw: bytes) -> Reply:
        parsed = urllib.parse.urlsplit(path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        route = parsed.path
        try:
            if method == "GET" and route in ("/", "/index.html"):
                return _static("index.html")
            if method == "GET" and route.startswith("/static/"):
                return _static(route[len("/static/") :])
            if method == "GET" and route == "/sandbox/state":
                return Reply(200, self.state(query.get("user", ""), query.get("conversation") or None))
            if method == "POST" and route.startswith("/sandbox/"):
                if not (headers.get("content-type") or "").startswith("application/json"):
                    # JSON only: another web site cannot post here without a CORS preflight this server never grants.
                    return Reply(415, {"ok": False, "error": "send JSON (Content-Type: application/json)"})
                body = json.loads(raw.decode("utf-8") or "{}") if raw else {}
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                return Reply(200, {"ok": True, **(self.post(route[len("/sandbox/") :], body) or {})})
        except Forbidden as exc:
            return Reply(403, {"ok": False, "error": str(exc)})
        except (ClientError, ValueError, KeyError, TypeError) as exc:
            return Reply(400, {"ok": False, "error": str(exc) or exc.__class__.__name__})
        return Reply(404, {"ok": False, "error": "not found"})

    # ------------------------------------------------------------------ reading

    def state(self, user: str, conversation: str | None) -> dict[str, Any]:
        """Everything the page shows to ``user``, with ``conversation`` (a channel, their DM or ``home``) open."""
        sandbox, workspace, fake = self.sandbox, self.sandbox.workspace, self.sandbox.fake
        if workspace.person(user) is None:
            user = workspace.people[0].id
        if conversation and conversation != "home" and not workspace.can_see(user, conversation):
            raise Forbidden("That conversation is not one of yours: choose one from the list.")
        conversations = [
            {"id": c.id, "name": f"#{c.name}", "kind": "channel", "topic": c.topic} for c in workspace.channels_of(user)
        ]
        conversations.append({"id": dm_channel_id(user), "name": workspace.bot_name, "kind": "app", "topic": ""})
        for item in conversations:
            item["latest_ts"] = max((m["ts"] for m in self._messages(user, item["id"], raw=True)), default="")
        open_view = None
        if conversation and conversation != "home":
            open_view = {
                "id": conversation,
                "name": workspace.conversation_name(conversation),
                "kind": "app" if conversation.startswith("D") else "channel",
                "messages": self._messages(user, conversation),
            }
        return {
            "time": self._time(),
            "user": user,
            "people": [{"id": p.id, "label": p.label} for p in workspace.people],
            "bot": {"id": workspace.bot_user_id, "label": workspace.bot_name},
            "commands": [vars(c) for c in workspace.commands],
            "conversations": conversations,
            "conversation": open_view,
            "home": fake.home_view(user) if conversation == "home" else None,
            "modal": fake.open_modal(user),
            "notes": list(sandbox.notes),
        }

    def _messages(self, user: str, conversation: str, *, raw: bool = False) -> list[dict]:
        fake, workspace = self.sandbox.fake, self.sandbox.workspace
        shown = [dict(m, ephemeral=False) for m in fake.messages(conversation)]
        shown += [
            {
                "ts": e["message_ts"],
                "text": e["text"],
                "blocks": e["blocks"],
                "ephemeral": True,
                "user": "USLACKBOT" if e.get("from") == "slackbot" else workspace.bot_user_id,
            }
            for e in fake.ephemeral_messages(channel=conversation, user=user)
        ]
        shown.sort(key=lambda m: float(m["ts"]))
        if raw:
            return shown
        zone = ZoneInfo(self.sandbox.timezone)
        out = []
        for m in shown:
            at = datetime.fromtimestamp(float(m["ts"]), zone)
            author = "Slackbot" if m.get("user") == "USLACKBOT" else workspace.label(m.get("user") or "")
            out.append(
                {
                    "ts": m["ts"],
                    "author": author,
                    "text": m.get("text") or "",
                    "blocks": m.get("blocks") or [],
                    "ephemeral": m["ephemeral"],
                    "edited": bool(m.get("edited")),
                    "time": at.strftime("%H:%M"),
                    "day": at.strftime("%a %-d %b %Y"),
                }
            )
        return out

    def _time(self) -> dict[str, str]:
        now = self.sandbox.clock.now()
        local = now.astimezone(ZoneInfo(self.sandbox.timezone))
        return {
            "iso": now.isoformat(timespec="seconds"),
            "date": local.strftime("%A %-d %B %Y"),
            "clock": local.strftime("%H:%M"),
            "zone": self.sandbox.timezone,
            "local": local.strftime("%Y-%m-%dT%H:%M"),
        }

    # ------------------------------------------------------------------ acting

    def post(self, what: str, body: dict) -> dict | None:
        client, user = self.sandbox.client, str(body.get("user") or "")
        if what == "clock":
            return self.move_clock(body)
        if self.sandbox.workspace.person(user) is None:
            raise ValueError("choose who you are first")
        if what == "command":
            text = str(body.get("text") or "").strip()
            if not text.startswith("/"):
                raise ValueError("type a slash command, e.g. /core-group help")
            client.slash_command(user=user, channel=str(body["channel"]), text=text)
        elif what == "action":
            client.click(
                Click(
                    user=user,
                    action_id=str(body["action_id"]),
                    block_id=str(body.get("block_id") or ""),
                    action_type=str(body.get("type") or "button"),
                    value=body.get("value"),
                    text=body.get("text"),
                    channel=body.get("channel"),
                    message_ts=body.get("message_ts"),
                    ephemeral=bool(body.get("ephemeral")),
                    view_id=body.get("view_id"),
                    form=body.get("form") or {},
                )
            )
        elif what == "submit":
            return {"errors": client.submit(user=user, view_id=str(body["view_id"]), form=body.get("form") or {})}
        elif what == "close":
            client.close(user=user, view_id=str(body["view_id"]))
        elif what == "home":
            client.open_home(user=user)
        else:
            raise KeyError(f"no such action: {what}")
        return None

    def move_clock(self, body: dict) -> dict:
        """Move the sandbox's time forward, then run the sweep and the dispatcher at the new time."""
        sandbox, step = self.sandbox, str(body.get("step") or "")
        now = sandbox.clock.now()
        if step in _STEPS:
            target = now + _STEPS[step]
        elif step == "next-0900":
            target = next_local_time(now, time(9), sandbox.timezone)
        elif step == "to":
            local = datetime.fromisoformat(str(body.get("to") or ""))
            if local.tzinfo is None:
                local = local.replace(tzinfo=ZoneInfo(sandbox.timezone))
            if local <= now:
                raise ValueError("the sandbox clock only moves forward: choose a later time")
            target = local
        else:
            raise ValueError("step must be hour, day, next-0900 or to")
        swept, sent = sandbox.replay_to(target, hourly=True)
        return {"time": self._time(), "enqueued": swept, "sent": sent}


def _static(name: str) -> Reply:
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return Reply(404, {"ok": False, "error": "not found"})
    return Reply(
        200,
        path.read_bytes(),
        headers={"Cache-Control": "no-cache"},
        content_type=_CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
    )
