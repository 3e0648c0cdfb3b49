"""The meetings sweeper: reminders of a meeting (what is owed — the meetings due, actions — is on the ledger:
bot/services/meeting_due_chases.py, bot/services/actions.py).

Each reads only rows whose indexed due time has come, a batch at a time, claimed with `FOR UPDATE SKIP
LOCKED` on PostgreSQL (SQLite takes its write lock up front), moved on by conditional updates, and turned
into outbox rows with idempotency keys: two sweeps at once, or one run twice, send nothing twice. The
cost of a pass follows the number of rows due, not the number of cases.
"""

from __future__ import annotations

from datetime import datetime

from bot.batches import in_batches
from bot.notice_payloads import meetings as payloads
from bot.notices import NoticeKind, notice_key
from bot.requests import SYSTEM_ACTOR
from bot.services.meetings import meeting_fields
from store.models import CaseStatus, MeetingReminder, MeetingStatus, ReminderStatus
from store.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 500


def sweep_meeting_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Post each due reminder to its case channel and DM it to every member with Slack; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _remind_meetings(uow, now=now, batch=batch), batch)


def _remind_meetings(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.meetings.claim_due_reminders(now=now, limit=batch)
    if not rows:
        return 0, 0
    meetings = uow.meetings.get_many(r.meeting_id for r in rows)
    running = uow.cases.statuses(m.case_id for m in meetings.values())  # deregistered or closed: no reminders
    latest: dict[
        int, MeetingReminder
    ] = {}  # a sweep that comes late sends only the latest reminder of each meeting ("today", not both)
    for row in rows:
        if row.due_at >= latest.get(row.meeting_id, row).due_at:
            latest[row.meeting_id] = row
    due: list[MeetingReminder] = []
    stale: list[MeetingReminder] = []
    for row in rows:
        meeting = meetings.get(row.meeting_id)
        live = (
            meeting is not None
            and meeting.status == MeetingStatus.SCHEDULED
            and latest[row.meeting_id] is row
            and running.get(meeting.case_id) == CaseStatus.OPEN
            and meeting.starts_at == row.meeting_starts_at
            and now < meeting.starts_at
        )
        (due if live else stale).append(row)
    sent = uow.meetings.finish_reminders([r.id for r in due], status=ReminderStatus.SENT, now=now)
    uow.meetings.finish_reminders([r.id for r in stale], status=ReminderStatus.SKIPPED, now=now)
    cases = uow.meetings.sweep_cases(meetings[r.meeting_id].case_id for r in due if r.id in sent)
    notices, audits = [], []
    for row in due:
        if row.id not in sent:
            continue
        meeting = meetings[row.meeting_id]
        case = cases[meeting.case_id]
        payload = payloads.MeetingReminder(**meeting_fields(case, meeting), working_days_before=row.working_days_before)
        audits.append(
            {
                "action": "meeting.reminded",
                "case_id": case.id,
                "actor": SYSTEM_ACTOR,
                "meeting_id": meeting.id,
                "working_days_before": row.working_days_before,
                "to": [case.channel, *case.people],
            }
        )
        for recipient in (case.channel, *case.people):
            notices.append(
                {
                    "key": notice_key(NoticeKind.MEETING_REMINDER, row.id, recipient),
                    "kind": NoticeKind.MEETING_REMINDER,
                    "recipient": recipient,
                    "case_id": case.id,
                    "payload": payload,
                }
            )
    uow.audit.record_many(audits, at=now)
    return len(rows), uow.outbox.enqueue_many(notices, now=now)
