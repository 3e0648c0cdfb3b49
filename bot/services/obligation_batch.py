"""What a batch of the ledger sweep reads up front, so that its rows' steps are worked out without a query each.

One query per table whatever the batch's size: the cases (with their roles and organisation), the subjects the
steps look up by id through the session (a meeting period, a meeting, an action, a CP9, a plan copy and its
distribution, the meeting a period follows), and
the delegates of everyone a step may tell (one query per duty and day). The objects are kept here: the session holds
what it loaded only weakly, and a subject dropped before its row's step would be read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.authority import Duty, delegates_for_many, duty_in
from bot.organisation import calendar_for
from store.models import Case, Cp9, Meeting, MeetingAction, MeetingDue, Obligation, PlanCopy
from store.uow import UnitOfWork

#: Subjects read for the whole batch before its steps (those the steps look up by id through the session).
PREFETCH: dict[str, type] = {
    "meeting_due": MeetingDue,
    "meeting": Meeting,
    "action": MeetingAction,
    "cp9": Cp9,
    "plan_copy": PlanCopy,
}


@dataclass
class Batch:
    """A batch's rows and what their steps need, read in bulk."""

    cases: dict[int, Case]
    kept: list[object] = field(default_factory=list)
    delegates: dict[tuple[Duty, date], dict[str, str]] = field(default_factory=dict)

    def route(self, case: Case, person: str, *, now: datetime) -> tuple[str, str | None]:
        """Who gets a message meant for `person` today, as `bot.services.meeting_plan.route_to` says, from what the
        batch read: their delegate for the part they play (for them), else them."""
        day = calendar_for(case.organisation).local_date(now)
        to = self.delegates.get((duty_in(case, person), day), {}).get(person)
        return (to, person) if to and to != person else (person, None)


def read_batch(uow: UnitOfWork, rows: Sequence[Obligation], *, now: datetime) -> Batch:
    """The batch's cases, subjects and delegates, a query per table (per duty and day for the delegates)."""
    batch = Batch(cases=uow.cases.get_many(r.case_id for r in rows))
    for subject_type, model in PREFETCH.items():
        ids = (r.subject_id for r in rows if r.subject_type == subject_type)
        batch.kept.extend(uow.obligations.subjects(model, ids).values())
    # The meeting each period follows (whether one is booked in time counts from it).
    after = {d.after_meeting_id for d in batch.kept if isinstance(d, MeetingDue) and d.after_meeting_id}
    batch.kept.extend(uow.obligations.subjects(Meeting, after).values())
    # The distribution each plan copy is part of, with all its copies (the chair's notice lists what is owed).
    receipts = {c.receipt_id for c in batch.kept if isinstance(c, PlanCopy)}
    batch.kept.extend(uow.receipts.get_many(receipts).values())
    wanted: dict[tuple[Duty, date], set[str]] = {}
    for row in rows:
        case = batch.cases[row.case_id]
        day = calendar_for(case.organisation).local_date(now)
        for person in (row.owner, case.chair, case.organisation.coordinator):  # whoever a rung may tell
            if person:
                wanted.setdefault((duty_in(case, person), day), set()).add(person)
    for (duty, day), people in wanted.items():
        batch.delegates[(duty, day)] = delegates_for_many(uow, people, duty, on=day)
    return batch
