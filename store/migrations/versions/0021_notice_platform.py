"""each outbox row says which chat platform delivers it, and each organisation which platform it works in

Revision ID: 0021
Revises: 0020

Both columns default to 'slack' on the server, so every row already there (and every insert that does not say)
is Slack's, as everything was before Teams.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("organisation", "outbox"):
        op.add_column(table, sa.Column("platform", sa.String(20), nullable=False, server_default="slack"))


def downgrade() -> None:
    for table in ("outbox", "organisation"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("platform")
