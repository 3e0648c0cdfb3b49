"""Use case for `/core-group status`: what the case owes, by whom, by when, read from the ledger."""

from __future__ import annotations

from datetime import datetime

from bot.digest import words
from bot.organisation import calendar_for, policy_for
from bot.owed import Owed, what_is_owed
from bot.services.digest_ledger import ledger_kinds
from store.uow import UnitOfWork


def owed_by_case(*, uow: UnitOfWork, now: datetime, channel: str) -> list[Owed]:
    """The case's open obligations of the kinds the ledger keeps, soonest due first (none for an unknown channel)."""
    case = uow.cases.get_by_channel(channel)
    if case is None:
        return []
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    kinds = set(ledger_kinds())
    found = []
    for row in uow.obligations.open_for_case(case.id):
        if row.kind not in kinds:
            continue
        due_on = row.due_local_date or calendar.local_date(row.due_at)
        what = what_is_owed(
            row.kind,
            recipient=row.recipient,
            form_name=policy.cp9.form_name,
            review_name=policy.review_conference.name,
            due_words=words(due_on),
        )
        owner = case.chair if row.owner_role == "chair" and case.chair else row.owner
        found.append(Owed(what, owner, row.owner_role, due_on, row.stage))
    return found
