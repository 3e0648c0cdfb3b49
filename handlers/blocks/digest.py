"""Block Kit for the coordinator's digest: the daily DM, and the live digest on the coordinator's Home tab.

A digest can be long (hundreds of items across an authority): items are packed several to a section, each
section's text stays under Slack's 3,000 characters, and the whole stays within the block budget given (a
message holds 50 blocks). What does not fit is summarised as "…and N more", oldest shown first, so Slack never
rejects a digest.
"""

from __future__ import annotations

from typing import Any

from bot.digest import Digest, DigestItem, DigestSection, words
from handlers.render import context, escape, header, inline, mention, section

Blocks = list[dict[str, Any]]
SECTION_CHARS = 3000
LINE_CHARS = 600
MESSAGE_BLOCKS = 50


def item_line(item: DigestItem) -> str:
    """'• *CP-2027-0142* <#C0CASE142> — CP9 overdue by 3 days … — <@U0CHAIR>'."""
    line = f"• *{escape(item.reference)}* <#{item.channel}> — {inline(item.summary)}"
    if item.people:
        line += " — " + ", ".join(mention(p) for p in item.people)
    return line[:LINE_CHARS]


def pack_section(title: str, lines: list[str], *, blocks: int) -> Blocks:
    """`title` and as many `lines` as fit in at most `blocks` sections; the rest counted in a last line."""
    texts: list[str] = []
    current, shown = title, 0
    for line in lines:
        if len(current) + 1 + len(line) <= SECTION_CHARS:
            current, shown = f"{current}\n{line}", shown + 1
        elif len(texts) + 1 < blocks:
            texts.append(current)
            current, shown = line, shown + 1
        else:
            break
    rest = len(lines) - shown
    while rest:
        more = f"_…and {rest} more (the oldest are shown first)_"
        if len(current) + 1 + len(more) <= SECTION_CHARS:
            current = f"{current}\n{more}"
            break
        current, rest = current.rsplit("\n", 1)[0], rest + 1  # make room for the summary line
    texts.append(current)
    return [section(t) for t in texts]


def counts_line(digest: Digest) -> str:
    """'CP9s: 2 · Escalations: 1 · …' for the sections that have something."""
    return " · ".join(f"{s.title}: *{s.count}*" for s in digest.non_empty())


def build_digest_sections(digest: Digest, *, blocks: int) -> Blocks:
    """Every non-empty section within `blocks` blocks (at least one each; the rest shared out in order)."""
    sections = digest.non_empty()
    if not sections:
        return []
    lines = {s.key: [item_line(i) for i in s.items] for s in sections}
    needed = {s.key: len(pack_section(_title(s), lines[s.key], blocks=10_000)) for s in sections}
    allowed = {s.key: 1 for s in sections}
    spare = max(blocks - len(sections), 0)
    for s in sections:  # oldest-first sections in their fixed order get what they need while blocks last
        extra = min(needed[s.key] - 1, spare)
        allowed[s.key] += extra
        spare -= extra
    shown: Blocks = []
    for s in sections[: max(blocks, 0)]:
        shown += pack_section(_title(s), lines[s.key], blocks=allowed[s.key])
    return shown


def build_digest_message(payload: dict[str, Any]) -> tuple[str, Blocks]:
    """The daily DM: a header, the headline, each section's items (oldest first), within 50 blocks."""
    digest = Digest.from_payload(payload)
    day = words(digest.day)
    blocks: Blocks = [header(f"Coordinator digest — {day}")]
    if digest.empty:
        text = f"{digest.headline()} ({day})"
        blocks.append(
            section(
                f"*{digest.headline()}.* Every CP9, plan copy, meeting, request, escalation, referral "
                "and institution letter is where it should be."
            )
        )
    else:
        text = f"Coordinator digest for {day}: {digest.headline()}"
        blocks.append(section(f"*{digest.headline()}.*\n{counts_line(digest)}"))
    footer = []
    if payload.get("on_behalf_of"):
        footer.append(
            context(
                f"You have this as delegate for {mention(payload['on_behalf_of'])} "
                "(Co-ordinator, Children Services) while they are away."
            )
        )
    footer.append(
        context(
            "Sent each working day. Weekends and bank holidays are covered by the next working day's "
            "digest. Your Home tab shows it live."
        )
    )
    blocks += build_digest_sections(digest, blocks=MESSAGE_BLOCKS - len(blocks) - len(footer))
    return text, blocks + footer


def _title(s: DigestSection) -> str:
    return f"*{s.title}* ({s.count})"
