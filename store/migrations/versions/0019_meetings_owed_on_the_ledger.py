"""the meetings owed (first_meeting, next_meeting) are chased by the ledger: their rows un-parked, the old timing
columns of `meeting_due` gone

Revision ID: 0019
Revises: 0018

Every due period still waiting for a meeting has its obligation (0012 backfilled those of its day; one opened since,
by code that did not yet open them, is added here the same way). Before the columns go, each row gets its ladder
from them, so the ledger sweep takes over where the meetings sweepers stopped: the chair's flag at `flag_at` if it
was not taken, then the breach (Wales) at `breach_at` if it was not; `last_step_at` is when the last of them was
taken, so nothing already told is told again. A period with a meeting booked in time stays parked (the meeting
satisfies it); a period whose chases are all spent stays parked too.
"""

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

_CHAIR = "(SELECT r.user_id FROM case_role r WHERE r.case_id = t.case_id AND r.role = 'chair' ORDER BY r.id LIMIT 1)"
_KIND = "CASE WHEN t.basis = 'first' THEN 'first_meeting' ELSE 'next_meeting' END"
_WAITING = "t.status IN ('open', 'scheduled', 'flagged')"
_COLUMNS = (
    ("flag_at", "ix_meeting_due_status_flag"),
    ("flagged_at", None),
    ("breach_at", "ix_meeting_due_breach_at"),
    ("breached_at", None),
)


def upgrade() -> None:
    _open_missing()
    _unpark()
    # Not a batch (copy-and-move) on SQLite; plain columns have been dropped in place since SQLite 3.35.
    for column, index in _COLUMNS:
        if index:
            op.drop_index(index, table_name="meeting_due")
        op.execute(f"ALTER TABLE meeting_due DROP COLUMN {column}")


def _open_missing() -> None:
    columns = (
        "case_id, kind, subject_type, subject_id, recipient, owner_role, owner, due_at, due_local_date, "
        "overdue_at, stage, reminders_sent, notice_keys, generation, status, created_at"
    )
    op.execute(
        f"INSERT INTO obligation ({columns}) SELECT t.case_id, {_KIND}, 'meeting_due', t.id, '', 'chair', {_CHAIR}, "
        f"t.flag_at, t.due_on, t.flag_at, 'pending', 0, '[]', 1, 'open', t.created_at FROM meeting_due t "
        f"WHERE {_WAITING} AND NOT EXISTS (SELECT 1 FROM obligation o WHERE o.subject_type = 'meeting_due' "
        "AND o.subject_id = t.id AND o.kind IN ('first_meeting', 'next_meeting') AND o.status = 'open')"
    )


def _unpark() -> None:
    bind = op.get_bind()
    obligation = sa.table(
        "obligation",
        sa.column("id", sa.Integer),
        sa.column("stage", sa.String),
        sa.column("generation", sa.Integer),
        sa.column("next_step_at", UtcDateTime()),
        sa.column("last_step_at", UtcDateTime()),
        sa.column("overdue_at", UtcDateTime()),
        sa.column("breach_at", UtcDateTime()),
        sa.column("breached_at", UtcDateTime()),
        sa.column("reminders_sent", sa.Integer),
    )
    rows = bind.execute(
        sa.text(
            "SELECT o.id, t.status, t.flag_at, t.flagged_at, t.breach_at, t.breached_at FROM obligation o "
            "JOIN meeting_due t ON t.id = o.subject_id WHERE o.subject_type = 'meeting_due' "
            "AND o.kind IN ('first_meeting', 'next_meeting') AND o.status = 'open'"
        ).columns(
            sa.column("id", sa.Integer),
            sa.column("status", sa.String),
            sa.column("flag_at", UtcDateTime()),
            sa.column("flagged_at", UtcDateTime()),
            sa.column("breach_at", UtcDateTime()),
            sa.column("breached_at", UtcDateTime()),
        )
    ).all()
    for id_, status, flag_at, flagged_at, breach_at, breached_at in rows:
        flagged = status == "flagged" or flagged_at is not None
        if breached_at is not None:
            stage, last, next_ = "breached", breached_at, None
        elif flagged:
            stage, last, next_ = "overdue", flagged_at or flag_at, breach_at
        else:
            stage, last, next_ = "pending", None, None if status == "scheduled" else flag_at
        values = {
            "stage": stage,
            "generation": 1,
            "overdue_at": flag_at,
            "breach_at": breach_at,
            "breached_at": breached_at,
            "last_step_at": last,
            "next_step_at": next_,
            "reminders_sent": int(flagged) + int(breached_at is not None),
        }
        bind.execute(sa.update(obligation).where(obligation.c.id == id_).values(**values))


def downgrade() -> None:
    op.add_column("meeting_due", sa.Column("flag_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meeting_due", sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meeting_due", sa.Column("breach_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meeting_due", sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_meeting_due_status_flag", "meeting_due", ["status", "flag_at"])
    op.create_index("ix_meeting_due_breach_at", "meeting_due", ["breach_at"])
    # The meetings sweepers chase these periods again, from their own columns: park the ledger's rows.
    op.execute(
        "UPDATE meeting_due SET flag_at = (SELECT o.overdue_at FROM obligation o WHERE o.subject_id = "
        "meeting_due.id AND o.subject_type = 'meeting_due' ORDER BY o.id DESC LIMIT 1), breach_at = "
        "(SELECT o.breach_at FROM obligation o WHERE o.subject_id = meeting_due.id AND "
        "o.subject_type = 'meeting_due' ORDER BY o.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE obligation SET next_step_at = NULL WHERE status = 'open' AND kind IN ('first_meeting', 'next_meeting')"
    )
