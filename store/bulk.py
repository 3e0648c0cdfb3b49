"""Bulk SQL on both engines: many rows in or many rows changed by one statement, from one JSON parameter
(PostgreSQL's `json_to_recordset`, SQLite's `json_each`), and an insert that skips a duplicate key.

The sweeps' batches use these so that what a batch costs does not grow with its rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, column, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_json_rows(
    session: Session,
    table,
    rows: list[dict[str, Any]],
    *,
    columns: Sequence[str],
    constants: dict[str, Any],
    conflict_key: str | None = None,
) -> int:
    """INSERT many rows as one `INSERT ... SELECT` from a single JSON parameter; how many were inserted."""
    return len(
        inserted_json_rows(session, table, rows, columns=columns, constants=constants, conflict_key=conflict_key)
    )


def inserted_json_rows(
    session: Session,
    table,
    rows: list[dict[str, Any]],
    *,
    columns: Sequence[str],
    constants: dict[str, Any],
    conflict_key: str | None = None,
    returning: str = "id",
) -> list[Any]:
    """INSERT many rows as one `INSERT ... SELECT` from a single JSON parameter; the `returning` column of each
    row inserted.

    PostgreSQL reads it with `json_to_recordset`, SQLite with `json_each`: one short statement and one
    parameter whatever the number of rows (the sweep's bulk path). `constants` are the same for every row;
    with `conflict_key`, rows whose key exists are skipped.
    """
    if not rows:
        return []
    document = json.dumps([{name: row.get(name) for name in columns} for row in rows])
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        source = (
            func.json_to_recordset(cast(bindparam("json_rows", document, type_=Text), JSON))
            .table_valued(*(column(name, table.c[name].type) for name in columns))
            .render_derived(name="json_rows", with_types=True)
        )
        values: list[Any] = [source.c[name] for name in columns]
    else:
        each = func.json_each(bindparam("json_rows", document, type_=Text)).table_valued("value")
        values = [func.json_extract(each.c.value, f"$.{name}") for name in columns]
    fixed = [bindparam(f"fixed_{name}", value, type_=table.c[name].type) for name, value in constants.items()]
    source_rows = select(*values, *fixed)
    if not postgresql:
        source_rows = source_rows.where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    statement = (pg_insert if postgresql else sqlite_insert)(table).from_select([*columns, *constants], source_rows)
    if conflict_key:
        statement = statement.on_conflict_do_nothing(index_elements=[conflict_key])
    return list(session.scalars(statement.returning(table.c[returning])))


def json_rows(session: Session, rows: list[dict[str, Any]], types: dict[str, Any]) -> dict[str, Any]:
    """`rows` as a table in a statement, from one JSON parameter: each name of `types` to its column (with that
    type), for a bulk `UPDATE ... FROM` (PostgreSQL's `json_to_recordset`, SQLite's `json_each`)."""
    dialect = session.get_bind().dialect
    postgresql = dialect.name == "postgresql"

    def stored(value: Any, type_: Any) -> Any:
        if not isinstance(value, datetime):
            return value
        if postgresql:
            return value.isoformat()
        processor = type_.dialect_impl(dialect).bind_processor(dialect)  # SQLite keeps a datetime as text
        return processor(value) if processor else value

    document = json.dumps([{name: stored(row.get(name), t) for name, t in types.items()} for row in rows])
    if postgresql:
        source = (
            func.json_to_recordset(cast(bindparam("json_rows", document, type_=Text), JSON))
            .table_valued(*(column(name, type_) for name, type_ in types.items()))
            .render_derived(name="json_rows", with_types=True)
        )
        return {name: source.c[name] for name in types}
    each = func.json_each(bindparam("json_rows", document, type_=Text)).table_valued("value")
    return {name: func.json_extract(each.c.value, f"$.{name}") for name in types}


def insert_ignoring_duplicates(session: Session, model, values: dict[str, Any], *, key: str) -> bool:
    """INSERT a row unless one with the same unique `key` exists; True when inserted.

    One statement on both engines, so two processes enqueuing the same notice cannot both win.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    column = getattr(model, key)
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]).returning(column)
    return session.execute(statement).first() is not None
