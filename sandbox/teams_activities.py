"""Activities as Teams sends them to a bot (the shapes in shared/TEAMS-NOTES §3.4), for tests and the fake."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1_700_000_000_001)
BOT_NAME = "Core Group"


def _envelope(*, service_url: str, tenant_id: str, app_id: str, user: tuple[str, str], conversation: dict) -> dict:
    teams_id, aad = user
    return {
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2027-05-17T09:00:00.000Z",
        "id": str(next(_ids)),
        "from": {"id": teams_id, "name": "A person", "aadObjectId": aad},
        "recipient": {"id": f"28:{app_id}", "name": BOT_NAME},
        "conversation": {**conversation, "tenantId": tenant_id},
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": "en-GB",
    }


class ActivityFactory:
    """Builds activities from one tenant to one bot, through one service URL."""

    def __init__(self, *, service_url: str, tenant_id: str, app_id: str) -> None:
        self.service_url, self.tenant_id, self.app_id = service_url, tenant_id, app_id

    def _base(self, user: tuple[str, str], conversation: dict, **channel_data: Any) -> dict:
        activity = _envelope(
            service_url=self.service_url,
            tenant_id=self.tenant_id,
            app_id=self.app_id,
            user=user,
            conversation=conversation,
        )
        activity["channelData"].update(channel_data)
        return activity

    def personal_conversation(self, user: tuple[str, str]) -> dict:
        return {"id": f"a:personal-{user[0].removeprefix('29:')}", "conversationType": "personal"}

    def message(self, user: tuple[str, str], text: str) -> dict:
        """A message in the user's 1:1 chat with the bot."""
        return {
            **self._base(user, self.personal_conversation(user)),
            "type": "message",
            "text": text,
            "textFormat": "plain",
        }

    def channel_mention(self, user: tuple[str, str], text: str, *, team_id: str, channel_id: str) -> dict:
        """`@Core Group <text>` in a channel: the thread's conversation id, the mention entity, team and channel."""
        mention = f"<at>{BOT_NAME}</at>"
        conversation = {"id": f"{channel_id};messageid={next(_ids)}", "conversationType": "channel", "isGroup": True}
        activity = self._base(user, conversation, team={"id": team_id}, channel={"id": channel_id})
        entity = {"type": "mention", "text": mention, "mentioned": {"id": f"28:{self.app_id}", "name": BOT_NAME}}
        return {**activity, "type": "message", "text": f"{mention} {text}", "entities": [entity]}

    def installation_update(
        self, user: tuple[str, str], *, action: str = "add", team_id: str | None = None, channel_id: str | None = None
    ) -> dict:
        """The app added to (or removed from) the user's personal scope, or a team's channel."""
        if team_id and channel_id:
            conversation = {"id": channel_id, "conversationType": "channel", "isGroup": True}
            activity = self._base(
                user,
                conversation,
                team={"id": team_id},
                channel={"id": channel_id},
                settings={"selectedChannel": {"id": channel_id}},
            )
        else:
            activity = self._base(user, self.personal_conversation(user))
        return {**activity, "type": "installationUpdate", "action": action}

    def conversation_update_bot_added(self, user: tuple[str, str], *, team_id: str, channel_id: str) -> dict:
        conversation = {"id": channel_id, "conversationType": "channel", "isGroup": True}
        activity = self._base(
            user, conversation, team={"id": team_id, "name": "Core group"}, eventType="teamMemberAdded"
        )
        return {**activity, "type": "conversationUpdate", "membersAdded": [{"id": f"28:{self.app_id}"}]}

    def card_action(self, user: tuple[str, str], verb: str, data: dict, *, reply_to: str = "1000") -> dict:
        """An Action.Execute click (invoke adaptiveCard/action); `data.action` = `verb`, as the Teams SDK routes."""
        action = {"type": "Action.Execute", "verb": verb, "data": {"action": verb, **data}}
        activity = self._base(user, self.personal_conversation(user))
        return {
            **activity,
            "type": "invoke",
            "name": "adaptiveCard/action",
            "replyToId": reply_to,
            "value": {"action": action, "trigger": "manual"},
        }

    def task_fetch(self, user: tuple[str, str], dialog_id: str, data: dict | None = None) -> dict:
        value = {
            "type": "task/fetch",
            "data": {"msteams": {"type": "task/fetch"}, "dialog_id": dialog_id, **(data or {})},
        }
        return {
            **self._base(user, self.personal_conversation(user)),
            "type": "invoke",
            "name": "task/fetch",
            "value": value,
        }

    def task_submit(self, user: tuple[str, str], action: str, data: dict | None = None) -> dict:
        value = {"type": "task/submit", "data": {"action": action, **(data or {})}}
        return {
            **self._base(user, self.personal_conversation(user)),
            "type": "invoke",
            "name": "task/submit",
            "value": value,
        }
