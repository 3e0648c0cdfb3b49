"""What Slack does when a person acts in the sandbox page: it sends the bot the same signed request
Slack would send (slash command, block action, view submission, ``app_home_opened``) and applies the
bot's answer the way Slack's clients do (modal errors, ``response_action``, a failed command).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.fake_slack import FakeSlack
from sandbox.slack_sender import SlackSender
from sandbox.view_state import make_option, state_from_form
from sandbox.workspace import Workspace

__all__ = ["ClientError", "SlackClient"]

#: Keys the fake adds to a view it shows; never sent back to the bot.
_SHOWN_ONLY = ("errors", "stack_depth")


class ClientError(Exception):
    """Something the person did that Slack itself would refuse (the message says what)."""


@dataclass(frozen=True)
class Click:
    """One click or choice in the page: where it happened and what was chosen."""

    user: str
    action_id: str
    block_id: str
    action_type: str = "button"
    value: Any = None  # a button's value, the chosen option's value, a date, a user id, a list ...
    text: str | None = None  # a button's label
    channel: str | None = None  # a message in this conversation ...
    message_ts: str | None = None  # ... with this ts
    ephemeral: bool = False  # the message is one only this person sees
    view_id: str | None = None  # or inside this modal or Home tab
    form: dict | None = None  # the modal's current answers {block_id: {action_id: value}}


class SlackClient:
    """The person's Slack client: turns what they do into Slack's requests to the bot."""

    def __init__(self, *, fake: FakeSlack, sender: SlackSender, workspace: Workspace) -> None:
        self.fake = fake
        self.sender = sender
        self.workspace = workspace

    def slash_command(self, *, user: str, channel: str, text: str) -> None:
        """``/command args`` typed in a conversation."""
        self._check_can_see(user, channel)
        name, _, args = text.strip().partition(" ")
        if self.workspace.command(name) is None:
            self.fake.slackbot_says(
                user,
                channel,
                f"{name} is not a valid command. In Slack, all messages that "
                'start with the "/" character are interpreted as commands.',
            )
            return
        trigger = self.fake.issue_trigger(user, channel=channel)
        answer = self.sender.slash_command(
            command=name,
            text=args.strip(),
            user_id=user,
            channel_id=channel,
            channel_name=self.workspace.conversation_name(channel).lstrip("#"),
            trigger_id=trigger,
        )
        if answer.status != 200:
            self.fake.slackbot_says(user, channel, f'{name} failed with the error "dispatch_failed"')
            return
        body = answer.json() if answer.body.strip().startswith("{") else {"text": answer.body.strip()}
        if body and (body.get("text") or body.get("blocks")):  # ack(text=...) shows as the command's reply
            self.fake.respond_as_app(trigger, body)

    def click(self, click: Click) -> None:
        """A button click or a choice in a message, an ephemeral message, a modal or the Home tab."""
        action = {
            "block_id": click.block_id,
            "action_id": click.action_id,
            "action_type": click.action_type,
            "selected": _selected(click),
        }
        if click.view_id:
            view = self._view(click.user, click.view_id)
            state = state_from_form(view, click.form or {}) if view.get("type") == "modal" else {}
            trigger = self.fake.issue_trigger(click.user)
            self.sender.block_action(
                user_id=click.user,
                view=_as_sent(view),
                state=state,
                trigger_id=trigger,
                value=_button_value(click),
                **action,
            )
            return
        if not click.channel:
            raise ClientError("a click needs the conversation or the view it happened in")
        self._check_can_see(click.user, click.channel)
        if click.ephemeral:
            trigger = self.fake.issue_trigger(click.user, channel=click.channel, ephemeral_ts=click.message_ts)
            self.sender.block_action(
                user_id=click.user,
                channel_id=click.channel,
                message_ts=click.message_ts,
                trigger_id=trigger,
                value=_button_value(click),
                **action,
            )
            return
        message = next((m for m in self.fake.messages(click.channel) if m["ts"] == click.message_ts), None)
        if message is None:
            raise ClientError("that message is no longer there")
        trigger = self.fake.issue_trigger(click.user, channel=click.channel, message_ts=click.message_ts)
        self.sender.block_action(
            user_id=click.user,
            message=message,
            channel_id=click.channel,
            channel_name=self.workspace.conversation_name(click.channel).lstrip("#"),
            trigger_id=trigger,
            value=_button_value(click),
            **action,
        )

    def submit(self, *, user: str, view_id: str, form: dict) -> dict[str, str]:
        """Submit the modal the person sees; returns the errors shown under its fields (empty when it closed)."""
        view = self._view(user, view_id)
        trigger = self.fake.issue_trigger(user)
        answer = self.sender.view_submission(
            user_id=user, view=_as_sent(view), values=state_from_form(view, form), trigger_id=trigger
        )
        if answer.status != 200:
            errors = {"": "We had some trouble connecting. Try again?"}
            self.fake.show_view_errors(view_id, errors)
            return errors
        body = answer.json() or {}
        kind = body.get("response_action")
        if kind == "errors":
            errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
            self.fake.show_view_errors(view_id, errors)
            return errors
        if kind in ("update", "push") and isinstance(body.get("view"), dict):
            self.fake.answer_with_view(user, body["view"], push=kind == "push")
        else:
            self.fake.close_modal(user, everything=kind == "clear")
        return {}

    def close(self, *, user: str, view_id: str) -> None:
        """The person closes (cancels) the modal; the bot hears of it only if it asked (``notify_on_close``)."""
        view = self._view(user, view_id)
        self.fake.close_modal(user)
        if view.get("notify_on_close"):
            self.sender.view_closed(user_id=user, view=_as_sent(view))

    def open_home(self, *, user: str) -> None:
        """The person opens the app's Home tab: Slack sends ``app_home_opened``."""
        self.sender.app_home_opened(user_id=user, view=self.fake.home_view(user))

    def _view(self, user: str, view_id: str) -> dict:
        shown = self.fake.open_modal(user)
        if shown is not None and shown["id"] == view_id:
            return shown
        home = self.fake.home_view(user)
        if home is not None and home["id"] == view_id:
            return home
        raise ClientError("that view is not open any more")

    def _check_can_see(self, user: str, conversation: str) -> None:
        if self.workspace.person(user) is None:
            raise ClientError(f"there is nobody called {user} in this workspace")
        if not self.workspace.can_see(user, conversation):
            raise ClientError("you are not a member of that conversation")


def _as_sent(view: dict) -> dict:
    sent = copy.deepcopy(view)
    for key in _SHOWN_ONLY:
        sent.pop(key, None)
    return sent


def _button_value(click: Click) -> str:
    return str(click.value) if click.action_type == "button" and click.value is not None else ""


def _selected(click: Click) -> dict | None:
    """The action's chosen value in Slack's field for its element type."""
    kind, value = click.action_type, click.value
    if kind == "button":
        return {"text": {"type": "plain_text", "text": click.text or click.action_id, "emoji": True}}
    if kind in ("static_select", "radio_buttons", "overflow"):
        return {"selected_option": make_option(value, click.text) if value else None}
    if kind in ("checkboxes", "multi_static_select"):
        return {"selected_options": [make_option(v, None) for v in value or []]}
    fields = {
        "users_select": "selected_user",
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }
    if kind in fields:
        return {fields[kind]: value or None}
    if kind == "multi_users_select":
        return {"selected_users": list(value or [])}
    return {"value": value}
