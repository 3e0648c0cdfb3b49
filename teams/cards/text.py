"""Text on Teams cards: typed text made inert for Adaptive Card markdown, people as mentions, dates as people read them.

Adaptive Card TextBlocks render a markdown subset (bold, italic, lists, links) and Teams turns `<at>…</at>` into a
mention when the card lists it. What someone typed must never do either: `plain` swaps every markup character for
a look-alike (as `handlers/render.py` does for Slack's mrkdwn) and keeps a typed web address working as a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

#: Characters that change how text around them is shown without being seen (direction overrides, zero-width):
#: removed from typed text, as in handlers/render.py.
_INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x061C, 0xFEFF]
)
#: Markdown's markup characters (and `<` `>` for `<at>` tags and autolinks), as look-alikes that mark nothing up.
_MARKUP = str.maketrans(
    {
        "*": "\u2217",
        "_": "\uff3f",
        "~": "\u223c",
        "`": "\u02cb",
        "[": "\uff3b",
        "]": "\uff3d",
        "<": "\uff1c",
        ">": "\uff1e",
        "\\": "\uff3c",
    }
)
#: A list item, heading or numbered item at the start of a line: its marker becomes a look-alike.
_LINE_MARKER = re.compile(r"^(\s*)(?:([-+#])|(\d+)([.)]))(?=\s|$)")
_MARKER_LOOKALIKE = {"-": "\u2010", "+": "\uff0b", "#": "\uff03", ".": "\u2024", ")": "\uff09"}
#: A web address someone typed (a link to where a document is kept): a link, with markup-free text.
_URL = re.compile(r"https?://[^\s<>\[\]()|\"'`{}\\]+")
_TRAILING = ".,;:!?"
#: "the chair" -> "chair": a mention without a name reads as a handle (@chair), not a phrase.
_ARTICLE = re.compile(r"^(?:the|your|their|a|an) ", re.IGNORECASE)


def _inert(text: str) -> str:
    """Markup characters swapped for look-alikes; `{{` (a card's date/time function) broken up."""
    return text.translate(_MARKUP).replace("{{", "{\uff5b")


def _line(text: str) -> str:
    """One line made inert, its web addresses kept as working links."""
    marker = _LINE_MARKER.match(text)
    if marker:
        lead, sign, number, end = marker.groups()
        text = lead + (_MARKER_LOOKALIKE[sign] if sign else number + _MARKER_LOOKALIKE[end]) + text[marker.end() :]
    out, start = [], 0
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(_TRAILING)
        out.append(_inert(text[start : found.start()]))
        out.append(f"[{_inert(url)}]({url})")
        start = found.start() + len(url)
    out.append(_inert(text[start:]))
    return "".join(out)


def plain(text: str | None) -> str:
    """Typed text made inert for a TextBlock: invisible characters removed, markdown and `<at>` neutralised."""
    return "\n".join(_line(line) for line in (text or "").translate(_INVISIBLE).split("\n"))


def inline(text: str | None, *, limit: int | None = None) -> str:
    """Short typed text (a label, a name) inside the bot's sentence: made inert and kept on one line."""
    words = " ".join((text or "").translate(_INVISIBLE).split())
    if limit is not None and len(words) > limit:
        words = words[: limit - 1] + "\u2026"
    return plain(words)


def quoted(text: str | None) -> dict[str, Any]:
    """Typed text in its own shaded container, each line a paragraph, so none of it passes for the bot's words."""
    lines = [plain(line.strip()) for line in (text or "").splitlines()]
    shown = "\n\n".join(line for line in lines if line) or "\u2014"
    return {
        "type": "Container",
        "style": "emphasis",
        "items": [{"type": "TextBlock", "text": shown, "wrap": True}],
    }


class People:
    """The people a card names, as Teams mentions: `<at>name</at>` in the text plus an entity in `msteams`.

    A person is shown by their display name when the sender looked it up (`names`: Entra object id -> name,
    fetched at send time and never stored), else by their role ("the chair" shows as @chair). Teams matches a
    mention by its text, so two people shown with the same words get a number each.
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self._names = names or {}
        self._texts: dict[str, str] = {}  # person -> their <at> text on this card
        self._entities: list[dict[str, Any]] = []

    def __call__(self, person: str | None, role: str) -> str:
        """`person` as a mention (by name, else `role`), or a dash when nobody holds the role."""
        if not person:
            return "\u2014"
        if person not in self._texts:
            label = inline(self._names.get(person), limit=80) or inline(_ARTICLE.sub("", role), limit=80) or "someone"
            taken = set(self._texts.values())
            text, n = f"<at>{label}</at>", 1
            while text in taken:
                n += 1
                text = f"<at>{label} ({n})</at>"
            self._texts[person] = text
            self._entities.append({"type": "mention", "text": text, "mentioned": {"id": person, "name": text[4:-5]}})
        return self._texts[person]

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The mention entities of everyone named so far."""
        return list(self._entities)

    def name(self, person: str | None, role: str) -> str:
        """`person` as plain words (no mention): their display name when known, else `role`."""
        if person and self._names.get(person):
            return inline(self._names[person], limit=80)
        return role


# --- dates and times, as handlers/format.py shows them in Slack (same words on both surfaces) --------------


def local_datetime(moment: datetime | str | None, timezone: str) -> str:
    """'Mon 24 May 2027, 10:00' in the organisation's zone, or 'not set'."""
    if moment is None:
        return "not set"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %-d %b %Y, %H:%M")


def local_date(day: date | str | None) -> str:
    """'Mon 24 May 2027', or 'not set'."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.strftime("%a %-d %b %Y") if day else "not set"


def plural(n: int, word: str) -> str:
    """'1 day', '3 days'."""
    return f"{n} {word}{'s' if n != 1 else ''}"
