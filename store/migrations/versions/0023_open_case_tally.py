"""A tally of each organisation's open cases, kept by the database itself (the digest's "on time" count)

Revision ID: 0023
Revises: 0022

Counting an organisation's open cases read index entries in proportion to its cases; `organisation_open_cases` holds
the count, so the digest reads one row by primary key. Triggers on "case" keep it for every writer (the ORM, Core
bulk inserts, imports, closing, deregistering, retention's deletes, the cascade when an organisation is deleted).
Only status 'open' counts (store.models.core.CaseStatus when this was written).

On SQLite a batch ("move and copy") migration of "case" re-creates the table and drops these triggers: a later
revision that batch-alters "case" must create them again (tests/store/test_open_case_tally.py fails without them).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLE = "organisation_open_cases"

# A decrement is a plain UPDATE: the row exists once the case was counted (an upsert here could insert a row for an
# organisation being deleted by the very cascade that fired it).
_COUNT = (
    f"INSERT INTO {TABLE} (organisation_id, open_cases) VALUES (NEW.organisation_id, 1) "
    f"ON CONFLICT (organisation_id) DO UPDATE SET open_cases = {TABLE}.open_cases + 1"
)
_UNCOUNT = f"UPDATE {TABLE} SET open_cases = open_cases - 1 WHERE organisation_id = OLD.organisation_id"
# An UPDATE that changes neither whether the case is open nor its organisation leaves the tally alone.
_MOVED = (
    "(OLD.status = 'open') IS DISTINCT FROM (NEW.status = 'open') "
    "OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id"
)
_MOVED_SQLITE = "(OLD.status = 'open') IS NOT (NEW.status = 'open') OR OLD.organisation_id IS NOT NEW.organisation_id"

SQLITE_TRIGGERS = {
    "case_open_tally_insert": f"""
        CREATE TRIGGER case_open_tally_insert AFTER INSERT ON "case" WHEN NEW.status = 'open'
        BEGIN {_COUNT}; END""",
    "case_open_tally_delete": f"""
        CREATE TRIGGER case_open_tally_delete AFTER DELETE ON "case" WHEN OLD.status = 'open'
        BEGIN {_UNCOUNT}; END""",
    "case_open_tally_update": f"""
        CREATE TRIGGER case_open_tally_update AFTER UPDATE OF status, organisation_id ON "case"
        WHEN {_MOVED_SQLITE}
        BEGIN
            UPDATE {TABLE} SET open_cases = open_cases - 1
            WHERE organisation_id = OLD.organisation_id AND OLD.status = 'open';
            INSERT INTO {TABLE} (organisation_id, open_cases) SELECT NEW.organisation_id, 1 WHERE NEW.status = 'open'
            ON CONFLICT (organisation_id) DO UPDATE SET open_cases = {TABLE}.open_cases + 1;
        END""",
}

POSTGRESQL_FUNCTION = f"""
    CREATE FUNCTION case_open_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.status = 'open' THEN
                {_UNCOUNT};
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.status = 'open' THEN
                {_COUNT};
            END IF;
        END IF;
        RETURN NULL;
    END
    $$"""
POSTGRESQL_TRIGGERS = {
    "case_open_tally_insert_delete": """
        CREATE TRIGGER case_open_tally_insert_delete AFTER INSERT OR DELETE ON "case"
        FOR EACH ROW EXECUTE FUNCTION case_open_tally()""",
    "case_open_tally_update": f"""
        CREATE TRIGGER case_open_tally_update AFTER UPDATE OF status, organisation_id ON "case"
        FOR EACH ROW WHEN ({_MOVED}) EXECUTE FUNCTION case_open_tally()""",
}


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("open_cases", sa.Integer(), nullable=False, server_default="0"),
    )
    # The triggers first: creating one locks "case" against writers until the upgrade commits, so no case written
    # meanwhile is missed by the count below (which then runs before any trigger has written a row).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for sql in POSTGRESQL_TRIGGERS.values():
            op.execute(sql)
    else:
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)
    # Every organisation gets its row (0 when it has no open case); one created later gets it with its first case.
    op.execute(
        f"""INSERT INTO {TABLE} (organisation_id, open_cases)
        SELECT organisation.id, (SELECT count(*) FROM "case" WHERE "case".organisation_id = organisation.id
                                 AND "case".status = 'open')
        FROM organisation"""
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name} ON "case"' if postgresql else f"DROP TRIGGER IF EXISTS {name}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS case_open_tally()")
    op.drop_table(TABLE)
