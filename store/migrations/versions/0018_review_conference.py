"""the review conference (one row per conference of a case), significant-amendment referrals, and each case's
conference chair from the organisation file

Revision ID: 0018
Revises: 0010

Referrals recorded before this revision stay where they were (in meeting records, the report and the audit): the
ledger's referral obligations start with this revision's first referral.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("conference_chair", sa.String(length=30), nullable=True))
    op.create_table(
        "review_conference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("set_by", sa.String(length=30), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=30), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_conference_case_id", "review_conference", ["case_id"])
    op.create_index(
        "uq_review_conference_scheduled",
        "review_conference",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("status = 'scheduled'"),
        postgresql_where=sa.text("status = 'scheduled'"),
    )
    op.create_table(
        "amendment_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("referred_to", sa.String(length=30), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answered_by", sa.String(length=30), nullable=True),
        sa.Column("on_behalf_of", sa.String(length=30), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brought_forward_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    op.create_index("ix_amendment_referral_case_id", "amendment_referral", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_amendment_referral_case_id", table_name="amendment_referral")
    op.drop_table("amendment_referral")
    op.drop_index("uq_review_conference_scheduled", table_name="review_conference")
    op.drop_index("ix_review_conference_case_id", table_name="review_conference")
    op.drop_table("review_conference")
    with op.batch_alter_table("case") as batch:
        batch.drop_column("conference_chair")
