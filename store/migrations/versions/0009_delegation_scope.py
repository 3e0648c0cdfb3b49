"""a delegation says what it covers: request decisions, the coordinator's work, or chairing

Existing rows keep the meaning they had when they were made: the coordinator's delegation covers the
coordinator's work (which includes the coordinator's decisions on requests); anyone else's (a team
leader's) covers decisions on requests, never chairing.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=30), nullable=False, server_default="request_decisions")
        )
    op.execute(
        "UPDATE delegate SET scope = 'coordination' WHERE principal IN "
        "(SELECT organisation.coordinator FROM organisation WHERE organisation.id = delegate.organisation_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("delegate", schema=None) as batch_op:
        batch_op.drop_column("scope")
