"""`/core-group add @name ROLE`: the chair adds a professional to the case's core group; the channel is told."""

from __future__ import annotations

from slack_bolt import App, Respond

from bot.context import Services
from bot.errors import InvalidInputError
from bot.services.members import add_member
from handlers.core_group import subcommand
from handlers.delegates import MENTION
from handlers.render import escape, mention

USAGE = "`/core-group add @name ROLE`, for example `/core-group add @Priya health visitor`"


def parse_add_text(args: list[str]) -> tuple[str, str]:
    """The user to add and their professional role, from what follows `add`."""
    found = MENTION.fullmatch(args[0]) if args else None
    if found is None:
        raise InvalidInputError(f"Say whom to add, as a mention (type @ and pick them), then their role: {USAGE}.")
    role = " ".join(args[1:])
    if not role:
        raise InvalidInputError(f"Say what {mention(found.group(1))} does, as a professional role: {USAGE}.")
    return found.group(1), role


def handle_members_add_subcommand(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """Add a professional to this case's core group (the chair or their delegate), once."""
    member, role = parse_add_text(args)
    with services.uow_factory() as uow:
        added = add_member(
            uow=uow,
            now=services.clock.now(),
            channel=command["channel_id"],
            user=command["user_id"],
            member=member,
            role_label=role,
        )
        uow.commit()
    if added.already:
        answer = f"{mention(member)} is already in the core group of {added.reference}: nothing was changed."
    else:
        answer = (
            f"{mention(member)} is now in the core group of {added.reference} as {escape(added.role_label)}: "
            "they can be recorded at meetings and are sent the plan. The case channel is told."
        )
    respond(text=answer, response_type="ephemeral")


def register(app: App) -> None:
    """Register `/core-group add` (the /core-group listener lives in handlers.core_group)."""
    subcommand("add", "`@name ROLE`: add a professional to this case's core group (the chair)")(
        handle_members_add_subcommand
    )
