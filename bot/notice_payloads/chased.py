"""What the ledger adds to a notice it sends or updates (bot/services/obligation_sweep.py, obligations.py)."""

from __future__ import annotations

from bot.notice_payloads.base import NoticePayload


class Chased(NoticePayload):
    """The obligation a chase is for, its stage, whom it is owed by and who stands in; and, once done, by whom."""

    obligation_id: int | None = None
    stage: str | None = None
    repeat: bool = False
    owner: str | None = None
    on_behalf_of: str | None = None
    done: str | None = None
    done_by: str | None = None
