"""What Slack remembers about a person's interaction: the trigger it issued, the modals open for them,
and what a post to the interaction's ``response_url`` does.

``Interactions`` is a part of :class:`sandbox.fake_slack.FakeSlack`. The sandbox page asks the fake
to issue the ``trigger_id`` of each slash command, click and submission (as Slack issues them), and
uses it as the ``response_url`` key too. Then, as in Slack:

* ``views.open`` with that trigger opens a modal for that person; ``views.push`` stacks one on top;
  :meth:`Interactions.open_modal` is the modal they see.
* a post to the ``response_url`` shows an ephemeral message to that person in that conversation
  (``response_type: ephemeral``, the default), posts to the conversation (``in_channel``), or changes
  the message the click came from (``replace_original`` / ``delete_original``; for a click on a
  message, a post that names no ``response_type`` replaces it, as for Slack's message responses).

Triggers the fake did not issue (tests that make their own) are only recorded, as before.
"""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass

from sandbox.http_plumbing import Route

__all__ = ["Interaction", "Interactions"]


@dataclass(frozen=True)
class Interaction:
    """Where and by whom an interaction happened."""

    user: str
    channel: str | None = None
    message_ts: str | None = None  # a click on a message in the channel
    ephemeral_ts: str | None = None  # a click on an ephemeral message (only that person sees it)


class Interactions:
    """Triggers, modal stacks and response URLs (a mixin of ``FakeSlack``)."""

    def _clear_interactions(self) -> None:
        self._interactions: dict[str, Interaction] = {}
        self._modal_stacks: dict[str, list[str]] = {}
        self._view_errors: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ the sandbox's side

    def issue_trigger(
        self,
        user_id: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        ephemeral_ts: str | None = None,
    ) -> str:
        """A fresh ``trigger_id`` for something ``user_id`` did (also the key of its ``response_url``)."""
        trigger = f"{int(time.time() * 1000)}.{self.team_id[1:]}.{secrets.token_hex(16)}"
        with self._cond:
            self._interactions[trigger] = Interaction(
                user=user_id,
                channel=self._conversation_id(channel) if channel else None,
                message_ts=message_ts,
                ephemeral_ts=ephemeral_ts,
            )
        return trigger

    def open_modal(self, user_id: str) -> dict | None:
        """The modal ``user_id`` sees (the top of their stack), with ``errors`` from the last submission."""
        with self._cond:
            stack = self._modal_stacks.get(user_id) or []
            if not stack:
                return None
            view = copy.deepcopy(self._views[stack[-1]])
            view["errors"] = dict(self._view_errors.get(view["id"], {}))
            view["stack_depth"] = len(stack)
            return view

    def close_modal(self, user_id: str, *, everything: bool = False) -> None:
        """Close the top modal of ``user_id`` (or all of them, as ``response_action: clear`` does)."""
        with self._cond:
            stack = self._modal_stacks.get(user_id) or []
            closed = stack[:] if everything else stack[-1:]
            del stack[len(stack) - len(closed) :]
            for view_id in closed:
                self._view_errors.pop(view_id, None)
            self._cond.notify_all()

    def show_view_errors(self, view_id: str, errors: dict[str, str]) -> None:
        """Show ``response_action: errors`` under the fields of an open modal."""
        with self._cond:
            self._view_errors[view_id] = {str(k): str(v) for k, v in errors.items()}
            self._cond.notify_all()

    def answer_with_view(self, user_id: str, view: dict, *, push: bool) -> dict:
        """``response_action: update`` (replace the top modal) or ``push`` (stack a new one)."""
        with self._cond:
            stack = self._modal_stacks.setdefault(user_id, [])
            current = self._views.get(stack[-1]) if stack and not push else None
            stored = self._store_view(view, kind="modal", replacing=current)
            if current is None:
                stack.append(stored["id"])
            self._view_errors.pop(stored["id"], None)
            self._cond.notify_all()
            return copy.deepcopy(stored)

    def respond_as_app(self, trigger: str, body: dict) -> None:
        """Show what the bot put in its HTTP answer to a command (``ack(text=...)``), as Slack does."""
        with self._cond:
            self._respond(trigger, dict(body))
            self._cond.notify_all()

    def slackbot_says(self, user_id: str, channel: str, text: str) -> None:
        """An ephemeral message from Slack itself ("/foo is not a valid command", "dispatch_failed")."""
        with self._cond:
            self._ephemerals.append(
                {
                    "message_ts": self._next_ts(),
                    "channel": self._conversation_id(channel),
                    "user": user_id,
                    "text": text,
                    "blocks": [],
                    "from": "slackbot",
                }
            )
            self._cond.notify_all()

    def mount(self, prefix: str, route: Route) -> None:
        """Serve ``route`` for paths under ``prefix`` (after the Web API, response URLs and uploads)."""
        with self._cond:
            self._mounts.append((prefix, route))

    # ------------------------------------------------------------------ called by the Web API methods

    def _modal_opened(self, trigger: str, view_id: str, *, push: bool) -> None:
        interaction = self._interactions.get(trigger)
        if interaction is None:
            return
        stack = self._modal_stacks.setdefault(interaction.user, [])
        if not push:
            stack.clear()
        stack.append(view_id)
        self._view_errors.pop(view_id, None)

    def _respond(self, key: str, params: dict) -> dict:
        """Apply a post to the ``response_url`` of interaction ``key`` (under the lock)."""
        interaction = self._interactions.get(key)
        if interaction is None or interaction.channel is None:
            return {"ok": True}
        text, blocks = params.get("text") or "", params.get("blocks") or []
        replace = params.get("replace_original")
        clicked_on = interaction.message_ts or interaction.ephemeral_ts
        if replace is None and clicked_on and "response_type" not in params:
            replace = True
        if clicked_on and (params.get("delete_original") or replace in (True, "true")):
            self._change_original(interaction, params, text, blocks)
        elif params.get("response_type") == "in_channel":
            message = self._new_message(interaction.channel, text, blocks)
            self._messages.setdefault(interaction.channel, []).append(message)
        else:
            self._ephemerals.append(
                {
                    "message_ts": self._next_ts(),
                    "channel": interaction.channel,
                    "user": interaction.user,
                    "text": text,
                    "blocks": blocks,
                }
            )
        return {"ok": True}

    def _change_original(self, interaction: Interaction, params: dict, text: str, blocks: list) -> None:
        if interaction.ephemeral_ts:
            found = [
                e
                for e in self._ephemerals
                if e["message_ts"] == interaction.ephemeral_ts and e["user"] == interaction.user
            ]
            for ephemeral in found:
                if params.get("delete_original"):
                    self._ephemerals.remove(ephemeral)
                else:
                    ephemeral.update(text=text, blocks=blocks)
            return
        messages = self._messages.get(interaction.channel, [])
        for message in list(messages):
            if message["ts"] == interaction.message_ts:
                if params.get("delete_original"):
                    messages.remove(message)
                else:
                    message.update(text=text, blocks=blocks)
