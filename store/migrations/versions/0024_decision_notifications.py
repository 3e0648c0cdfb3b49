"""PostgreSQL tells listeners when who may decide a meeting request may have changed

Revision ID: 0024
Revises: 0023

A Teams request card is refreshed each time a decider looks at it, and the answer is kept in memory while nothing it
depends on has changed (store/changes.py). On PostgreSQL, statement-level triggers on the tables that answer depends on
`NOTIFY coregroup_decisions` (delivered when the writing transaction commits, once per transaction) from every writer:
any replica, the worker, the CLI, bulk and Core statements alike. The card's outbox rows (its decision notice, its
`:closed` copy) are only ever written in a transaction that also changes the request, so the outbox needs no trigger
(and its every send would otherwise make each replica forget its answers). SQLite needs nothing here:
`PRAGMA data_version` tells a reader of any other connection's commit.

Only adds a function and triggers: replicas still on 0023 keep running while this upgrade is applied.
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

CHANNEL = "coregroup_decisions"
TABLES = ("meeting_request", "delegate", "organisation", "case")

FUNCTION = f"""
    CREATE FUNCTION coregroup_notify_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', '');
        RETURN NULL;
    END
    $$"""


def _trigger(table: str) -> str:
    return f"{table}_notify_decisions"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER {_trigger(table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION coregroup_notify_decisions()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {_trigger(table)} ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS coregroup_notify_decisions()")
