"""deregistration: the post-deregistration meeting's window, reminders and outcome

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26 05:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deregistration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("review_conference_on", sa.Date(), nullable=False),
        sa.Column("convener", sa.String(length=30), nullable=False),
        sa.Column("meeting_chair", sa.String(length=30), nullable=False),
        sa.Column("agreed_by", sa.String(length=20), nullable=False),
        sa.Column("reviewing_officer", sa.String(length=30), nullable=True),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("window_opens_on", sa.Date(), nullable=False),
        sa.Column("window_closes_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=30), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meeting_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("meeting_set_by", sa.String(length=30), nullable=True),
        sa.Column("next_step", sa.String(length=20), nullable=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_keys", sa.JSON(), nullable=False),
        sa.Column("outcome_count", sa.Integer(), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_by", sa.String(length=30), nullable=True),
        sa.Column("outcome_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("risk_escalated", sa.Boolean(), nullable=True),
        sa.Column("plan_type", sa.String(length=20), nullable=True),
        sa.Column("lead_agency", sa.String(length=100), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deregistration", schema=None) as batch_op:
        batch_op.create_index("ix_deregistration_status_next", ["status", "next_at"], unique=False)
        batch_op.create_index("ix_deregistration_status_missed", ["status", "missed_at"], unique=False)
        batch_op.create_index("ix_deregistration_case", ["case_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deregistration", schema=None) as batch_op:
        batch_op.drop_index("ix_deregistration_case")
        batch_op.drop_index("ix_deregistration_status_missed")
        batch_op.drop_index("ix_deregistration_status_next")
    op.drop_table("deregistration")
