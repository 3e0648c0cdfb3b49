"""Block Kit for "What the case owes" in `/core-group status`: each open obligation, who owes it, when it is due."""

from __future__ import annotations

from typing import Any

from bot.digest import words
from bot.owed import Owed
from handlers.render import mention, section

#: Lines shown; the rest are counted (a case rarely owes more: one line per plan copy after a meeting).
SHOWN = 20


def owed_line(item: Owed) -> str:
    """'• The CP9 sent to the coordinator — <@U0CHAIR> (chair) — due Fri 28 May 2027 — *overdue*'."""
    who = f"{mention(item.owner)} ({item.role})" if item.owner else f"the {item.role}"
    line = f"• {item.what} — {who} — due {words(item.due_on)}"
    return line + (" — *overdue*" if item.overdue else "")


def build_owed_section(owed: list[Owed]) -> list[dict[str, Any]]:
    """The section's blocks: a title and a line each, or that nothing is owed."""
    if not owed:
        return [section("*What the case owes*\nNothing is owed at the moment.")]
    lines = [owed_line(o) for o in owed[:SHOWN]]
    if len(owed) > SHOWN:
        lines.append(f"_…and {len(owed) - SHOWN} more_")
    overdue = sum(1 for o in owed if o.overdue)
    counts = f"{len(owed)}, {overdue} overdue" if overdue else f"{len(owed)}"
    return [section("\n".join([f"*What the case owes* ({counts})", *lines]))]
