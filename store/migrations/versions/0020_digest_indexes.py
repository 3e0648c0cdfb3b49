"""indexes for the digest read from the ledger: open cases per organisation, overdue obligations, the few kinds
listed whenever owed, meetings held late

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

OVERDUE = "status = 'open' AND stage IN ('overdue', 'breached')"
# The kinds the digest lists whenever they are owed (store.models.obligations.FEW_KINDS when this was written).
FEW = (
    "status = 'open' AND kind IN ('amendment_referral', 'coordinator_decision', 'cp9_received', 'letter_details', "
    "'letter_sent', 'review_report')"
)
LATE = "status = 'late'"


def upgrade() -> None:
    op.create_index("ix_case_organisation_status", "case", ["organisation_id", "status"])
    op.create_index(
        "ix_obligation_overdue",
        "obligation",
        ["due_at"],
        sqlite_where=sa.text(OVERDUE),
        postgresql_where=sa.text(OVERDUE),
    )
    op.create_index(
        "ix_obligation_few_kinds",
        "obligation",
        ["due_at"],
        sqlite_where=sa.text(FEW),
        postgresql_where=sa.text(FEW),
    )
    op.create_index(
        "ix_meeting_due_late",
        "meeting_due",
        ["resolved_at"],
        sqlite_where=sa.text(LATE),
        postgresql_where=sa.text(LATE),
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_due_late", table_name="meeting_due")
    op.drop_index("ix_obligation_few_kinds", table_name="obligation")
    op.drop_index("ix_obligation_overdue", table_name="obligation")
    op.drop_index("ix_case_organisation_status", table_name="case")
