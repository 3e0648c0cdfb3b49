"""Two sweeps at once (threads, each with its own connections) never enqueue a reminder twice: on PostgreSQL
they take disjoint rows (`FOR UPDATE SKIP LOCKED`), on SQLite one waits for the other's write lock."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.meeting_sweep import sweep_meeting_reminders
from bot.sweep import sweep
from store.models import ReminderStatus
from tests.harness import CASE, organisation_file

UTC = timezone.utc
CASES = 60
PEOPLE_WITH_SLACK = 5  # chair, team leader and three members
DUE = datetime(2027, 5, 20, 8, 0, tzinfo=UTC)  # Thu 20 May 09:00 BST: two working days before Mon 24 May


def many_cases(uow_factory) -> None:
    cases = [dict(CASE, reference=f"CP-2027-{i:04d}", channel=f"C0C{i:04d}") for i in range(CASES)]
    with uow_factory() as uow:
        import_organisation(
            parse_organisation_file(organisation_file(cases=cases)),
            uow=uow,
            now=datetime(2027, 5, 17, 9, 0, tzinfo=UTC),
        )
        uow.commit()


def run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # surfaced below with the test's own assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_reminder_sweeps_at_once_split_the_work_and_enqueue_each_reminder_once(uow_factory):
    many_cases(uow_factory)
    first, second = run_together(
        lambda: sweep_meeting_reminders(uow_factory=uow_factory, now=DUE, batch=7),
        lambda: sweep_meeting_reminders(uow_factory=uow_factory, now=DUE, batch=7),
    )
    expected = CASES * (1 + PEOPLE_WITH_SLACK)
    assert first + second == expected  # no reminder was offered twice
    with uow_factory() as uow:
        rows = uow.outbox.list(kind="meeting_reminder")
        assert len(rows) == expected and len({(r.recipient, r.payload["reference"]) for r in rows}) == expected
        reminders = [
            r for c in uow.cases.list() for m in uow.meetings.for_case(c.id) for r in uow.meetings.reminders_for(m.id)
        ]
        assert sorted(r.status for r in reminders) == sorted(
            [ReminderStatus.SENT] * CASES + [ReminderStatus.PENDING] * CASES
        )


def test_two_whole_sweeps_at_once_then_again_enqueue_nothing_more(uow_factory):
    many_cases(uow_factory)
    reports = run_together(*(lambda: sweep(uow_factory=uow_factory, now=DUE) for _ in range(3)))
    assert sum(r.enqueued["meeting reminders"] for r in reports) == CASES * (1 + PEOPLE_WITH_SLACK)
    assert sweep(uow_factory=uow_factory, now=DUE).total == 0  # nothing of any feature is sent twice
