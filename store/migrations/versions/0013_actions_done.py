"""actions can be done or closed: when, by whom, for whom, why; and the reminder DM to update in place

Revision ID: 0013
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    ("reminder_key", sa.String(length=200)),
    ("done_at", sa.DateTime(timezone=True)),
    ("done_by", sa.String(length=30)),
    ("done_on_behalf_of", sa.String(length=30)),
    ("closed_reason", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("meeting_action") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_action") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
