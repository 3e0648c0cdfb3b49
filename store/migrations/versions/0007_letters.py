"""institution letters (tracked until sent) and who has opened the Home tab

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-26 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institution_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("relationship", sa.String(length=60), nullable=True),
        sa.Column("institution_kind", sa.String(length=20), nullable=True),
        sa.Column("institution_name", sa.String(length=150), nullable=True),
        sa.Column("contact", sa.String(length=30), nullable=True),
        sa.Column("requested_by", sa.String(length=30), nullable=False),
        sa.Column("requested_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details_by", sa.String(length=30), nullable=True),
        sa.Column("details_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("details_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=30), nullable=True),
        sa.Column("sent_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("message_keys", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("institution_letter", schema=None) as batch_op:
        batch_op.create_index("ix_institution_letter_status_remind", ["status", "remind_at"], unique=False)
        batch_op.create_index("ix_institution_letter_case", ["case_id", "status"], unique=False)

    op.create_table(
        "home_tab",
        sa.Column("user_id", sa.String(length=30), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("home_tab", schema=None) as batch_op:
        batch_op.create_index("ix_home_tab_opened", ["opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("home_tab", schema=None) as batch_op:
        batch_op.drop_index("ix_home_tab_opened")
    op.drop_table("home_tab")
    with op.batch_alter_table("institution_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_institution_letter_case")
        batch_op.drop_index("ix_institution_letter_status_remind")
    op.drop_table("institution_letter")
