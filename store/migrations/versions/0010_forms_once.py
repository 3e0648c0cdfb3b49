"""forms processed once: submitted view ids, one institution letter per person, the invited list of a record

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_view",
        sa.Column("view_id", sa.String(length=60), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("view_id"),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        # Rows recorded before the invited list existed were all attended or invited: true for every one.
        batch_op.add_column(sa.Column("invited", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("meeting_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_invited_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("institution_letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_key", sa.String(length=60), nullable=True))
    # The earliest letter about each person keeps the key; duplicates made before this revision stay, keyless,
    # rather than be merged or lost.
    op.execute(
        "UPDATE institution_letter SET person_key = lower(trim(relationship)) WHERE id IN ("
        " SELECT min(id) FROM institution_letter WHERE relationship IS NOT NULL"
        " GROUP BY case_id, lower(trim(relationship)))"
    )
    with op.batch_alter_table("institution_letter", schema=None) as batch_op:
        batch_op.create_index("uq_institution_letter_person", ["case_id", "person_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("institution_letter", schema=None) as batch_op:
        batch_op.drop_index("uq_institution_letter_person")
        batch_op.drop_column("person_key")
    with op.batch_alter_table("meeting_record", schema=None) as batch_op:
        batch_op.drop_column("not_invited_reason")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_column("invited")
    op.drop_table("processed_view")
