"""profiles: an organisation's worked bank holidays; the meeting breach step (Wales); deregistration that closes the
case at once (no post-deregistration meeting outside Fife) and Fife's review of the Child's Plan's activity

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None

BREACH: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("breach_on", sa.Date()),
    ("breach_at", sa.DateTime(timezone=True)),
    ("breached_at", sa.DateTime(timezone=True)),
)
# Set only when the post-deregistration meeting is tracked; a deregistration that closes the case at once has none.
OPTIONAL: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("convener", sa.String(length=30)),
    ("meeting_chair", sa.String(length=30)),
    ("agreed_by", sa.String(length=20)),
    ("target_on", sa.Date()),
    ("window_opens_on", sa.Date()),
    ("window_closes_on", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("working_days", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("meeting_due") as batch:
        for name, type_ in BREACH:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.create_index("ix_meeting_due_breach_at", ["breach_at"])
    with op.batch_alter_table("deregistration") as batch:
        for name, type_ in OPTIONAL:
            batch.alter_column(name, existing_type=type_, nullable=True)
        batch.add_column(sa.Column("activity_reviewed", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deregistration") as batch:
        batch.drop_column("activity_reviewed")
        for name, type_ in OPTIONAL:
            batch.alter_column(name, existing_type=type_, nullable=False)
    with op.batch_alter_table("meeting_due") as batch:
        batch.drop_index("ix_meeting_due_breach_at")
        for name, _ in reversed(BREACH):
            batch.drop_column(name)
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("working_days")
