"""Bulk test data for the meeting and digest benchmarks: N cases with their roles, a scheduled meeting each, its
reminders, its due period (the meeting owed on the ledger), an open action, and a CP9 owed on the ledger, written
with Core inserts (no ORM objects, no services), in one organisation or dealt round several.

`due_fraction` of the cases have something due at `now` of every kind the meeting sweepers handle: a
reminder, a due date with nothing scheduled, an action on its due date; and their CP9 is overdue on the ledger
(past its overdue rung, so the digest lists it and the case is not on time). The rest are due in the future.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, insert

from store.models import (
    Case,
    CaseRole,
    Cp9,
    Meeting,
    MeetingAction,
    MeetingDue,
    MeetingRecord,
    MeetingReminder,
    Obligation,
    Organisation,
)

CHUNK = 5000
DISTINCT_USERS = 2000  # people are members of many cases, as in a real council


def chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def build(
    engine: Engine,
    *,
    cases: int,
    due_fraction: float,
    now: datetime,
    warm_up: datetime | None = None,
    organisations: int = 1,
) -> int:
    """Write the data set; returns how many cases have something due at `now`.

    With `organisations` > 1 the cases are dealt round them, each with its own coordinator (one digest each).

    With `warm_up` (earlier than `now`), as many other cases have the same things due at that moment, so a
    first sweep there warms the process up as a running bot is, and the sweep at `now` is measured warm.
    """
    due_every = int(round(1 / due_fraction)) if due_fraction else 0
    future = now + timedelta(days=20)
    early = {i for i in range(cases) if warm_up and due_every and i % due_every == 1}
    moment = lambda i: warm_up if i in early else now  # noqa: E731 - a one-line local helper
    user = lambda n: f"U{n % DISTINCT_USERS:07d}"  # noqa: E731 - a one-line local helper
    with engine.begin() as db:
        org_ids = [
            db.execute(
                insert(Organisation).returning(Organisation.id),
                [
                    dict(
                        name=f"Benchmark Council {n}" if n else "Benchmark Council",
                        profile="south-ayrshire",
                        nation="scotland",
                        timezone="Europe/London",
                        coordinator=f"U0COORD{n:03d}" if n else "U0COORD",
                        closure_days=["2027-12-29"],
                        policy_overrides={},
                        retention_years=7,
                        admins=[],
                        created_at=now,
                        updated_at=now,
                    )
                ],
            ).scalar_one()
            for n in range(organisations)
        ]
        case_rows, role_rows, meeting_rows = [], [], []
        for i in range(cases):
            case_rows.append(
                dict(
                    id=i + 1,
                    organisation_id=org_ids[i % organisations],
                    reference=f"CP-B-{i:06d}",
                    channel=f"C{i:08d}",
                    registered_on=date(2027, 1, 4),
                    first_meeting_at=None,
                    status="open",
                    created_at=now,
                    updated_at=now,
                )
            )
            role_rows += [
                dict(case_id=i + 1, role="chair", user_id=user(i), label=None),
                dict(case_id=i + 1, role="team_leader", user_id=user(i + 1), label=None),
                *(dict(case_id=i + 1, role="member", user_id=user(i + k), label=None) for k in (2, 3, 4)),
                dict(case_id=i + 1, role="participant", user_id=None, label="Mother"),
                dict(case_id=i + 1, role="participant", user_id=None, label="Father"),
            ]
        due = {i for i in range(cases) if due_every and i % due_every == 0}
        due_or_early = due | early
        for i in range(cases):
            starts = moment(i) + timedelta(hours=2) if i in due_or_early else future
            meeting_rows.append(
                dict(
                    id=i + 1,
                    case_id=i + 1,
                    kind="regular",
                    status="scheduled",
                    starts_at=starts,
                    mode="in_person",
                    note=None,
                    scheduled_by=user(i),
                    created_at=now,
                    updated_at=now,
                )
            )
        for table, rows in ((Case, case_rows), (CaseRole, role_rows), (Meeting, meeting_rows)):
            for part in chunks(rows):
                db.execute(insert(table), part)
        reminder_rows, due_rows, record_rows, action_rows, cp9_rows, owed_rows = [], [], [], [], [], []
        for i in range(cases):
            starts = meeting_rows[i]["starts_at"]
            is_due = i in due_or_early
            past = moment(i) - timedelta(minutes=1)
            reminder_rows += [
                dict(
                    meeting_id=i + 1,
                    case_id=i + 1,
                    working_days_before=2,
                    meeting_starts_at=starts,
                    due_at=past if is_due else future - timedelta(days=2),
                    status="pending",
                    sent_at=None,
                ),
                dict(
                    meeting_id=i + 1,
                    case_id=i + 1,
                    working_days_before=0,
                    meeting_starts_at=starts,
                    due_at=future - timedelta(hours=1),
                    status="pending",
                    sent_at=None,
                ),
            ]
            due_on = (moment(i) - timedelta(days=1) if is_due else future).date()
            due_rows.append(
                dict(
                    id=i + 1,
                    case_id=i + 1,
                    basis="after_meeting",
                    after_meeting_id=None,
                    due_on=due_on,
                    status="open" if is_due else "scheduled",
                    created_at=now,
                )
            )
            # The meeting owed for that period, on the ledger: due now, or parked (a meeting is booked in time).
            owed_rows.append(
                dict(
                    case_id=i + 1,
                    kind="next_meeting",
                    subject_type="meeting_due",
                    subject_id=i + 1,
                    recipient="",
                    owner_role="chair",
                    owner=user(i),
                    due_at=past if is_due else future,
                    due_local_date=due_on,
                    stage="pending",
                    next_step_at=past if is_due else None,
                    overdue_at=past if is_due else future,
                    reminders_sent=0,
                    notice_keys=[],
                    generation=1,
                    status="open",
                    created_at=now,
                )
            )
            record_rows.append(
                dict(
                    id=i + 1,
                    meeting_id=i + 1,
                    case_id=i + 1,
                    held_at=now - timedelta(days=30),
                    recorded_by=user(i),
                    on_behalf_of=None,
                    recorded_at=now,
                    supports="s",
                    monitoring="m",
                    outcomes="o",
                    contingency="c",
                    extra_checklist={},
                    significant_amendment=False,
                    institution=False,
                )
            )
            # The CP9 of that record, owed by the chair on the ledger: overdue for the cases with something due (its
            # overdue rung already taken: no step is left for the sweep), due in the future for the others.
            cp9_due = now - timedelta(days=3) if i in due else future
            cp9_rows.append(
                dict(
                    id=i + 1,
                    record_id=i + 1,
                    meeting_id=i + 1,
                    case_id=i + 1,
                    form_name="CP9",
                    held_on=cp9_due.date() - timedelta(days=7),
                    nominal_due_on=cp9_due.date(),
                    due_on=cp9_due.date(),
                    due_at=cp9_due,
                    status="pending",
                    chair_message_keys=[],
                    coordinator_message_keys=[],
                    created_at=now,
                )
            )
            owed_rows.append(
                dict(
                    case_id=i + 1,
                    kind="cp9_sent",
                    subject_type="cp9",
                    subject_id=i + 1,
                    recipient="",
                    owner_role="chair",
                    owner=user(i),
                    due_at=cp9_due,
                    due_local_date=cp9_due.date(),
                    stage="overdue" if i in due else "pending",
                    next_step_at=None if i in due else future - timedelta(days=2),
                    last_step_at=now - timedelta(days=2) if i in due else None,
                    remind_at=cp9_due - timedelta(days=2),
                    overdue_at=cp9_due + timedelta(days=1),
                    reminders_sent=1 if i in due else 0,
                    notice_keys=[],
                    generation=1,
                    status="open",
                    created_at=now - timedelta(days=10),
                )
            )
            action_rows.append(
                dict(
                    record_id=i + 1,
                    case_id=i + 1,
                    description="Refer to CAMHS",
                    owner_user_id=user(i + 2),
                    owner_label=None,
                    due_on=(past if is_due else future).date(),
                    status="open",
                )
            )
        for table, rows in (
            (MeetingReminder, reminder_rows),
            (MeetingDue, due_rows),
            (MeetingRecord, record_rows),
            (MeetingAction, action_rows),
            (Cp9, cp9_rows),
            (Obligation, owed_rows),
        ):
            for part in chunks(rows):
                db.execute(insert(table), part)
        if engine.dialect.name == "postgresql":
            for table in ("case", "meeting", "meeting_record", "meeting_due", "cp9"):
                db.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), {cases})")
    with engine.begin() as db:
        db.exec_driver_sql("ANALYZE")  # fresh statistics, as a database that has been running would have
    return len(due)


@contextlib.contextmanager
def database(kind: str, tmp: str, pg_url: str | None) -> Iterator[Engine]:
    """A fresh, migrated database of `kind` (sqlite in `tmp`, or a new PostgreSQL database on `pg_url`)."""
    from tests.harness import migrated_engine, postgres_database

    if kind == "sqlite":
        engine = migrated_engine(f"sqlite:///{tmp}/bench-{datetime.now().timestamp()}.db")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with postgres_database(pg_url) as url:
        engine = migrated_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
