"""requests for an additional meeting are chased by the ledger: their obligations un-parked, remind_at/escalate_at
dropped

Revision ID: 0015
Revises: 0010

Migration 0012 backfilled each pending request's decision (parked: the requests sweeper still chased it) and each
request with the coordinator. Before the request's own timing columns go, its rows get what the ledger sweep needs:
urgent requests their own kind (counted in working hours), the next rung that was not taken yet (the reminder, else
the escalation; none once escalated) and the steps already taken, so nobody is told twice. The coordinator's
decisions (after "Ask the coordinator", and after an escalation to them, which 0012 had no row for) wait at
generation 0 for the sweep to snapshot their ladder.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None

_REQUEST = "(SELECT {col} FROM meeting_request t WHERE t.id = obligation.subject_id)"
_DECISIONS = "kind IN ('request_decision', 'request_decision_urgent') AND subject_type = 'request' AND status = 'open'"
_INDEXES = (("ix_meeting_request_status_remind", "remind_at"), ("ix_meeting_request_status_escalate", "escalate_at"))


def upgrade() -> None:
    op.execute(
        "UPDATE obligation SET kind = 'request_decision_urgent' WHERE kind = 'request_decision' AND status = 'open' "
        "AND subject_type = 'request' AND subject_id IN (SELECT id FROM meeting_request WHERE urgency = 'urgent')"
    )
    reminded, escalated = _REQUEST.format(col="t.reminded_at"), _REQUEST.format(col="t.escalated_at")
    op.execute(
        f"UPDATE obligation SET owner = {_REQUEST.format(col='t.decider')}, "
        "next_step_at = CASE stage WHEN 'pending' THEN overdue_at WHEN 'overdue' THEN breach_at ELSE NULL END, "
        f"last_step_at = CASE stage WHEN 'breached' THEN {escalated} WHEN 'overdue' THEN {reminded} ELSE NULL END, "
        f"breached_at = CASE stage WHEN 'breached' THEN {escalated} ELSE NULL END, "
        "reminders_sent = CASE stage WHEN 'breached' THEN 2 WHEN 'overdue' THEN 1 ELSE 0 END "
        f"WHERE {_DECISIONS}"
    )
    op.execute(
        "INSERT INTO obligation (case_id, kind, subject_type, subject_id, recipient, owner_role, owner, due_at, "
        "overdue_at, stage, next_step_at, reminders_sent, notice_keys, generation, status, created_at) "
        "SELECT t.case_id, 'coordinator_decision', 'request', t.id, '', 'coordinator', o.coordinator, t.escalated_at, "
        "t.escalated_at, 'pending', NULL, 0, '[]', 0, 'open', t.escalated_at "
        'FROM meeting_request t JOIN "case" c ON c.id = t.case_id JOIN organisation o ON o.id = c.organisation_id '
        "WHERE t.status = 'pending' AND t.escalated_at IS NOT NULL AND t.decider <> o.coordinator "
        "AND o.coordinator IN (t.escalated_to, t.escalated_on_behalf_of)"
    )
    op.execute(
        "UPDATE obligation SET generation = 0, next_step_at = due_at "
        "WHERE kind = 'coordinator_decision' AND status = 'open' AND generation <= 1 AND reminders_sent = 0"
    )
    with op.batch_alter_table("meeting_request") as batch:
        for index, _ in _INDEXES:
            batch.drop_index(index)
        batch.drop_column("remind_at")
        batch.drop_column("escalate_at")


def downgrade() -> None:
    with op.batch_alter_table("meeting_request") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True))
        for index, column in _INDEXES:
            batch.create_index(index, ["status", column])
    # The requests sweeper chases them again: the rungs not taken go back on the request, the ledger's rows park.
    for column, value, stages in (
        ("remind_at", "overdue_at", "('pending')"),
        ("escalate_at", "breach_at", "('pending', 'overdue')"),
    ):
        op.execute(
            f"UPDATE meeting_request SET {column} = (SELECT o.{value} FROM obligation o WHERE o.subject_id = "
            "meeting_request.id AND o.kind IN ('request_decision', 'request_decision_urgent') AND o.subject_type = "
            f"'request' AND o.status = 'open' AND o.stage IN {stages}) WHERE status = 'pending'"
        )
    op.execute(f"UPDATE obligation SET kind = 'request_decision', next_step_at = NULL WHERE {_DECISIONS}")
    op.execute("UPDATE obligation SET next_step_at = NULL WHERE kind = 'coordinator_decision' AND status = 'open'")
