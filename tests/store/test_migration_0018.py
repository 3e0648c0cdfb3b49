"""Upgrading to 0018 (issue 14, points 4 and 5) keeps every case and record: a database at the revision before it (0015) with a case and a
record that flagged a significant amendment is upgraded on each engine; the case has no conference chair and no
review conference until the organisation file or a command gives them, and the old referral stays in its record
(the ledger's referrals start with the first made after the upgrade)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import MetaData, select

from store.migrate import upgrade
from tests.store.test_migration_0012 import insertable

T0 = datetime(2027, 5, 10, 9, 0, tzinfo=timezone.utc)
ROWS = [
    (
        "organisation",
        dict(
            id=1,
            name="Angus Council",
            profile="scotland",
            nation="scotland",
            coordinator="U0COORD",
            created_at=T0,
            updated_at=T0,
        ),
    ),
    (
        "case",
        dict(
            id=1,
            organisation_id=1,
            reference="CP-2027-0142",
            channel="C0CASE142",
            registered_on=date(2027, 5, 10),
            created_at=T0,
            updated_at=T0,
        ),
    ),
    ("meeting", dict(id=1, case_id=1, kind="first", status="held", starts_at=T0, created_at=T0, updated_at=T0)),
    (
        "meeting_record",
        dict(
            id=1,
            meeting_id=1,
            case_id=1,
            held_at=T0,
            recorded_by="U0CHAIR",
            recorded_at=T0,
            supports="s",
            monitoring="m",
            outcomes="o",
            contingency="c",
            extra_checklist={},
            significant_amendment=True,
            institution=False,
        ),
    ),
]


def test_the_upgrade_to_0018_keeps_cases_and_records_and_adds_no_conference_or_referral(old_database):
    upgrade(old_database, "0015")  # the revision before 0018
    before = MetaData()
    before.reflect(old_database)
    with old_database.begin() as connection:  # the models' defaults fill what these rows leave out
        for name, values in ROWS:
            connection.execute(insertable(name, before).insert().values(**values))
    upgrade(old_database)
    after = MetaData()
    after.reflect(old_database)
    with old_database.connect() as connection:
        case = connection.execute(select(after.tables["case"])).mappings().one()
        assert (case["reference"], case["conference_chair"]) == ("CP-2027-0142", None)
        record = connection.execute(select(after.tables["meeting_record"])).mappings().one()
        assert bool(record["significant_amendment"]) is True
        assert connection.execute(select(after.tables["review_conference"])).all() == []
        assert connection.execute(select(after.tables["amendment_referral"])).all() == []
