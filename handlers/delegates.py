"""`/core-group delegate @user until YYYY-MM-DD` and `/core-group delegate off`: stand-ins while away."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import App, Respond

from bot.context import Services
from bot.errors import InvalidInputError
from bot.notices import NoticeKind
from bot.services.delegates import current_delegate, end_delegate, set_delegate
from handlers.blocks.requests import build_delegate_message
from handlers.core_group import subcommand
from handlers.render import Rendered, echo, mention, renderer

USAGE = "`/core-group delegate @name until YYYY-MM-DD` (or `/core-group delegate off`)"
# Slack escapes a mention in command text as <@U123|name> (or <@U123> without the name).
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_delegate_text(text: str) -> tuple[str, date]:
    """The delegate's user id and the last day they stand in, from what follows `delegate`."""
    found = MENTION.search(text)
    if found is None:
        typed = re.search(r"@\S+", text)
        if typed:
            raise InvalidInputError(
                f"I couldn't tell who {echo(typed.group(0))} is: pick them from Slack's list as you type @, "
                f"so their name turns into a mention. {USAGE}"
            )
        raise InvalidInputError(f"Say who stands in for you, and until when: {USAGE}")
    rest = text[found.end():].strip()
    rest = re.sub(r"^until\b", "", rest, flags=re.IGNORECASE).strip()
    if not rest:
        raise InvalidInputError(f"Say until when {mention(found.group(1))} stands in for you: {USAGE}")
    words = rest.split()
    if len(words) != 1 or not ISO_DATE.fullmatch(words[0]):
        raise InvalidInputError(f"I couldn't read the date {echo(rest)}: write it as YYYY-MM-DD, e.g. 2027-08-13.")
    try:
        until = date.fromisoformat(words[0])
    except ValueError:
        raise InvalidInputError(f"{echo(words[0])} is not a date in the calendar: write it as YYYY-MM-DD.") from None
    return found.group(1), until


def handle_delegate_subcommand(*, args: list[str], command: dict, respond: Respond, client, services: Services) -> None:
    """Set, end or show the caller's delegate; bad input gets a specific answer and changes nothing."""
    user = command["user_id"]
    text = re.sub(r"^\s*delegate\b", "", command.get("text") or "", flags=re.IGNORECASE).strip()
    now = services.clock.now()
    with services.uow_factory() as uow:
        if not text:
            row = current_delegate(uow=uow, now=now, principal=user)
            answer = (f"{mention(row.delegate)} stands in for you until {row.until:%a %-d %b %Y}. "
                      "Turn it off with `/core-group delegate off`." if row else
                      f"You have no delegate. Set one with {USAGE}.")
        elif text.lower() == "off":
            ended = end_delegate(uow=uow, now=now, principal=user)
            uow.commit()
            answer = ("Your delegate is off: requests that need your decision come to you again." if ended
                      else "You had no delegate: nothing to turn off.")
        else:
            delegate, until = parse_delegate_text(text)
            set_delegate(uow=uow, now=now, principal=user, delegate=delegate, until=until)
            uow.commit()
            answer = (f"Until {until:%a %-d %b %Y}, requests that need your decision go to {mention(delegate)} "
                      "(you can still decide them too). I've told them. Turn it off early with `/core-group delegate off`.")
    respond(text=answer, response_type="ephemeral")


@renderer(NoticeKind.DELEGATE_APPOINTED)
def render_delegate_appointed(payload: dict[str, Any]) -> Rendered:
    """The new delegate hears whom they stand in for, and until when."""
    return Rendered(*build_delegate_message(payload))


def register(app: App) -> None:
    """Register `/core-group delegate` (the /core-group listener lives in handlers.core_group)."""
    subcommand("delegate", "`@name until YYYY-MM-DD` (or `off`): someone decides requests for you while you are away")(
        handle_delegate_subcommand
    )
