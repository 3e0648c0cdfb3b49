"""The ledger sweep works a batch at a time on both engines: what a batch costs does not grow with the rows in it,
and a step whose row moved after it was claimed is not taken (the bulk compare-and-set says which rows it took)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from bot.services.obligation_sweep import sweep_obligations
from tests.harness import CASE
from tests.store.test_obligation_ledger import CHASE, imported, obligation_notices, rows

UTC = timezone.utc
NEXT_DAY = datetime(2027, 5, 26, 8, 0, tzinfo=UTC)  # Wed 26 May, 09:00 BST


def cases(first: int, later: int) -> list[dict]:
    """`first` cases whose first meeting (Mon 24 May) is chased on Tue 25 May, `later` ones (Tue 25 May) on Wed."""
    return [
        dict(
            CASE,
            reference=f"CP-2027-{i:04d}",
            channel=f"C0C{i:04d}",
            first_meeting="2027-05-24T10:00" if i < first else "2027-05-25T10:00",
        )
        for i in range(first + later)
    ]


def test_a_batch_of_twelve_chases_costs_the_statements_a_batch_of_three_does(uow_factory, engine):
    imported(uow_factory, cases=cases(3, 12))
    statements: Counter[str] = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements[" ".join(statement.split()[:2])] += 1

    try:
        assert sweep_obligations(uow_factory=uow_factory, now=CHASE) == 3
        three, statements = sum(statements.values()), Counter()
        assert sweep_obligations(uow_factory=uow_factory, now=NEXT_DAY) == 12
        twelve = sum(statements.values())
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(obligation_notices(uow_factory)) == 15  # each chair told once of each meeting to record
    assert twelve == three, statements
    assert three < 15  # a handful: the claim, a read per table, a write per table


def test_a_step_whose_row_moved_after_the_claim_is_not_taken(uow_factory):
    first_case, second_case = imported(uow_factory, cases=cases(2, 0))
    with uow_factory() as uow:
        claimed = uow.obligations.claim_due(now=CHASE, limit=10)
        assert sorted(r.case_id for r in claimed) == [first_case, second_case]
        moved, kept = claimed if claimed[0].case_id == first_case else claimed[::-1]
        later = CHASE + timedelta(days=1)
        # The first row's time moves in the same transaction (another step of the same batch, say).
        assert uow.obligations.advance(
            moved.id,
            stage=moved.stage,
            generation=moved.generation,
            expected_stage=moved.stage,
            expected_step_at=moved.next_step_at,
            next_step_at=later,
        )
        steps = [
            dict(
                stage="overdue",
                generation=r.generation,
                expected_stage=r.stage,
                expected_step_at=r.next_step_at,
                next_step_at=None,
                last_step_at=CHASE,
            )
            for r in claimed
        ]
        assert uow.obligations.advance_many(claimed, steps) == {kept.id}
        uow.commit()
    (moved_row,) = rows(uow_factory, first_case)
    (kept_row,) = rows(uow_factory, second_case)
    assert (moved_row.stage, moved_row.next_step_at, moved_row.last_step_at) == ("pending", later, None)
    assert (kept_row.stage, kept_row.next_step_at, kept_row.last_step_at) == ("overdue", None, CHASE)
