"""Block Kit for an admin's notice that a message could not be delivered."""

from __future__ import annotations

from bot.notice_payloads.coordinator import DeliveryFailed
from handlers.render import Rendered, context, section

ERROR_WORDS = {
    "channel_not_found": "the channel does not exist or the bot cannot see it",
    "not_in_channel": "the bot is not a member of the channel (invite it with /invite)",
    "is_archived": "the channel is archived",
    "user_not_found": "the user does not exist",
    "account_inactive": "the user's account is deactivated",
    "user_disabled": "the user's account is disabled",
}


def render_delivery_failed(p: DeliveryFailed) -> Rendered:
    """An admin is told that a notice could not be delivered, and why, so they can fix the cause."""
    recipient = p.recipient or "?"
    where = f"<@{recipient}>" if recipient[:1] in ("U", "W") else f"<#{recipient}>"
    error = p.error or "unknown error"
    text = f"A message could not be delivered to {recipient}" + (f" (case {p.reference})" if p.reference else "")
    lines = [
        "*A message could not be delivered*" + (f" — {p.reference}" if p.reference else ""),
        f"*To:* {where}",
        f"*Why:* `{error}` — {ERROR_WORDS.get(error, 'Slack refused it')}",
        f"*What:* {str(p.kind or '').replace('_', ' ')}",
    ]
    return Rendered(
        text=text + f": {error}",
        blocks=[
            section("\n".join(lines)),
            context("It will not be retried. Fix the cause; later messages will go through."),
        ],
    )
