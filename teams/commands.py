"""The bot's commands in Teams (the manifest's command list, @mentions, slash triggers): a small parser, the help
text, and the hooks the feature listeners fill in (`status`, `request`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

#: Every command the bot knows, with the one line the manifest and `help` show. The manifest is built from this.
COMMANDS: dict[str, str] = {
    "help": "What I can do, and how to ask",
    "status": "This core group's status: meetings, plan copies and what is owed",
    "request": "Request an additional core group meeting",
}

#: A command's answer: called with the turn's context and the words after the command.
CommandHandler = Callable[[Any, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    """A command as typed: its name (lower case) and what followed it."""

    name: str
    args: str = ""


def parse_command(text: str | None) -> Command | None:
    """The command in a message whose mentions are already stripped; None for an empty message."""
    words = " ".join((text or "").replace("\u00a0", " ").split())
    if not words:
        return None
    name, _, args = words.partition(" ")
    return Command(name=name.lstrip("/").lower(), args=args)


def help_text() -> str:
    lines = ["Here is what I can do. Type a command in our chat, or @mention me in a case channel:"]
    lines += [f"- **{name}**: {line}" for name, line in COMMANDS.items()]
    return "\n".join(lines)


def unknown_text(name: str) -> str:
    shown = name[:30].replace("*", "").replace("_", "").replace("`", "")
    return f"I don't know the command '{shown}'. Type **help** to see what I can do."


NOT_YET = "The **{name}** command is not available in Teams yet. Type **help** to see what I can do."
