"""What the ledger adds to a notice it sends or updates (bot/services/obligation_sweep.py, obligations.py)."""

from __future__ import annotations

from bot.notice_payloads.base import NoticePayload, only_when_set


class Chased(NoticePayload):
    """The obligation a chase is for, its stage, whom it is owed by and who stands in; and, once done, by whom."""

    # Written only on the ledger's chases (and `done` once it is done), as the services always have.
    obligation_id: int | None = only_when_set()
    stage: str | None = only_when_set()
    repeat: bool = only_when_set(False)
    owner: str | None = only_when_set()
    on_behalf_of: str | None = None
    done: str | None = only_when_set()
    done_by: str | None = only_when_set()
