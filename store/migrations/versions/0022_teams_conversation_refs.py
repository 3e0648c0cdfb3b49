"""Microsoft Teams: conversation references, members, and identifiers long enough for Teams

Revision ID: 0022
Revises: 0021

Teams names people by Entra object ids (36 characters) and channels by `19:...@thread.tacv2` ids (about 50), and a
1:1 chat's conversation id can be well over 100: every column holding a person or a channel grows from 30 to 100
characters (the outbox's `message_channel`, which holds a conversation id, to 255). Slack ids fit as before.
"""

import re

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: (table, ((column, nullable), ...)): every person or channel id column, 30 -> 100 characters.
_WIDENED = (
    ("home_tab", (("user_id", False),)),
    ("organisation", (("coordinator", False),)),
    (
        "case",
        (
            ("channel", False),
            ("conference_chair", True),
        ),
    ),
    (
        "delegate",
        (
            ("principal", False),
            ("delegate", False),
        ),
    ),
    (
        "audit_event",
        (
            ("actor", True),
            ("on_behalf_of", True),
        ),
    ),
    ("case_role", (("user_id", True),)),
    (
        "deregistration",
        (
            ("convener", True),
            ("meeting_chair", True),
            ("reviewing_officer", True),
            ("recorded_by", False),
            ("on_behalf_of", True),
            ("meeting_set_by", True),
            ("outcome_by", True),
            ("outcome_on_behalf_of", True),
        ),
    ),
    ("meeting", (("scheduled_by", True),)),
    (
        "obligation",
        (
            ("owner", True),
            ("discharged_by", True),
            ("waived_by", True),
        ),
    ),
    (
        "outbox",
        (
            ("recipient", False),
            ("message_channel", True),
            ("message_ts", True),
        ),
    ),
    (
        "review_conference",
        (
            ("set_by", False),
            ("decided_by", True),
        ),
    ),
    ("meeting_move", (("moved_by", True),)),
    (
        "meeting_record",
        (
            ("recorded_by", False),
            ("on_behalf_of", True),
        ),
    ),
    (
        "meeting_request",
        (
            ("requested_by", False),
            ("decider", False),
            ("routed_to", False),
            ("reminded_to", True),
            ("escalated_to", True),
            ("escalated_on_behalf_of", True),
            ("decided_by", True),
            ("decided_on_behalf_of", True),
            ("coordinator", True),
            ("coordinator_routed_to", True),
            ("outcome_by", True),
            ("outcome_on_behalf_of", True),
        ),
    ),
    (
        "amendment_referral",
        (
            ("referred_to", False),
            ("answered_by", True),
            ("on_behalf_of", True),
        ),
    ),
    (
        "cp9",
        (
            ("sent_by", True),
            ("sent_on_behalf_of", True),
            ("received_by", True),
            ("received_on_behalf_of", True),
        ),
    ),
    (
        "institution_letter",
        (
            ("contact", True),
            ("requested_by", False),
            ("requested_on_behalf_of", True),
            ("details_by", True),
            ("details_on_behalf_of", True),
            ("sent_by", True),
            ("sent_on_behalf_of", True),
        ),
    ),
    (
        "meeting_action",
        (
            ("owner_user_id", True),
            ("done_by", True),
            ("done_on_behalf_of", True),
        ),
    ),
    ("meeting_attendance", (("user_id", True),)),
    (
        "plan_copy",
        (
            ("user_id", True),
            ("sent_by", True),
            ("sent_on_behalf_of", True),
        ),
    ),
)
_CONVERSATION = ("outbox", "message_channel")


def _width(table: str, column: str) -> int:
    return 255 if (table, column) == _CONVERSATION else 100


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _declare_wider_on_sqlite(30, None)
        _create_tables()
        return
    for table, columns in _WIDENED:
        with op.batch_alter_table(table) as batch:
            for column, nullable in columns:
                batch.alter_column(
                    column,
                    type_=sa.String(_width(table, column)),
                    existing_type=sa.String(30),
                    existing_nullable=nullable,
                )
    _create_tables()


def _declare_wider_on_sqlite(old: int | None, new: int | None) -> None:
    """SQLite does not enforce a VARCHAR's length, so only each column's declared type changes (same TEXT affinity,
    nothing on disk moves), as SQLite's ALTER TABLE page describes for such changes. A batch rebuild instead would drop
    and re-create `case` and `organisation`, and ON DELETE CASCADE would empty their children."""
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    for table, columns in _WIDENED:
        sql = str(
            bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
        )
        for column, _nullable in columns:
            before, after = old or _width(table, column), new or _width(table, column)
            sql = re.sub(rf'([\s(,]"?{column}"?\s+)VARCHAR\({before}\)', rf"\g<1>VARCHAR({after})", sql)
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table))
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")  # other connections re-read the schema
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _create_tables() -> None:
    op.create_table(
        "teams_conversation_ref",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("conversation_type", sa.String(20), nullable=False),
        sa.Column("service_url", sa.String(255), nullable=False),
        sa.Column("team_id", sa.String(100), nullable=True),
        sa.Column("channel_id", sa.String(100), nullable=True),
        sa.Column("user_teams_id", sa.String(255), nullable=True),
        sa.Column("user_aad_object_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("inactive_since", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("tenant_id", "conversation_id", name="uq_teams_ref_conversation"),
    )
    op.create_index("ix_teams_ref_user_aad", "teams_conversation_ref", ["user_aad_object_id"])
    op.create_index("ix_teams_ref_channel", "teams_conversation_ref", ["channel_id"])
    op.create_table(
        "teams_member",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("teams_id", sa.String(255), nullable=False),
        sa.Column("service_url", sa.String(255), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "aad_object_id", name="uq_teams_member"),
    )


def downgrade() -> None:
    op.drop_table("teams_member")
    op.drop_index("ix_teams_ref_channel", table_name="teams_conversation_ref")
    op.drop_index("ix_teams_ref_user_aad", table_name="teams_conversation_ref")
    op.drop_table("teams_conversation_ref")
    if op.get_bind().dialect.name == "sqlite":
        _declare_wider_on_sqlite(None, 30)
        return
    # A Teams id longer than 30 characters would not fit back: narrowing fails loudly rather than cut one.
    for table, columns in reversed(_WIDENED):
        with op.batch_alter_table(table) as batch:
            for column, nullable in columns:
                batch.alter_column(
                    column,
                    type_=sa.String(30),
                    existing_type=sa.String(_width(table, column)),
                    existing_nullable=nullable,
                )
