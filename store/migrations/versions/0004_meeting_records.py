"""meeting reminders, due dates, records, attendance and actions

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-26 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("working_days_before", sa.Integer(), nullable=False),
        sa.Column("meeting_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "working_days_before", "meeting_starts_at", name="uq_meeting_reminder"),
    )
    with op.batch_alter_table("meeting_reminder", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_reminder_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_reminder_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_due",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("after_meeting_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("flag_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_meeting_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["after_meeting_id"], ["meeting.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resolved_by_meeting_id"], ["meeting.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_due", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_due_status_flag", ["status", "flag_at"], unique=False)
        batch_op.create_index("ix_meeting_due_case_status", ["case_id", "status"], unique=False)

    op.create_table(
        "meeting_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=30), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supports", sa.Text(), nullable=False),
        sa.Column("monitoring", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("contingency", sa.Text(), nullable=False),
        sa.Column("extra_checklist", sa.JSON(), nullable=False),
        sa.Column("significant_amendment", sa.Boolean(), nullable=False),
        sa.Column("institution", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id"),
    )
    with op.batch_alter_table("meeting_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_record_case_id"), ["case_id"], unique=False)

    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=30), nullable=True),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (label IS NULL)", name="ck_attendance_user_or_label"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendance_record_id"), ["record_id"], unique=False)

    op.create_table(
        "meeting_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=30), nullable=True),
        sa.Column("owner_label", sa.String(length=60), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminder_status", sa.String(length=20), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(owner_user_id IS NULL) <> (owner_label IS NULL)", name="ck_action_owner"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_action", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_action_remind", ["reminder_status", "remind_at"], unique=False)
        batch_op.create_index("ix_meeting_action_case_status", ["case_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_action_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        (
            "meeting_action",
            ["ix_meeting_action_record_id", "ix_meeting_action_case_status", "ix_meeting_action_remind"],
        ),
        ("meeting_attendance", ["ix_meeting_attendance_record_id"]),
        ("meeting_record", ["ix_meeting_record_case_id"]),
        ("meeting_due", ["ix_meeting_due_case_status", "ix_meeting_due_status_flag"]),
        ("meeting_reminder", ["ix_meeting_reminder_meeting_id", "ix_meeting_reminder_status_due"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
