"""The digest's count of open cases per organisation is a tally the database keeps (triggers on "case", 0023): on both
engines, whatever writes the cases (the ORM, Core inserts and updates, deletes, an organisation's deletion), the count
the digest reads equals a plain count of the open cases. On SQLite a batch migration of "case" would drop the
triggers: this is the test that notices."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from store.models import Case, CaseStatus, Organisation

T0 = datetime(2027, 5, 10, 9, 0, tzinfo=timezone.utc)


def an_organisation(engine, name: str) -> int:
    with engine.begin() as db:
        return db.execute(
            insert(Organisation)
            .values(name=name, profile="wales", nation="wales", coordinator="U0COORD", created_at=T0, updated_at=T0)
            .returning(Organisation.id)
        ).scalar_one()


def a_case(reference: str, organisation_id: int, status: str = CaseStatus.OPEN) -> dict:
    return dict(
        organisation_id=organisation_id,
        reference=reference,
        channel=f"C0{reference}",
        registered_on=date(2027, 5, 10),
        status=status,
        created_at=T0,
        updated_at=T0,
    )


def case_id(engine, reference: str) -> int:
    with engine.connect() as db:
        return db.execute(select(Case.id).where(Case.reference == reference)).scalar_one()


def counted_by_the_digest(uow_factory) -> dict[int, int]:
    """What the digest reads for every organisation there is (0 for one without a row)."""
    with uow_factory() as uow:
        ids = list(uow.session.scalars(select(Organisation.id)))
        tally = uow.cases.count_open_by_organisation(ids)
    return {i: tally.get(i, 0) for i in ids}


def counted_plainly(engine) -> dict[int, int]:
    """Every organisation's open cases, counted from the cases themselves."""
    open_cases = func.count(Case.id).filter(Case.status == CaseStatus.OPEN)
    query = select(Organisation.id, open_cases).outerjoin(Case).group_by(Organisation.id)
    with engine.connect() as db:
        return {i: n for i, n in db.execute(query)}


def test_the_digest_s_count_of_open_cases_stays_true_through_every_kind_of_write(engine, uow_factory):
    def assert_true(expected: dict[int, int]) -> None:
        assert counted_plainly(engine) == expected
        assert counted_by_the_digest(uow_factory) == expected

    cardiff, newport = an_organisation(engine, "Cardiff Council"), an_organisation(engine, "Newport Council")
    assert_true({cardiff: 0, newport: 0})

    with Session(engine) as session:  # the ORM, as imports and the services write cases
        session.add_all([Case(**a_case("A1", cardiff)), Case(**a_case("A2", cardiff))])
        session.commit()
    assert_true({cardiff: 2, newport: 0})

    with engine.begin() as db:  # a Core bulk insert, as the benchmarks and some tests write cases
        db.execute(
            insert(Case),
            [a_case("B1", newport), a_case("B2", newport), a_case("A3", cardiff, CaseStatus.DEREGISTERED)],
        )
    assert_true({cardiff: 2, newport: 2})

    with Session(engine) as session:  # closing through the ORM
        session.get_one(Case, case_id(engine, "A1")).status = CaseStatus.CLOSED
        session.commit()
    assert_true({cardiff: 1, newport: 2})

    with engine.begin() as db:  # deregistering with a Core update
        db.execute(update(Case).where(Case.reference == "B1").values(status=CaseStatus.DEREGISTERED))
    assert_true({cardiff: 1, newport: 1})

    with engine.begin() as db:  # closing a deregistered case, and reopening a closed one
        db.execute(update(Case).where(Case.reference == "A3").values(status=CaseStatus.CLOSED))
        db.execute(update(Case).where(Case.reference == "A1").values(status=CaseStatus.OPEN))
    assert_true({cardiff: 2, newport: 1})

    with engine.begin() as db:  # writes that change neither whether a case is open nor its organisation
        db.execute(update(Case).where(Case.organisation_id == cardiff).values(status=Case.status, updated_at=T0))
    assert_true({cardiff: 2, newport: 1})

    with engine.begin() as db:  # an open case moved to another organisation, a closed one too
        db.execute(update(Case).where(Case.reference.in_(["A2", "A3"])).values(organisation_id=newport))
    assert_true({cardiff: 1, newport: 2})

    with engine.begin() as db:  # deleted, as retention removes cases
        db.execute(delete(Case).where(Case.reference.in_(["B2", "A3"])))
    assert_true({cardiff: 1, newport: 1})

    with engine.begin() as db:  # an organisation deleted: its cases go with it, by the foreign key's cascade
        db.execute(delete(Organisation).where(Organisation.id == newport))
    assert_true({cardiff: 1})

    swansea = an_organisation(engine, "Swansea Council")  # created after the migration: its first case gives it a row
    with engine.begin() as db:
        db.execute(insert(Case).values(**a_case("C1", swansea)))
    assert_true({cardiff: 1, swansea: 1})


def test_the_digest_reads_the_count_in_one_statement_that_does_not_touch_the_cases(engine, uow_factory):
    cardiff = an_organisation(engine, "Cardiff Council")
    with engine.begin() as db:
        db.execute(insert(Case), [a_case(f"A{i}", cardiff) for i in range(5)])
    statements: list[str] = []

    def seen(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    with uow_factory() as uow:
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert uow.cases.count_open_by_organisation([cardiff]) == {cardiff: 5}
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    [read] = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert "organisation_open_cases" in read and '"case"' not in read
