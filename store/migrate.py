"""Run Alembic migrations from code (the CLI and the tests use the same path)."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

#: Replicas starting together take turns at the schema (a transaction-level advisory lock on PostgreSQL).
MIGRATION_LOCK_KEY = int.from_bytes(b"coregrpM", "big")

log = logging.getLogger("coregroup")


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", "store:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema up to `revision`, logging the change when there was one; at `revision` already, it
    changes nothing.

    On PostgreSQL the upgrade holds an advisory lock until it commits, so replicas started at the same time
    migrate one after the other: the first upgrades, the others then find the schema current and do nothing.
    """
    before = current_revision(engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    after = current_revision(engine)
    if after != before:
        log.info("database schema upgraded from %s to %s", before or "empty", after)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at ("0003, 0004" when feature branches sit side by side), or None."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ", ".join(sorted(heads)) or None
