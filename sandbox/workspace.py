"""The sandbox's Slack workspace as Slack knows it: people, channels and who is in them, and the app's
slash commands. The bot knows none of this; it sees only ids in the requests Slack sends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sandbox.web_api import dm_channel_id

__all__ = ["Channel", "Person", "SlashCommand", "Workspace", "app_commands"]

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"


@dataclass(frozen=True)
class Person:
    """Someone in the workspace, shown by a role label ("Sam (chair)"), never a real-looking name."""

    id: str
    label: str


@dataclass(frozen=True)
class Channel:
    """A channel and its members (private case channels: only the people invited see them)."""

    id: str
    name: str
    members: tuple[str, ...]
    topic: str = ""


@dataclass(frozen=True)
class SlashCommand:
    """A slash command of the app, as its manifest declares it."""

    command: str
    description: str = ""
    usage_hint: str = ""


@dataclass
class Workspace:
    """People, channels and the app's commands; answers what one person can see."""

    people: list[Person]
    channels: list[Channel]
    commands: list[SlashCommand] = field(default_factory=list)
    bot_user_id: str = "U0BOT"
    bot_name: str = "coregroup"

    def person(self, user_id: str) -> Person | None:
        return next((p for p in self.people if p.id == user_id), None)

    def label(self, user_id: str) -> str:
        """The label shown for a user id (the app's own name for the bot)."""
        if user_id == self.bot_user_id:
            return self.bot_name
        person = self.person(user_id)
        return person.label if person else user_id

    def channels_of(self, user_id: str) -> list[Channel]:
        """The channels ``user_id`` is a member of."""
        return [c for c in self.channels if user_id in c.members]

    def conversation_name(self, conversation: str) -> str:
        channel = next((c for c in self.channels if c.id == conversation), None)
        return f"#{channel.name}" if channel else self.bot_name

    def can_see(self, user_id: str, conversation: str) -> bool:
        """A member sees their channels and their own DM with the app, nothing else."""
        if conversation == dm_channel_id(user_id):
            return True
        return any(c.id == conversation for c in self.channels_of(user_id))

    def command(self, name: str) -> SlashCommand | None:
        return next((c for c in self.commands if c.command == name), None)


def app_commands(manifest: Path = MANIFEST) -> list[SlashCommand]:
    """The slash commands in the app manifest (the same file used to create the real Slack app)."""
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except OSError:
        return [
            SlashCommand("/core-group", "Core group status and more"),
            SlashCommand("/request-core-group", "Ask the team leader for an additional core group meeting"),
        ]
    found = (data.get("features") or {}).get("slash_commands") or []
    return [SlashCommand(c["command"], c.get("description", ""), c.get("usage_hint", "")) for c in found]
