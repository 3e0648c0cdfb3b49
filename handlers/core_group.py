"""`/core-group`: one command, subcommands registered by each feature; status and help live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.authority import check_insider
from bot.context import Services
from bot.errors import CoreGroupError
from bot.services.cases import case_status
from handlers.blocks.status import build_help_message, build_status_message
from handlers.errors import explain
from handlers.ids import Command
from handlers.render import echo

#: name -> (handler, one-line help). A handler is `fn(*, args, command, respond, client, services)`.
_SUBCOMMANDS: dict[str, tuple[Callable[..., None], str]] = {}
#: Subcommands about the person, not the case whose channel they are typed in: an outsider may use them.
_ANYWHERE = {"delegate"}
#: Subcommands that check who is asking themselves, at least as strictly (status: the group or the coordinator only),
#: in the one unit of work they answer from: the router's own check would read the case a second time.
_CHECKS_ITSELF = {"status"}
#: Extra status sections from features: `fn(*, channel, user, uow, now) -> list of blocks`, in the answer's unit of work.
STATUS_SECTIONS: list[Callable[..., list[dict[str, Any]]]] = []


def subcommand(name: str, help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a `/core-group <name>` handler (a decorator used by the feature modules)."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        _SUBCOMMANDS[name] = (fn, help_text)
        return fn

    return register


def handle_core_group_command(ack: Ack, command: dict, respond: Respond, client, context) -> None:
    """Route `/core-group <subcommand> ...`; anything unknown gets the help, ephemerally."""
    ack()
    words = (command.get("text") or "").split()
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    entry = _SUBCOMMANDS.get(name)
    if entry is None:
        text, blocks = build_help_message(_help_lines())
        if name != "help":
            text = f"I don't know {echo(name)}. " + text
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"I don't know {echo(name)}."}}, *blocks]
        respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    try:
        if name not in _ANYWHERE and name not in _CHECKS_ITSELF:
            services = context["services"]
            with services.uow_factory().reading() as uow:
                check_insider(uow=uow, channel=command["channel_id"], user=command["user_id"], now=services.clock.now())
        entry[0](args=args, command=command, respond=respond, client=client, services=context["services"])
    except CoreGroupError as error:
        # Answered here, not by the central handler: Bolt forgets an ack() followed within ~10 ms by an
        # exception (it resets ack.response), and Slack would then show the user "dispatch_failed" too.
        respond(text=explain(error), response_type="ephemeral", replace_original=False)


def show_status(*, args: list[str], command: dict, respond: Respond, client, services: Services) -> None:
    """Answer `/core-group status` with the case's roles and next meeting."""
    now = services.clock.now()
    extra: list[dict[str, Any]] = []
    # One unit of work for the whole answer, only reading: the case is loaded once and every section reads from it.
    with services.uow_factory().reading() as uow:
        view = case_status(command["channel_id"], command["user_id"], uow=uow, now=now)
        for section in STATUS_SECTIONS:
            extra.extend(section(channel=command["channel_id"], user=command["user_id"], uow=uow, now=now))
    text, blocks = build_status_message(view, extra=extra)
    respond(text=text, blocks=blocks, response_type="ephemeral")


def _help_lines() -> list[tuple[str, str]]:
    lines = [(name, help_text) for name, (_, help_text) in _SUBCOMMANDS.items()]
    return sorted([*lines, ("help", "this list")])


def register(app: App) -> None:
    """Listen for /core-group and register the subcommands owned here."""
    subcommand("status", "this case's chair, team leader, members and next meeting")(show_status)
    app.command(Command.CORE_GROUP)(handle_core_group_command)
