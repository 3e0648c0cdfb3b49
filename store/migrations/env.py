"""Alembic environment: run migrations on the connection or URL that `store.migrate` hands over."""

from alembic import context

from store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from store.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url", ""))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # On SQLite a batch ("move and copy") operation re-creates the table and drops its triggers: a revision
        # that batch-alters "case" must create the open-case tally's triggers of 0023 again.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("coregroup runs migrations online only: use `coregroup migrate`")
run_migrations_online()
