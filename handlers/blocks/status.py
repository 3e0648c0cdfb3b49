"""Block Kit for `/core-group status` and `/core-group help`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.services.cases import CaseStatusView
from handlers.format import local_datetime
from handlers.render import context, header, mention, section


def build_status_message(
    view: CaseStatusView, *, extra: Sequence[dict[str, Any]] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """The case's status: reference, chair, team leader, how many members, next meeting."""
    text = f"Core group status for {view.reference}"
    lines = [
        f"*Chair:* {mention(view.chair)}",
        f"*Team leader:* {mention(view.team_leader)}",
        f"*Members:* {view.member_count}"
        + (
            f" (plus {len(view.participants_without_slack)} without Slack: {', '.join(view.participants_without_slack)})"
            if view.participants_without_slack
            else ""
        ),
        f"*Next meeting:* {local_datetime(view.next_meeting_at, view.timezone)}",
    ]
    blocks = [header(f"Core group {view.reference}"), section("\n".join(lines))]
    if view.status != "open":
        blocks.append(context(f"This case is {view.status}."))
    blocks.extend(extra)
    return text, blocks[:50]


def build_help_message(lines: list[tuple[str, str]]) -> tuple[str, list[dict[str, Any]]]:
    """Every /core-group subcommand with what it does."""
    body = "\n".join(f"`/core-group {name}` — {what}" for name, what in lines)
    body += "\n`/request-core-group [what has changed]` — ask the team leader for an additional meeting"
    return "Core group commands", [header("Core group commands"), section(body)]
