"""0023 adds the tally of open cases per organisation: on each engine a database at 0022 is upgraded and every
organisation's count is its open cases (deregistered and closed ones not counted, 0 for none), the triggers keep it
from then on, and downgrading removes it all, leaving cases writable as before."""

from __future__ import annotations

from collections import Counter
from datetime import date

from alembic import command
from sqlalchemy import MetaData, delete, insert, inspect, select, update

from store.migrate import alembic_config, upgrade
from tests.store.test_migration_0012 import T0, fill, insertable, snapshot


def organisation(i: int) -> dict:
    return dict(
        id=i, name=f"Council {i}", profile="wales", nation="wales", coordinator="U0COORD", created_at=T0, updated_at=T0
    )


def case(i: int, organisation_id: int, status: str) -> dict:
    return dict(
        id=i,
        organisation_id=organisation_id,
        reference=f"CP-2027-{i:04d}",
        channel=f"C0CASE{i:04d}",
        registered_on=date(2027, 5, 10),
        status=status,
        created_at=T0,
        updated_at=T0,
    )


CASES = [
    case(1, 1, "open"),
    case(2, 1, "open"),
    case(3, 1, "closed"),
    case(4, 1, "deregistered"),
    case(5, 2, "open"),
    case(6, 2, "deregistered"),
]


def downgrade(engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def tallies(engine) -> dict[int, int]:
    tally = MetaData()
    tally.reflect(engine, only=["organisation_open_cases"])
    table = tally.tables["organisation_open_cases"]
    with engine.connect() as connection:
        return {i: n for i, n in connection.execute(select(table.c.organisation_id, table.c.open_cases))}


def test_upgrading_counts_each_organisation_s_open_cases_and_downgrading_removes_the_tally(old_database):
    upgrade(old_database, "0022")
    old = MetaData()
    old.reflect(old_database)
    organisations, cases = insertable("organisation", old), insertable("case", old)
    with old_database.begin() as connection:
        connection.execute(insert(organisations), [organisation(i) for i in (1, 2, 3)])  # 3 has no case
        connection.execute(insert(cases), CASES)

    upgrade(old_database)

    assert tallies(old_database) == {1: 2, 2: 1, 3: 0}
    with old_database.begin() as connection:  # from now on the triggers keep it
        connection.execute(insert(cases).values(**case(7, 3, "open")))
        connection.execute(update(cases).where(cases.c.id == 1).values(status="closed"))
    assert tallies(old_database) == {1: 1, 2: 1, 3: 1}

    downgrade(old_database, "0022")

    assert "organisation_open_cases" not in inspect(old_database).get_table_names()
    with old_database.begin() as connection:  # no trigger left behind to trip over the missing table
        connection.execute(insert(cases).values(**case(8, 2, "open")))
        connection.execute(update(cases).where(cases.c.id == 2).values(status="deregistered"))
        connection.execute(delete(cases).where(cases.c.id == 5))
    upgrade(old_database)
    assert tallies(old_database) == {1: 0, 2: 1, 3: 1}


def test_upgrading_to_0023_keeps_every_row_of_every_table_and_counts_the_open_cases_among_them(old_database):
    upgrade(old_database, "0008")
    old = fill(old_database)
    upgrade(old_database, "0022")
    before = snapshot(old_database, old)

    upgrade(old_database, "0023")

    assert snapshot(old_database, old) == before
    open_cases = Counter(row.organisation_id for row in _rows(old_database, "case") if row.status == "open")
    assert open_cases and tallies(old_database) == {
        row.id: open_cases.get(row.id, 0) for row in _rows(old_database, "organisation")
    }


def _rows(engine, table: str) -> list:
    schema = MetaData()
    schema.reflect(engine, only=[table])
    with engine.connect() as connection:
        return list(connection.execute(select(schema.tables[table])))
