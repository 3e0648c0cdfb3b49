"""requests for an additional meeting

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=30), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("concern", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decider", sa.String(length=30), nullable=False),
        sa.Column("routed_to", sa.String(length=30), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_to", sa.String(length=30), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.String(length=30), nullable=True),
        sa.Column("escalated_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("decided_by", sa.String(length=30), nullable=True),
        sa.Column("decided_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("coordinator_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("coordinator", sa.String(length=30), nullable=True),
        sa.Column("coordinator_routed_to", sa.String(length=30), nullable=True),
        sa.Column("outcome_by", sa.String(length=30), nullable=True),
        sa.Column("outcome_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_request_case", ["case_id", "requested_at"], unique=False)
        batch_op.create_index("ix_meeting_request_status_escalate", ["status", "escalate_at"], unique=False)
        batch_op.create_index("ix_meeting_request_status_remind", ["status", "remind_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_request_status_remind")
        batch_op.drop_index("ix_meeting_request_status_escalate")
        batch_op.drop_index("ix_meeting_request_case")

    op.drop_table("meeting_request")
