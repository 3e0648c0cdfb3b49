"""The coordinator's digest as one Teams card: however long the digest, the card stays within Teams' ~28 KB
message limit, every section shows its full count, and what does not fit is counted."""

from __future__ import annotations

import json
import re

from bot.digest import SECTIONS
from teams.cards.dialogs import attachment
from teams.cards.digest import CARD_BYTES, MESSAGE_BYTES, build_digest_card, card_bytes
from tests.teams.test_cards_every_builder import COORDINATOR, digest_payload, walk


def words(card) -> list[str]:
    return [n["text"] for n in walk(card["body"]) if n.get("type") == "TextBlock"]


def huge_payload(per_section: int) -> dict:
    sections = []
    for n, (key, title) in enumerate(SECTIONS.items()):
        items = [
            {
                "reference": f"CP-2027-{n:02d}{i:03d}",
                "channel": f"19:c{n}-{i}@thread.tacv2",
                "summary": f"Something overdue for a long while, with many words to say about it ({i})",
                "since": "2027-04-01",
                "people": [f"aaaaaaaa-0000-4000-8000-{n:04d}{i:08d}"],
            }
            for i in range(per_section)
        ]
        sections.append({"key": key, "title": title, "items": items})
    return {**digest_payload(), "sections": sections}


def test_a_digest_of_thousands_of_items_fits_in_one_teams_message_with_every_count_right():
    payload = huge_payload(400)
    card = build_digest_card(payload=payload, names={})
    message = {"type": "message", "attachments": [attachment(card)]}
    assert len(json.dumps(message).encode("utf-8")) <= MESSAGE_BYTES
    assert card_bytes(card) <= CARD_BYTES
    shown = words(card)
    assert shown[1] == f"**{400 * len(SECTIONS)} things need you today \u2014 12 cases on time.**"
    for title in SECTIONS.values():
        at = shown.index(f"**{title}** (400)")  # every section, with its full count
        listed = shown[at + 1].count("\n- ") + 1 if shown[at + 1].startswith("- ") else 0
        more = re.fullmatch(r"\u2026and (\d+) more \(the oldest are shown first\)", shown[at + 1 + bool(listed)])
        assert more is not None
        assert listed + int(more.group(1)) == 400
    assert shown[4].startswith("- **CP-2027-00000**")  # the first section's oldest item comes first


def test_every_mention_the_packed_digest_shows_has_its_entity_and_no_other():
    card = build_digest_card(payload=huge_payload(100))
    mentioned = {m for text in words(card) for m in re.findall(r"<at>.*?</at>", text)}
    assert {e["text"] for e in card["msteams"]["entities"]} == mentioned


def test_a_small_digest_shows_every_item_with_who_it_waits_on():
    card = build_digest_card(payload=digest_payload(items=2, on_behalf_of=COORDINATOR))
    shown = words(card)
    assert (
        card["fallbackText"]
        == "Coordinator digest for Wed 26 May 2027: 2 things need you today \u2014 12 cases on time"
    )
    assert shown[2] == "CP9s due and overdue: **2**"
    assert shown[4] == (
        "- **CP-2027-0142** \u2014 CP9 overdue by 3 days \u2014 <at>member</at>\n"
        "- **CP-2027-0142** \u2014 CP9 overdue by 3 days \u2014 <at>member</at>"
    )
    assert not any("more" in line for line in shown[:6])
    assert "You have this as delegate for <at>coordinator</at>" in shown[-2]


def test_an_empty_digest_still_says_nothing_needs_you():
    card = build_digest_card(payload=digest_payload(items=0))
    assert card["fallbackText"] == "Nothing needs you today \u2014 12 cases on time (Wed 26 May 2027)"
    assert words(card)[1].startswith("**Nothing needs you today \u2014 12 cases on time.** Every CP9")
