"""0022 widens the person and channel columns (Entra and Teams ids) and adds the Teams tables: on each engine every
row already there is kept, value for value (on SQLite a table rebuild would have emptied the cascading children)."""

from __future__ import annotations

from store.migrate import upgrade
from tests.store.test_migration_0012 import fill, snapshot


def test_widening_the_id_columns_keeps_every_row_of_every_table(old_database):
    upgrade(old_database, "0008")
    old = fill(old_database)
    upgrade(old_database, "0021")
    before = snapshot(old_database, old)

    upgrade(old_database)

    assert snapshot(old_database, old) == before
    assert sum(len(rows) for rows in before.values()) > 0
