"""Outbox rows and organisations say their platform (0021): rows already there become Slack's, on each engine."""

from __future__ import annotations

from sqlalchemy import MetaData, select

from store.migrate import upgrade
from tests.store.test_migration_0012 import T0, insertable

ORGANISATION = dict(
    id=1, name="Cardiff Council", profile="wales", nation="wales", coordinator="U0COORD", created_at=T0, updated_at=T0
)
ROW = dict(
    id=1,
    idempotency_key="member_added:1:U0HV:1",
    kind="member_added",
    recipient="C0CASE141",
    payload={"reference": "CP-2027-0141", "member": "U0HV", "role": "health visitor", "added_by": "U0CHAIR"},
    status="pending",
    created_at=T0,
    next_attempt_at=T0,
    attempts=0,
)


def test_rows_and_organisations_already_there_become_slack_s(old_database):
    upgrade(old_database, "0019")
    old = MetaData()
    old.reflect(old_database)
    with old_database.begin() as connection:
        connection.execute(insertable("organisation", old).insert().values(**ORGANISATION))
        connection.execute(insertable("outbox", old).insert().values(**ROW))
    upgrade(old_database)
    new = MetaData()
    new.reflect(old_database)
    with old_database.connect() as connection:
        assert connection.execute(select(new.tables["outbox"].c.platform)).scalars().all() == ["slack"]
        assert connection.execute(select(new.tables["organisation"].c.platform)).scalars().all() == ["slack"]
