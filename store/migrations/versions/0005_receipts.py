"""plan copies per recipient and the CP9 per meeting record

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chair_remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_keys", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    with op.batch_alter_table("plan_receipt", schema=None) as batch_op:
        batch_op.create_index("ix_plan_receipt_chair_remind", ["chair_remind_at"], unique=False)
        batch_op.create_index("ix_plan_receipt_overdue", ["overdue_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_receipt_case_id"), ["case_id"], unique=False)

    op.create_table(
        "plan_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=30), nullable=True),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_how", sa.String(length=20), nullable=True),
        sa.Column("sent_by", sa.String(length=30), nullable=True),
        sa.Column("sent_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_step", sa.Integer(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("overdue_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_keys", sa.JSON(), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (label IS NULL)", name="ck_plan_copy_user_or_label"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["receipt_id"], ["plan_receipt.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_copy", schema=None) as batch_op:
        batch_op.create_index("ix_plan_copy_remind", ["remind_at"], unique=False)
        batch_op.create_index("ix_plan_copy_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_copy_receipt_id"), ["receipt_id"], unique=False)

    op.create_table(
        "cp9",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("form_name", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("nominal_due_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_step", sa.Integer(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_by", sa.String(length=30), nullable=True),
        sa.Column("sent_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("sent_note", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_by", sa.String(length=30), nullable=True),
        sa.Column("received_on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("chair_message_keys", sa.JSON(), nullable=False),
        sa.Column("coordinator_message_keys", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    with op.batch_alter_table("cp9", schema=None) as batch_op:
        batch_op.create_index("ix_cp9_remind", ["remind_at"], unique=False)
        batch_op.create_index("ix_cp9_overdue", ["overdue_at"], unique=False)
        batch_op.create_index("ix_cp9_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cp9_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("cp9", ["ix_cp9_case_id", "ix_cp9_status_due", "ix_cp9_overdue", "ix_cp9_remind"]),
        ("plan_copy", ["ix_plan_copy_receipt_id", "ix_plan_copy_status_due", "ix_plan_copy_remind"]),
        ("plan_receipt", ["ix_plan_receipt_case_id", "ix_plan_receipt_overdue", "ix_plan_receipt_chair_remind"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
