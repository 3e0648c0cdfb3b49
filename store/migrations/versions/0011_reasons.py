"""reasons live with their record; the audit keeps their length only

Revision ID: 0011
Revises: 0013 (branched from 0008; chained after main's 0013 when main was merged in)

Decision, outcome, move and cancel reasons used to be copied word for word into `audit_event.detail`.
This revision adds `meeting_move` (one row per move of a meeting, with its reason), moves every reason
still in the audit to its record (the request's `decision_reason`/`outcome_reason`, the meeting's
`cancel_reason`, a new `meeting_move` row) and leaves `reason_length` in the audit row instead.
A reason whose record no longer exists (its case was erased) goes with the record.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None

_audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", UtcDateTime()),
    sa.column("action", sa.String),
    sa.column("actor", sa.String),
    sa.column("detail", sa.JSON),
)
_request = sa.table(
    "meeting_request",
    sa.column("id", sa.Integer),
    sa.column("decision_reason", sa.Text),
    sa.column("outcome_reason", sa.Text),
)
_meeting = sa.table("meeting", sa.column("id", sa.Integer), sa.column("cancel_reason", sa.Text))
_move = sa.table(
    "meeting_move",
    sa.column("id", sa.Integer),
    sa.column("meeting_id", sa.Integer),
    sa.column("moved_at", UtcDateTime()),
    sa.column("moved_by", sa.String),
    sa.column("previous_starts_at", UtcDateTime()),
    sa.column("starts_at", UtcDateTime()),
    sa.column("reason", sa.Text),
)

#: audit action -> (the record's table, the detail key naming it, the record's reason column)
_KEPT_ON_RECORD = {
    "request.decided": (_request, "request_id", "decision_reason"),
    "request.outcome": (_request, "request_id", "outcome_reason"),
    "meeting.cancelled": (_meeting, "meeting_id", "cancel_reason"),
}


def upgrade() -> None:
    op.create_table(
        "meeting_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_by", sa.String(length=30), nullable=True),
        sa.Column("previous_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_move_meeting_id"), ["meeting_id"], unique=False)

    connection = op.get_bind()
    actions = [*_KEPT_ON_RECORD, "meeting.rescheduled"]
    rows = connection.execute(
        sa.select(_audit.c.id, _audit.c.at, _audit.c.action, _audit.c.actor, _audit.c.detail)
        .where(_audit.c.action.in_(actions))
        .order_by(_audit.c.id)
    ).all()
    for row in rows:
        detail = dict(row.detail or {})
        if "reason" not in detail:
            continue
        reason = detail.pop("reason")
        if row.action == "meeting.rescheduled":
            move_id = _save_move(connection, row, detail, reason)
            if move_id is not None:
                detail["move_id"] = move_id
        else:
            table, key, column = _KEPT_ON_RECORD[row.action]
            # The record already holds the same words (the services wrote both); fill it only if it is empty.
            empty = sa.and_(table.c.id == detail.get(key), table.c[column].is_(None))
            connection.execute(sa.update(table).where(empty).values({column: reason}))
        detail["reason_length"] = len(reason or "")
        connection.execute(sa.update(_audit).where(_audit.c.id == row.id).values(detail=detail))


def _save_move(connection, row, detail: dict, reason: str | None) -> int | None:
    meeting_id = detail.get("meeting_id")
    exists = (
        meeting_id is not None
        and connection.execute(sa.select(_meeting.c.id).where(_meeting.c.id == meeting_id)).first()
    )
    if not exists or not detail.get("starts_at"):
        return None  # the meeting was erased with its case: its reason goes with it
    return connection.execute(
        sa.insert(_move)
        .values(
            meeting_id=meeting_id,
            moved_at=row.at,
            moved_by=row.actor,
            previous_starts_at=_instant(detail.get("previous")),
            starts_at=_instant(detail["starts_at"]),
            reason=reason,
        )
        .returning(_move.c.id)
    ).scalar_one()


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def downgrade() -> None:
    connection = op.get_bind()
    moves = {m.id: m.reason for m in connection.execute(sa.select(_move.c.id, _move.c.reason))}
    rows = connection.execute(
        sa.select(_audit.c.id, _audit.c.action, _audit.c.detail).where(
            _audit.c.action.in_([*_KEPT_ON_RECORD, "meeting.rescheduled"])
        )
    ).all()
    for row in rows:
        detail = dict(row.detail or {})
        if "reason_length" not in detail:
            continue
        detail.pop("reason_length")
        if row.action == "meeting.rescheduled":
            detail["reason"] = moves.get(detail.pop("move_id", None))
        else:
            table, key, column = _KEPT_ON_RECORD[row.action]
            detail["reason"] = connection.execute(
                sa.select(table.c[column]).where(table.c.id == detail.get(key))
            ).scalar()
        connection.execute(sa.update(_audit).where(_audit.c.id == row.id).values(detail=detail))
    with op.batch_alter_table("meeting_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_move_meeting_id"))
    op.drop_table("meeting_move")
