"""The coordinator's digest reads what is owed from the ledger, on both engines: a case owing something overdue is
not on time, what is overdue is listed, the digest's statements do not grow with the cases that are on time or
closed (it costs what is owed, not how many cases there are), and the day's digests of several organisations,
built together, each count and list their own cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event, insert

from bot.digest import Digest
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.digest import build_digest, send_daily_digests
from bot.services.obligation_sweep import sweep_obligations
from store.models import Case, Obligation
from tests.harness import CASE, organisation_file
from tests.store.test_obligation_ledger import imported

UTC = timezone.utc
BREACH = datetime(2027, 6, 8, 8, 0, tzinfo=UTC)  # Tue 8 Jun 2027, 09:00 BST: the first meetings' records breached


def add_cases(engine, organisation_id: int, *, start: int, count: int, status: str, stage: str, due_at: datetime):
    """`count` cases of `status`, each owing a CP9 at `stage` due at `due_at` (bulk, as a long-running council has)."""
    now = BREACH - timedelta(days=60)
    ids = range(start, start + count)
    with engine.begin() as db:
        db.execute(
            insert(Case),
            [
                dict(
                    id=i,
                    organisation_id=organisation_id,
                    reference=f"CP-Q-{i:05d}",
                    channel=f"C0Q{i:05d}",
                    registered_on=date(2027, 1, 4),
                    first_meeting_at=None,
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
                for i in ids
            ],
        )
        db.execute(
            insert(Obligation),
            [
                dict(
                    case_id=i,
                    kind="cp9_sent",
                    subject_type="cp9",
                    subject_id=i,
                    recipient="",
                    owner_role="chair",
                    owner="U0CHAIR",
                    due_at=due_at,
                    stage=stage,
                    overdue_at=due_at + timedelta(days=1),
                    reminders_sent=0,
                    notice_keys=[],
                    generation=1,
                    status="open",
                    created_at=now,
                )
                for i in ids
            ],
        )


def digest_with_statements(engine, uow_factory, organisation_id: int) -> tuple[Digest, list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with uow_factory() as uow:
            digest = build_digest(uow=uow, organisation=uow.organisations.require(organisation_id), now=BREACH)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return digest, statements


def overdue_meetings(uow_factory) -> int:
    """Three cases whose first meetings (Mon 24 May) were never recorded: breached on the ledger by `BREACH`."""
    imported(uow_factory, cases=[dict(CASE, reference=f"CP-2027-{i:04d}", channel=f"C0C{i:04d}") for i in range(3)])
    sweep_obligations(uow_factory=uow_factory, now=BREACH)
    with uow_factory() as uow:
        return uow.organisations.list()[0].id


def test_a_case_owing_something_overdue_is_not_on_time_and_what_is_overdue_is_listed(engine, uow_factory):
    organisation_id = overdue_meetings(uow_factory)
    add_cases(
        engine, organisation_id, start=1000, count=2, status="open", stage="pending", due_at=BREACH + timedelta(days=2)
    )
    with uow_factory() as uow:
        digest = build_digest(uow=uow, organisation=uow.organisations.require(organisation_id), now=BREACH)
    assert (digest.open_cases, digest.on_time) == (5, 2)
    unrecorded = next(s for s in digest.sections if s.key == "unrecorded")
    assert [i.reference for i in unrecorded.items] == ["CP-2027-0000", "CP-2027-0001", "CP-2027-0002"]
    assert all("Meeting of Mon 24 May 2027 not recorded" in i.summary for i in unrecorded.items)


def test_the_digests_statements_do_not_grow_with_cases_on_time_or_closed(engine, uow_factory):
    organisation_id = overdue_meetings(uow_factory)
    later, earlier = BREACH + timedelta(days=60), BREACH - timedelta(days=30)
    add_cases(engine, organisation_id, start=1000, count=100, status="open", stage="pending", due_at=later)
    add_cases(engine, organisation_id, start=5000, count=100, status="closed", stage="overdue", due_at=earlier)
    small, small_statements = digest_with_statements(engine, uow_factory, organisation_id)
    add_cases(engine, organisation_id, start=1100, count=900, status="open", stage="pending", due_at=later)
    add_cases(engine, organisation_id, start=5100, count=900, status="closed", stage="overdue", due_at=earlier)
    large, large_statements = digest_with_statements(engine, uow_factory, organisation_id)
    assert (small.open_cases, small.on_time) == (103, 100)
    assert (large.open_cases, large.on_time) == (1003, 1000)
    assert large.total == small.total and large.total >= 3
    assert len(large_statements) == len(small_statements)


def test_the_days_digests_of_two_organisations_each_count_and_list_their_own_cases(engine, uow_factory):
    first = overdue_meetings(uow_factory)  # three cases, their records breached
    with uow_factory() as uow:
        data = organisation_file(
            organisation={"name": "East Ayrshire Council", "coordinator": "U0COORD2"},
            cases=[
                dict(CASE, reference="CP-2027-0900", channel="C0C0900", first_meeting=None, registered_on="2027-06-04")
            ],  # its first meeting not due for weeks
        )
        import_organisation(parse_organisation_file(data), uow=uow, now=BREACH - timedelta(days=30))
        uow.commit()
        second = next(o.id for o in uow.organisations.list() if o.id != first)
    later = BREACH + timedelta(days=60)
    add_cases(engine, second, start=1000, count=2, status="open", stage="pending", due_at=later)
    assert send_daily_digests(uow_factory=uow_factory, now=BREACH) == 2
    with uow_factory() as uow:
        payloads = {m.recipient: m.payload for m in uow.outbox.list(kind="coordinator_digest")}
        audited = [e.detail["to"] for e in uow.audit.list(action="digest.sent")]
    first_digest, second_digest = (Digest.from_payload(payloads[who]) for who in ("U0COORD", "U0COORD2"))
    assert (first_digest.open_cases, first_digest.on_time) == (3, 0)
    assert "CP-2027-0900" not in str(first_digest.to_payload())
    assert (second_digest.open_cases, second_digest.on_time, second_digest.total) == (3, 3, 0)
    assert sorted(audited) == ["U0COORD", "U0COORD2"]
    assert send_daily_digests(uow_factory=uow_factory, now=BREACH + timedelta(hours=2)) == 0  # once a day
