"""plan copies and the CP9 are chased by the ledger: their backfilled obligations un-parked, the old timing columns gone

Revision ID: 0016
Revises: 0012

Before the columns go, each open `plan_copy_sent` / `plan_copy_received` / `cp9_sent` row (parked by 0012) gets its
next step from them, so the ledger sweep takes over where the feature's sweeper stopped: its `next_step_at` is the
feature's next chase (the chair's reminder, the recipient's next reminder, the overdue notice), and `last_step_at`
a moment before it, so no rung already past (told, or skipped by the feature) is taken again. A row whose chases
are all spent stays parked. Its `overdue_at` is the feature's (0012 used the deadline). `cp9_received` was never
chased by the feature: it is left at generation 0, due at the deadline, for the ledger sweep to snapshot its ladder.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

_JUST_BEFORE = timedelta(seconds=1)

# kind → (SELECT of obligation id, the feature's next chase, its overdue notice time, when it was flagged overdue)
_NEXT = {
    "plan_copy_sent": "SELECT o.id, r.chair_remind_at, r.overdue_at, c.overdue_since FROM obligation o "
    "JOIN plan_copy c ON c.id = o.subject_id JOIN plan_receipt r ON r.id = c.receipt_id",
    "plan_copy_received": "SELECT o.id, c.remind_at, r.overdue_at, c.overdue_since FROM obligation o "
    "JOIN plan_copy c ON c.id = o.subject_id JOIN plan_receipt r ON r.id = c.receipt_id",
    "cp9_sent": "SELECT o.id, c.remind_at, c.overdue_at, c.overdue_since FROM obligation o "
    "JOIN cp9 c ON c.id = o.subject_id",
}

_COLUMNS = {
    "plan_receipt": (("chair_remind_at", "ix_plan_receipt_chair_remind"), ("overdue_at", "ix_plan_receipt_overdue")),
    "plan_copy": (("remind_at", "ix_plan_copy_remind"), ("reminder_step", None), ("reminders_sent", None)),
    "cp9": (
        ("remind_at", "ix_cp9_remind"),
        ("reminder_step", None),
        ("reminders_sent", None),
        ("overdue_at", "ix_cp9_overdue"),
    ),
}


def upgrade() -> None:
    _unpark()
    # Not a batch (copy-and-move) on SQLite: recreating plan_receipt would delete its copies (ON DELETE CASCADE).
    # SQLite has dropped plain columns in place since 3.35.
    for table, columns in _COLUMNS.items():
        for column, index in columns:
            if index:
                op.drop_index(index, table_name=table)
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def _unpark() -> None:
    bind = op.get_bind()
    obligation = sa.table(
        "obligation",
        sa.column("id", sa.Integer),
        sa.column("next_step_at", UtcDateTime()),
        sa.column("last_step_at", UtcDateTime()),
        sa.column("overdue_at", UtcDateTime()),
        sa.column("generation", sa.Integer),
    )
    changes = []
    for kind, query in _NEXT.items():
        rows = bind.execute(
            sa.text(f"{query} WHERE o.kind = '{kind}' AND o.status = 'open' AND o.next_step_at IS NULL").columns(
                sa.column("id", sa.Integer),
                sa.column("remind", UtcDateTime()),
                sa.column("overdue", UtcDateTime()),
                sa.column("since", UtcDateTime()),
            )
        ).all()
        for id_, remind, overdue, since in rows:
            step = remind or overdue  # the feature's next chase: a reminder first, else the overdue notice
            change = {"id": id_, "next": step, "last": step - _JUST_BEFORE if step else since}
            change["overdue"] = overdue or since
            changes.append(change)
    for change in changes:
        values = {"next_step_at": change["next"], "last_step_at": change["last"]}
        if change["overdue"] is not None:
            values["overdue_at"] = change["overdue"]
        bind.execute(sa.update(obligation).where(obligation.c.id == change["id"]).values(**values))
    # Never chased before: the ledger sweep snapshots its ladder (the profile's) at the deadline.
    op.execute(
        "UPDATE obligation SET generation = 0, next_step_at = due_at "
        "WHERE kind = 'cp9_received' AND status = 'open' AND next_step_at IS NULL"
    )


def downgrade() -> None:
    for table, columns in _COLUMNS.items():
        for column, index in columns:
            if column in ("reminder_step", "reminders_sent"):
                op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
            else:
                op.add_column(table, sa.Column(column, sa.DateTime(timezone=True), nullable=True))
            if index:
                op.create_index(index, table, [column], unique=False)
    # The features' sweepers chase these kinds again: park them.
    op.execute(
        "UPDATE obligation SET next_step_at = NULL WHERE status = 'open' AND kind IN "
        "('plan_copy_sent', 'plan_copy_received', 'cp9_sent', 'cp9_received')"
    )
