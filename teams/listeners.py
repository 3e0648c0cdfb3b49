"""Listeners: typed messages become commands; anything else the bot is sent is acknowledged quietly."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.attachment.attachment import Attachment

from teams.commands import COMMANDS, NOT_YET, CommandHandler, help_text, parse_command, unknown_text
from teams.render import CARD_CONTENT_TYPE

log = logging.getLogger("coregroup.teams")


async def answer_privately(ctx: Any, answer: str | dict[str, Any]) -> None:
    """Answer only the asker: in their 1:1 chat as it is, elsewhere as a targeted message (visible to them alone).

    `answer` is text or an Adaptive Card (a dict), sent with its summary as the notification text."""
    if isinstance(answer, str):
        activity = MessageActivityInput(text=answer)
    else:
        activity = MessageActivityInput().add_attachments(Attachment(content_type=CARD_CONTENT_TYPE, content=answer))
    kind = getattr(ctx.activity.conversation, "conversation_type", None)
    if kind not in (None, "personal"):
        activity = activity.with_recipient(ctx.activity.from_, is_targeted=True)
    await ctx.send(activity)


async def answer_help(ctx: Any, args: str) -> None:
    await answer_privately(ctx, help_text())


def default_commands() -> dict[str, CommandHandler]:
    """`help` answers; the other commands say they are not in Teams yet until the features register theirs."""

    def not_yet(name: str) -> CommandHandler:
        async def answer(ctx: Any, args: str) -> None:
            await answer_privately(ctx, NOT_YET.format(name=name))

        return answer

    handlers: dict[str, CommandHandler] = {name: not_yet(name) for name in COMMANDS}
    handlers["help"] = answer_help
    return handlers


def register(app: Any, *, commands: Mapping[str, CommandHandler]) -> None:
    """Register the message listener on the SDK app."""
    known = {**default_commands(), **commands}
    unknown = set(known) - set(COMMANDS)
    if unknown:
        raise ValueError(f"commands missing from teams.commands.COMMANDS (and so from the manifest): {sorted(unknown)}")

    @app.on_message
    async def on_message(ctx: Any) -> None:
        activity = ctx.activity
        # A channel message reads "<at>Core Group</at> status": the command is what is left without the mention.
        activity.strip_mentions_text()
        command = parse_command(activity.text)
        if command is None:
            return  # an empty message (a card's Action.Submit carries only values): nothing to answer
        handler = known.get(command.name)
        if handler is None:
            await answer_privately(ctx, unknown_text(command.name))
            return
        log.info("teams command %s", command.name)
        await handler(ctx, command.args)
