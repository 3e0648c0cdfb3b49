"""Display names of Slack users, for documents that leave Slack (where a <@U…> mention would not render).

Looked up with users.info when a document is written and never stored; anyone who cannot be looked up is
left out, and the document shows their role or a marked blank instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def display_names(client: WebClient, users: Iterable[str]) -> dict[str, str]:
    """user id -> "Real Name" (", Job title" when their profile has one), for those Slack knows."""
    found: dict[str, str] = {}
    for user in dict.fromkeys(u for u in users if u):
        try:
            data = client.users_info(user=user)["user"]
        except SlackApiError as exc:
            log.info("no display name for a user: %s", (exc.response.data or {}).get("error", "error"))
            continue
        profile = data.get("profile") or {}
        name = profile.get("real_name") or data.get("real_name") or profile.get("display_name") or data.get("name")
        if not name:
            continue
        title = (profile.get("title") or "").strip()
        found[user] = f"{name}, {title}" if title else name
    return found
