"""The store on both engines: schema from migrations, tz-aware times, the outbox's idempotency."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from store.migrate import current_revision
from store.models import Delegate, Organisation, OutboxStatus

NOW = datetime(2027, 5, 17, 8, 0, tzinfo=timezone.utc)


def add_organisation(uow) -> Organisation:
    organisation = Organisation(
        name="Fife Council",
        profile="fife",
        nation="scotland",
        timezone="Europe/London",
        coordinator="U0COORD",
        created_at=NOW,
        updated_at=NOW,
    )
    uow.organisations.add(organisation)
    return organisation


def test_the_schema_is_built_by_the_migrations(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"organisation", "case", "case_role", "delegate", "audit_event", "outbox", "alembic_version"} <= tables
    assert current_revision(engine) is not None


def test_timestamps_come_back_tz_aware_in_utc(uow_factory):
    bst = timezone(timedelta(hours=1))
    with uow_factory() as uow:
        organisation = add_organisation(uow)
        organisation.created_at = datetime(2027, 7, 1, 10, 0, tzinfo=bst)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.organisations.get_by_name("Fife Council")
        assert loaded.created_at == datetime(2027, 7, 1, 9, 0, tzinfo=timezone.utc)
        assert loaded.created_at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused(uow_factory):
    with uow_factory() as uow:
        organisation = add_organisation(uow)
        organisation.updated_at = datetime(2027, 7, 1, 10, 0)
        with pytest.raises(Exception, match="naive datetime"):
            uow.commit()


def test_nothing_is_saved_without_commit(uow_factory):
    with uow_factory() as uow:
        add_organisation(uow)
    with uow_factory() as uow:
        assert uow.organisations.list() == []


def test_the_same_notice_is_enqueued_once(uow_factory):
    with uow_factory() as uow:
        first = uow.outbox.enqueue(key="reminder:1:U0HV", kind="k", recipient="U0HV", now=NOW)
        second = uow.outbox.enqueue(key="reminder:1:U0HV", kind="k", recipient="U0HV", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        rows = uow.outbox.list()
    assert (first, second) == (True, False)
    assert [(r.idempotency_key, r.status) for r in rows] == [("reminder:1:U0HV", OutboxStatus.PENDING)]


def test_a_claimed_row_cannot_be_claimed_again_until_its_claim_lapses(uow_factory):
    with uow_factory() as uow:
        uow.outbox.enqueue(key="a", kind="k", recipient="C1", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        row = uow.outbox.get_by_key("a")
        assert uow.outbox.claim(row.id, now=NOW, until=NOW + timedelta(seconds=60))
        assert not uow.outbox.claim(row.id, now=NOW, until=NOW + timedelta(seconds=60))
        assert uow.outbox.claim(row.id, now=NOW + timedelta(seconds=61), until=NOW + timedelta(seconds=120))


def test_a_delegate_is_active_until_the_end_of_its_last_day(uow_factory):
    with uow_factory() as uow:
        organisation = add_organisation(uow)
        uow.delegates.add(
            Delegate(
                organisation_id=organisation.id,
                principal="U0TL",
                delegate="U0DEP",
                until=date(2027, 5, 21),
                created_at=NOW,
            )
        )
        uow.commit()
    with uow_factory() as uow:
        assert uow.delegates.active_for("U0TL", on=date(2027, 5, 21), scopes=["request_decisions"]).delegate == "U0DEP"
        assert uow.delegates.active_for("U0TL", on=date(2027, 5, 22), scopes=["request_decisions"]) is None
        assert uow.delegates.principals_of("U0DEP", on=date(2027, 5, 20), scopes=["request_decisions"]) == ["U0TL"]
        assert uow.delegates.principals_of("U0DEP", on=date(2027, 5, 20), scopes=["chairing"]) == []


def test_a_seen_event_id_is_recognised(uow_factory):
    with uow_factory() as uow:
        assert uow.events.first_time("Ev1", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        assert not uow.events.first_time("Ev1", now=NOW)


def test_the_migrations_have_one_head_and_the_database_is_at_it(engine):
    from alembic.script import ScriptDirectory

    from store.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == ["0024"]
    assert current_revision(engine) == "0024"


def test_the_migrated_schema_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from store.models import Base

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_database_error_during_a_write_does_not_carry_what_was_typed(uow_factory):
    import traceback

    from store.models import MeetingRequest

    with uow_factory() as uow:
        request = MeetingRequest(  # no such case: the foreign key refuses the row on both engines
            case_id=999_999,
            requested_by="U0HV",
            requested_at=NOW,
            concern="new",
            urgency="routine",
            details="Quokka bruising at school",
            status="pending",
            decider="U0TL",
            routed_to="U0TL",
        )
        with pytest.raises(Exception) as caught:
            uow.requests.add(request)
    told = "".join(traceback.format_exception(caught.value))
    assert "meeting_request" in told  # the statement is there to debug with ...
    assert "Quokka" not in told and "parameters hidden" in told  # ... what the user typed is not
