"""The coordinator's daily digest as one Teams card, within Teams' message size limit (about 28 KB).

A digest can hold hundreds of items across an authority. Every non-empty section shows its title and full count;
items are packed in, oldest first and sections in their fixed order, while the card stays within its budget; what
does not fit is counted ("…and 37 more"), as the Slack digest does (handlers/blocks/digest.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.digest import Digest, DigestItem, DigestSection, words
from teams.cards.elements import Element, card, heading, text
from teams.cards.text import People, inline

#: Teams refuses a message larger than about 28 KB.
MESSAGE_BYTES = 28_000
#: The card's share of it: the activity around the card (addresses, ids, the attachment wrapper) takes the rest.
CARD_BYTES = 27_000
#: An item's summary is cut to this many characters (a summary is the bot's words; it is never this long).
SUMMARY_CHARS = 400


def card_bytes(shown: Element) -> int:
    """How big a card is on the wire (JSON with non-ASCII escaped: the larger of the ways it can be sent)."""
    return len(json.dumps(shown).encode("utf-8"))


def item_line(item: DigestItem, people: People) -> str:
    """'**CP-2027-0142** — CP9 overdue by 3 days … — @chair'."""
    line = f"**{inline(item.reference, limit=40)}** \u2014 {inline(item.summary, limit=SUMMARY_CHARS)}"
    if item.people:
        line += " \u2014 " + ", ".join(people(p, "member") for p in item.people)
    return line


def build_digest_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The daily digest: the headline, each section's count and items (oldest first), within the size limit."""
    digest = Digest.from_payload(dict(payload))
    return _render(digest, payload, names, _fit(digest, payload, names))


def _render(
    digest: Digest, payload: Mapping[str, Any], names: Mapping[str, str] | None, shown: Mapping[str, int]
) -> Element:
    people = People(names)
    day = words(digest.day)
    body = [heading(f"Coordinator digest \u2014 {day}")]
    if digest.empty:
        summary = f"{digest.headline()} ({day})"
        body.append(
            text(
                f"**{digest.headline()}.** Every CP9, plan copy, meeting, request, escalation, referral and "
                "institution letter is where it should be."
            )
        )
    else:
        summary = f"Coordinator digest for {day}: {digest.headline()}"
        counts = " \u00b7 ".join(f"{inline(s.title)}: **{s.count}**" for s in digest.non_empty())
        body += [text(f"**{digest.headline()}.**"), text(counts, spacing="None")]
    for section in digest.non_empty():
        body += _section(section, shown.get(section.key, 0), people)
    if payload.get("on_behalf_of"):
        coordinator = people(payload["on_behalf_of"], "the coordinator")
        body.append(
            text(
                f"You have this as delegate for {coordinator} (Co-ordinator, Children Services) while they are away.",
                subtle=True,
                spacing="Medium",
            )
        )
    body.append(
        text(
            "Sent each working day. Weekends and bank holidays are covered by the next working day's digest.",
            subtle=True,
            spacing="Medium",
        )
    )
    return card(body, summary=summary, people=people)


def _section(section: DigestSection, count: int, people: People) -> list[Element]:
    shown = [text(f"**{inline(section.title)}** ({section.count})", spacing="Medium")]
    if count:
        items = "\n".join(f"- {item_line(item, people)}" for item in section.items[:count])
        shown.append(text(items, spacing="Small"))
    rest = section.count - count
    if rest:
        shown.append(text(f"\u2026and {rest} more (the oldest are shown first)", subtle=True, spacing="None"))
    return shown


def _fit(digest: Digest, payload: Mapping[str, Any], names: Mapping[str, str] | None) -> dict[str, int]:
    """How many items of each section fit: sections in order take what they need while the budget lasts."""
    sections = digest.non_empty()
    shown = {s.key: 0 for s in sections}
    spare = CARD_BYTES - card_bytes(_render(digest, payload, names, shown))
    block = card_bytes(text("", spacing="Small")) + 2  # the TextBlock a section's first item brings, and its comma
    people = People(names)  # in the order the card names them, so each mention is costed once
    for section in sections:
        for item in section.items:
            before = len(people.entities)
            line = ("\n- " if shown[section.key] else "- ") + item_line(item, people)
            cost = len(json.dumps(line)) - 2 + sum(card_bytes(e) + 2 for e in people.entities[before:])
            cost += 0 if shown[section.key] else block
            if cost > spare:
                break  # this section is full; a later one may still fit a shorter item
            spare -= cost
            shown[section.key] += 1
    # The estimate is close, not exact (a mention costed for an item that did not fit): check, and trim from the end.
    while card_bytes(_render(digest, payload, names, shown)) > CARD_BYTES:
        last = next(key for key in reversed(shown) if shown[key])
        shown[last] -= 1
    return shown
