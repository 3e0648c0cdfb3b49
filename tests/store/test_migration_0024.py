"""0024 makes PostgreSQL notify every listener when a request, delegate, organisation or case changes (what a kept
Teams card answer depends on), whoever writes; downgrading stops it. SQLite needs nothing and is left as it was. On
both engines every row of every table is kept, value for value."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, select, text, update

from store.migrate import upgrade
from tests.store.test_change_signal import _organisation_id
from tests.store.test_migration_0012 import fill
from tests.store.test_migration_0023 import downgrade


def _heard(engine, change) -> set[str]:
    """The channels a listening connection is notified on for `change`, committed on another connection."""
    pooled = engine.raw_connection()
    pooled.detach()  # a connection that listened is not given back to the pool
    try:
        listener = pooled.dbapi_connection
        listener.autocommit = True
        listener.execute("LISTEN coregroup_decisions")
        with engine.begin() as connection:
            change(connection)
        return {n.channel for n in listener.notifies(timeout=0.5)}
    finally:
        pooled.dbapi_connection.close()


@pytest.mark.parametrize("old_database", ["postgresql"], indirect=True)
def test_a_change_to_each_table_a_card_depends_on_is_notified_until_downgraded(old_database):
    upgrade(old_database, "0024")
    tables = MetaData()
    tables.reflect(old_database)
    organisation = tables.tables["organisation"]
    _organisation_id(old_database)  # the schema is at head: the model writes it

    for table in ("meeting_request", "delegate", "case"):
        assert _heard(old_database, lambda c, t=table: c.execute(text(f'DELETE FROM "{t}"'))) == {
            "coregroup_decisions"
        }, table
    rename = update(organisation).values(name="Ceredigion County Council")
    assert _heard(old_database, lambda c: c.execute(rename)) == {"coregroup_decisions"}
    assert _heard(old_database, lambda c: c.execute(text("SELECT 1"))) == set()  # reads are not changes

    downgrade(old_database, "0023")
    assert _heard(old_database, lambda c: c.execute(rename)) == set()
    upgrade(old_database, "0024")
    assert _heard(old_database, lambda c: c.execute(rename)) == {"coregroup_decisions"}


@pytest.mark.parametrize("old_database", ["sqlite"], indirect=True)
def test_sqlite_is_left_as_it_was(old_database):
    def schema() -> list:
        with old_database.connect() as connection:
            return connection.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")).all()

    upgrade(old_database, "0023")
    before = schema()
    upgrade(old_database, "0024")
    assert schema() == before
    downgrade(old_database, "0023")
    assert schema() == before


TOUCHED = ("meeting_request", "delegate", "organisation", "case")


def _everything(engine) -> dict[str, list[tuple]]:
    """Every row of every table but Alembic's own, every column, in key order."""
    schema = MetaData()
    schema.reflect(engine)
    with engine.connect() as connection:
        return {
            t.name: [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key.columns))]
            for t in schema.sorted_tables
            if t.name != "alembic_version"
        }


@pytest.mark.parametrize("old_database", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_to_0024_keeps_every_row_of_every_table(old_database):
    upgrade(old_database, "0008")
    fill(old_database)
    upgrade(old_database, "0023")
    before = _everything(old_database)
    assert all(before[table] for table in TOUCHED)  # the tables that get triggers have rows

    upgrade(old_database, "0024")

    assert _everything(old_database) == before
    with old_database.begin() as connection:  # and they are still written as before, triggers and all
        connection.execute(text("UPDATE organisation SET name = name || ' Council'"))
        connection.execute(text('UPDATE "case" SET status = status'))
    after = _everything(old_database)
    assert [row[1:] for row in after["case"]] == [row[1:] for row in before["case"]]
    assert after["organisation_open_cases"] == before["organisation_open_cases"]
