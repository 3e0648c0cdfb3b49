"""What the bot tells people: notice kinds written to the outbox, rendered by each chat surface."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """The kinds of outbox notice; each surface has a renderer for every kind it can show."""

    DELIVERY_FAILED = "delivery_failed"
    MEETING_SCHEDULED = "meeting_scheduled"


def notice_key(*parts: object) -> str:
    """An idempotency key: what + whom + occurrence, e.g. notice_key("reminder", meeting_id, "2wd", user)."""
    return ":".join(str(p) for p in parts)
