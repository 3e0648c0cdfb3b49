"""Block Kit for the case channel's notice that someone joined the core group."""

from __future__ import annotations

from bot.notice_payloads.coordinator import MemberAdded
from handlers.render import Rendered, context, escape, mention, section


def render_member_added(p: MemberAdded) -> Rendered:
    """The case channel hears who joined the core group, as what, and who added them."""
    text = f"{mention(p.member)} joined the core group as {escape(p.role)}"
    added_by = f"Added by {mention(p.added_by)}"
    if p.on_behalf_of:
        added_by += f", standing in for {mention(p.on_behalf_of)}"
    return Rendered(text=text, blocks=[section(f"{text} — {p.reference}"), context(added_by + ".")])
