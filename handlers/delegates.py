"""`/core-group delegate @user until YYYY-MM-DD [requests|coordinator|chairing]` and `off`: stand-ins while away."""

from __future__ import annotations

import re
from datetime import date

from slack_bolt import App, Respond

from bot.authority import COVERS_IN_WORDS, SCOPE_WORDS, Scope
from bot.context import Services
from bot.errors import InvalidInputError
from bot.services.delegates import current_delegates, end_delegate, set_delegate
from handlers.core_group import subcommand
from handlers.render import echo, mention

USAGE = "`/core-group delegate @name until YYYY-MM-DD [requests|coordinator|chairing]` (or `/core-group delegate off`)"
# Slack escapes a mention in command text as <@U123|name> (or <@U123> without the name).
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_delegate_text(text: str) -> tuple[str, date, Scope | None]:
    """The delegate's user id, the last day they stand in and what they cover (None: the default for the
    principal's role), from what follows `delegate`."""
    found = MENTION.search(text)
    if found is None:
        typed = re.search(r"@\S+", text)
        if typed:
            raise InvalidInputError(
                f"I couldn't tell who {echo(typed.group(0))} is: pick them from Slack's list as you type @, "
                f"so their name turns into a mention. {USAGE}"
            )
        raise InvalidInputError(f"Say who stands in for you, and until when: {USAGE}")
    rest = text[found.end() :].strip()
    rest = re.sub(r"^until\b", "", rest, flags=re.IGNORECASE).strip()
    if not rest:
        raise InvalidInputError(f"Say until when {mention(found.group(1))} stands in for you: {USAGE}")
    words = rest.split()
    scope = None
    if len(words) == 2:
        scope = SCOPE_WORDS.get(words[1].lower())
        if scope is None:
            raise InvalidInputError(
                f"{echo(words[1])} is not something a delegate can cover: write "
                f"`requests`, `coordinator` or `chairing` after the date. {USAGE}"
            )
        words = words[:1]
    if len(words) != 1 or not ISO_DATE.fullmatch(words[0]):
        raise InvalidInputError(f"I couldn't read the date {echo(rest)}: write it as YYYY-MM-DD, e.g. 2027-08-13.")
    try:
        until = date.fromisoformat(words[0])
    except ValueError:
        raise InvalidInputError(f"{echo(words[0])} is not a date in the calendar: write it as YYYY-MM-DD.") from None
    return found.group(1), until, scope


def handle_delegate_subcommand(*, args: list[str], command: dict, respond: Respond, client, services: Services) -> None:
    """Set, end or show the caller's delegate; bad input gets a specific answer and changes nothing."""
    user = command["user_id"]
    text = re.sub(r"^\s*delegate\b", "", command.get("text") or "", flags=re.IGNORECASE).strip()
    now = services.clock.now()
    with services.uow_factory() as uow:
        if not text:
            rows = current_delegates(uow=uow, now=now, principal=user)
            answer = (
                " ".join(
                    f"{mention(r.delegate)} stands in for you until {r.until:%a %-d %b %Y} for "
                    f"{COVERS_IN_WORDS[Scope(r.scope)]}."
                    for r in rows
                )
                + " Turn it off with `/core-group delegate off`."
                if rows
                else f"You have no delegate. Set one with {USAGE}."
            )
        elif text.lower() == "off":
            ended = end_delegate(uow=uow, now=now, principal=user)
            uow.commit()
            answer = (
                "Your delegates are off: what they covered comes to you alone again."
                if ended
                else "You had no delegate: nothing to turn off."
            )
        else:
            delegate, until, scope = parse_delegate_text(text)
            row = set_delegate(uow=uow, now=now, principal=user, delegate=delegate, until=until, scope=scope)
            uow.commit()
            covered = Scope(row.scope)
            default = (
                ""
                if scope
                else (
                    " (the default for your role; write `requests`, `coordinator` or `chairing` "
                    "after the date to choose)"
                )
            )
            answer = (
                f"Until {until:%a %-d %b %Y}, {mention(delegate)} stands in for you for "
                f"{COVERS_IN_WORDS[covered]}{default}. Nothing else: you can still act on these too. "
                "I've told them. Turn it off early with `/core-group delegate off`."
            )
    respond(text=answer, response_type="ephemeral")


def register(app: App) -> None:
    """Register `/core-group delegate` (the /core-group listener lives in handlers.core_group)."""
    subcommand(
        "delegate",
        "`@name until YYYY-MM-DD [requests|coordinator|chairing]` (or `off`): someone stands "
        "in for you while you are away, for that work only",
    )(handle_delegate_subcommand)
