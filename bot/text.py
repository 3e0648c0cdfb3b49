"""Free text people type: what the bot refuses to take in (control characters), before anything is saved."""

from __future__ import annotations

import unicodedata

from bot.errors import InvalidInputError

#: Control characters a person may type on purpose: a line break, a tab.
_ALLOWED = frozenset("\n\t")
_NAMES = {0x00: "NUL", 0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete"}


def control_character_problem(text: str | None) -> str | None:
    """Why `text` cannot be taken in (its first control character other than a line break or tab), or None."""
    for position, char in enumerate(text or "", start=1):
        if char not in _ALLOWED and unicodedata.category(char) == "Cc":
            code = ord(char)
            name = f"{_NAMES[code]}, U+{code:04X}" if code in _NAMES else f"U+{code:04X}"
            return (
                f"Remove the control character at position {position} ({name}): it is invisible and cannot be "
                "saved. Retype that part of the text rather than pasting it."
            )
    return None


def require_plain_text(text: str | None) -> str | None:
    """`text` unchanged, or InvalidInputError naming its first control character."""
    problem = control_character_problem(text)
    if problem:
        raise InvalidInputError(problem)
    return text
