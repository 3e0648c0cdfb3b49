"""Upgrading replicas one by one means old code runs on the new schema for a while (README, "Upgrading", step 3).
Each revision since the last one that removed columns only adds: on each engine, nothing an old replica reads is
dropped or renamed, and a column added to an existing table can be left out of an old replica's inserts."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from store.migrate import upgrade

#: The revisions since 0019 (which, like 0016 and 0017, needed the replicas stopped): each must only add.
ROLLING_SAFE = ["0020", "0021", "0022", "0023", "0024"]


def _schema(engine) -> dict[str, dict[str, dict]]:
    found = inspect(engine)
    return {table: {c["name"]: c for c in found.get_columns(table)} for table in found.get_table_names()}


@pytest.mark.parametrize("revision", ROLLING_SAFE)
def test_each_upgrade_since_0019_keeps_every_table_and_column_an_old_replica_reads(old_database, revision):
    previous = f"{int(revision) - 1:04d}"
    upgrade(old_database, previous)
    before = _schema(old_database)

    upgrade(old_database, revision)
    after = _schema(old_database)

    assert set(before) <= set(after), f"{revision} drops tables {set(before) - set(after)}"
    for table, columns in before.items():
        assert set(columns) <= set(after[table]), f"{revision} drops {table}.{set(columns) - set(after[table])}"
        for name in set(after[table]) - set(columns):
            added = after[table][name]
            assert added["nullable"] or added["default"] is not None, (
                f"{revision} adds {table}.{name} NOT NULL without a default: an old replica's inserts would fail"
            )
