"""the ledger of obligations, with what is owed today moved into it

Revision ID: 0012
Revises: 0008

Backfill: every open obligation the feature tables hold becomes an open row with its due date, its stage
from what the feature already did (past rungs marked, nobody notified). Those kinds are still chased by
their feature's sweeper this round, so their rows are parked (`next_step_at` NULL) until their kind is
switched to the ledger sweep: never both at once. Scheduled meetings get their `meeting_record` row at
generation 0: the ledger sweep snapshots its ladder (the profile's, which this migration cannot read) when
the meeting's time comes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")
_CHAIR = "(SELECT r.user_id FROM case_role r WHERE r.case_id = {t}.case_id AND r.role = 'chair' ORDER BY r.id LIMIT 1)"

# kind, subject_type, source table alias, recipient, owner_role, owner, due_at, due_local_date, overdue_at,
# breach_at, stage, next_step_at, generation, created_at, where
_BACKFILL = (
    (
        "request_decision",
        "request",
        "meeting_request",
        "''",
        "'team_leader'",
        "t.routed_to",
        "t.requested_at",
        "NULL",
        "COALESCE(t.remind_at, t.reminded_at, t.requested_at)",
        "COALESCE(t.escalate_at, t.escalated_at)",
        "CASE WHEN t.escalated_at IS NOT NULL THEN 'breached' WHEN t.reminded_at IS NOT NULL THEN 'overdue' "
        "ELSE 'pending' END",
        "t.requested_at",
        "t.status = 'pending'",
    ),
    (
        "coordinator_decision",
        "request",
        "meeting_request",
        "''",
        "'coordinator'",
        "t.coordinator_routed_to",
        "t.coordinator_asked_at",
        "NULL",
        "t.coordinator_asked_at",
        "NULL",
        "'pending'",
        "t.coordinator_asked_at",
        "t.status = 'with_coordinator'",
    ),
    (
        "plan_copy_sent",
        "plan_copy",
        "plan_copy",
        "COALESCE(t.user_id, t.label)",
        "'chair'",
        _CHAIR.format(t="t"),
        "t.due_at",
        "NULL",
        "t.due_at",
        "NULL",
        "CASE WHEN t.overdue_since IS NOT NULL THEN 'overdue' WHEN t.reminders_sent > 0 THEN 'reminded' "
        "ELSE 'pending' END",
        "t.due_at",
        "t.status = 'pending'",
    ),
    (
        "plan_copy_received",
        "plan_copy",
        "plan_copy",
        "t.user_id",
        "'member'",
        "t.user_id",
        "t.due_at",
        "NULL",
        "t.due_at",
        "NULL",
        "CASE WHEN t.overdue_since IS NOT NULL THEN 'overdue' WHEN t.reminders_sent > 0 "
        "THEN 'reminded' ELSE 'pending' END",
        "t.due_at",
        "t.status = 'sent' AND t.user_id IS NOT NULL",
    ),
    (
        "cp9_sent",
        "cp9",
        "cp9",
        "''",
        "'chair'",
        _CHAIR.format(t="t"),
        "t.due_at",
        "t.due_on",
        "COALESCE(t.overdue_at, t.overdue_since, t.due_at)",
        "NULL",
        "CASE WHEN t.overdue_since IS NOT NULL THEN 'overdue' WHEN t.reminders_sent > 0 THEN 'reminded' "
        "ELSE 'pending' END",
        "t.created_at",
        "t.status = 'pending'",
    ),
    (
        "cp9_received",
        "cp9",
        "cp9",
        "''",
        "'coordinator'",
        "NULL",
        "t.due_at",
        "t.due_on",
        "t.due_at",
        "NULL",
        "'pending'",
        "t.created_at",
        "t.status = 'sent'",
    ),
    (
        "action",
        "action",
        "meeting_action",
        "''",
        "'member'",
        f"COALESCE(t.owner_user_id, {_CHAIR.format(t='t')})",
        "t.remind_at",
        "t.due_on",
        "t.remind_at",
        "NULL",
        "CASE WHEN t.reminder_status = 'sent' THEN 'reminded' ELSE 'pending' END",
        "t.remind_at",
        "t.status = 'open'",
    ),
    (
        "letter_details",
        "letter",
        "institution_letter",
        "''",
        "'chair'",
        _CHAIR.format(t="t"),
        "t.requested_at",
        "NULL",
        "COALESCE(t.remind_at, t.requested_at)",
        "NULL",
        "CASE WHEN t.reminders_sent > 0 THEN 'overdue' ELSE 'pending' END",
        "t.created_at",
        "t.status = 'details_needed'",
    ),
    (
        "letter_sent",
        "letter",
        "institution_letter",
        "''",
        "'coordinator'",
        "NULL",
        "COALESCE(t.details_at, t.requested_at)",
        "NULL",
        "COALESCE(t.remind_at, t.details_at, t.requested_at)",
        "NULL",
        "CASE WHEN t.reminders_sent > 0 THEN 'overdue' ELSE 'pending' END",
        "t.created_at",
        "t.status = 'to_send'",
    ),
    (
        "first_meeting",
        "meeting_due",
        "meeting_due",
        "''",
        "'chair'",
        _CHAIR.format(t="t"),
        "t.flag_at",
        "t.due_on",
        "t.flag_at",
        "NULL",
        "CASE WHEN t.status = 'flagged' THEN 'overdue' ELSE 'pending' END",
        "t.created_at",
        "t.basis = 'first' AND t.status IN ('open', 'scheduled', 'flagged')",
    ),
    (
        "next_meeting",
        "meeting_due",
        "meeting_due",
        "''",
        "'chair'",
        _CHAIR.format(t="t"),
        "t.flag_at",
        "t.due_on",
        "t.flag_at",
        "NULL",
        "CASE WHEN t.status = 'flagged' THEN 'overdue' ELSE 'pending' END",
        "t.created_at",
        "t.basis <> 'first' AND t.status IN ('open', 'scheduled', 'flagged')",
    ),
    (
        "post_dereg_meeting",
        "deregistration",
        "deregistration",
        "''",
        "'convener'",
        "t.convener",
        "COALESCE(t.missed_at, t.next_at, t.recorded_at)",
        "t.window_closes_on",
        "COALESCE(t.missed_at, t.next_at, t.recorded_at)",
        "NULL",
        "CASE WHEN t.missed_at IS NOT NULL THEN 'overdue' WHEN t.next_step IN ('week_left', 'last_day') "
        "THEN 'reminded' ELSE 'pending' END",
        "t.recorded_at",
        "t.status = 'tracking'",
    ),
    (
        "post_dereg_outcome",
        "deregistration",
        "deregistration",
        "''",
        "'convener'",
        "t.convener",
        "COALESCE(t.outcome_at, t.recorded_at)",
        "t.window_closes_on",
        "COALESCE(t.outcome_at, t.recorded_at)",
        "NULL",
        "'pending'",
        "t.recorded_at",
        "t.status = 'escalated'",
    ),
)


def upgrade() -> None:
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=60), nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=30), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_local_date", sa.Date(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breach_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("notice_keys", sa.JSON(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("discharged_by", sa.String(length=30), nullable=True),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waived_by", sa.String(length=30), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waive_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status <> 'discharged' OR discharged_at IS NOT NULL", name="ck_obligation_discharged"),
        sa.CheckConstraint(
            "status <> 'waived' OR (waived_at IS NOT NULL AND waive_reason IS NOT NULL)", name="ck_obligation_waived"
        ),
        sa.CheckConstraint("status = 'open' OR next_step_at IS NULL", name="ck_obligation_terminal"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index(
            "uq_obligation_open",
            ["kind", "subject_type", "subject_id", "recipient"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
        batch_op.create_index("ix_obligation_next_step", ["next_step_at"], sqlite_where=_OPEN, postgresql_where=_OPEN)
        batch_op.create_index(
            "ix_obligation_owner_due", ["owner", "due_at"], sqlite_where=_OPEN, postgresql_where=_OPEN
        )
        batch_op.create_index(
            "ix_obligation_open_stage", ["stage", "due_at"], sqlite_where=_OPEN, postgresql_where=_OPEN
        )
        batch_op.create_index("ix_obligation_case", ["case_id"])
    _backfill()


def _backfill() -> None:
    columns = (
        "case_id, kind, subject_type, subject_id, recipient, owner_role, owner, due_at, due_local_date, "
        "overdue_at, breach_at, stage, next_step_at, reminders_sent, notice_keys, generation, status, "
        "created_at"
    )
    for (
        kind,
        subject,
        table,
        recipient,
        role,
        owner,
        due_at,
        due_on,
        overdue_at,
        breach_at,
        stage,
        created,
        where,
    ) in _BACKFILL:
        op.execute(
            f"INSERT INTO obligation ({columns}) SELECT t.case_id, '{kind}', '{subject}', t.id, {recipient}, {role}, "
            f"{owner}, {due_at}, {due_on}, {overdue_at}, {breach_at}, {stage}, NULL, 0, '[]', 1, 'open', {created} "
            f"FROM {table} t WHERE {where}"
        )
    # The record of each meeting still scheduled: the ledger sweep chases it once its time has come.
    op.execute(
        f"INSERT INTO obligation ({columns}) SELECT t.case_id, 'meeting_record', 'meeting', t.id, '', 'chair', "
        f"{_CHAIR.format(t='t')}, t.starts_at, NULL, t.starts_at, NULL, 'pending', t.starts_at, 0, '[]', 0, 'open', "
        "t.created_at FROM meeting t WHERE t.status = 'scheduled'"
    )


def downgrade() -> None:
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        for name in (
            "ix_obligation_case",
            "ix_obligation_open_stage",
            "ix_obligation_owner_due",
            "ix_obligation_next_step",
            "uq_obligation_open",
        ):
            batch_op.drop_index(name)
    op.drop_table("obligation")
