"""The meetings sweepers: reminders, and due dates with nothing scheduled (actions are chased by the ledger).

Each reads only rows whose indexed due time has come, a batch at a time, claimed with `FOR UPDATE SKIP
LOCKED` on PostgreSQL (SQLite takes its write lock up front), moved on by conditional updates, and turned
into outbox rows with idempotency keys: two sweeps at once, or one run twice, send nothing twice. The
cost of a pass follows the number of rows due, not the number of cases.
"""

from __future__ import annotations

from datetime import datetime

from bot.authority import Duty, delegates_for_many
from bot.batches import in_batches
from bot.notices import NoticeKind, notice_key
from bot.organisation import calendar_for
from bot.services.meetings import meeting_payload
from store.models import CaseStatus, DueStatus, MeetingReminder, MeetingStatus, ReminderStatus
from store.repositories_meetings import SweepCase
from store.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 500


def sweep_meeting_reminders(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Post each due reminder to its case channel and DM it to every member with Slack; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _remind_meetings(uow, now=now, batch=batch), batch)


def sweep_unscheduled_meetings(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Flag to the chair each case whose meeting is due today with nothing scheduled by then; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _flag_dues(uow, now=now, batch=batch), batch)


def sweep_meeting_breaches(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Tell the coordinator of each case with no meeting held by the profile's limit (Wales: 6 weeks after the last);
    the digest lists it until a meeting is recorded. Notices enqueued."""
    return in_batches(uow_factory, lambda uow: _take_breaches(uow, now=now, batch=batch), batch)


def _remind_meetings(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.meetings.claim_due_reminders(now=now, limit=batch)
    if not rows:
        return 0, 0
    meetings = uow.meetings.get_many(r.meeting_id for r in rows)
    running = uow.cases.statuses(m.case_id for m in meetings.values())  # deregistered or closed: no reminders
    latest: dict[int, MeetingReminder] = {}  # a sweep that comes late sends only the latest reminder of each meeting ("today", not both)
    for row in rows:
        if row.due_at >= latest.get(row.meeting_id, row).due_at:
            latest[row.meeting_id] = row
    due: list[MeetingReminder] = []
    stale: list[MeetingReminder] = []
    for row in rows:
        meeting = meetings.get(row.meeting_id)
        live = (meeting is not None and meeting.status == MeetingStatus.SCHEDULED and latest[row.meeting_id] is row
                and running.get(meeting.case_id) == CaseStatus.OPEN
                and meeting.starts_at == row.meeting_starts_at and now < meeting.starts_at)
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
        payload = {**meeting_payload(case, meeting), "working_days_before": row.working_days_before}
        audits.append({"action": "meeting.reminded", "case_id": case.id, "meeting_id": meeting.id,
                       "working_days_before": row.working_days_before, "to": [case.channel, *case.people]})
        for recipient in (case.channel, *case.people):
            notices.append({
                "key": notice_key(NoticeKind.MEETING_REMINDER, row.id, recipient), "kind": NoticeKind.MEETING_REMINDER,
                "recipient": recipient, "case_id": case.id, "payload": payload,
            })
    uow.audit.record_many(audits, at=now)
    return len(rows), uow.outbox.enqueue_many(notices, now=now)


def _flag_dues(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.meetings.claim_dues_to_flag(now=now, limit=batch)
    if not rows:
        return 0, 0
    cases, booked, after = _due_context(uow, rows)
    to_flag = []
    for row in rows:
        case = cases[row.case_id]
        if case.status != CaseStatus.OPEN:  # deregistered or closed: the core group has stopped
            row.status = DueStatus.ENDED
            continue
        until = calendar_for(case.organisation).end_of_day(row.due_on)
        since = after[row.after_meeting_id].starts_at if row.after_meeting_id in after else None
        if any(m.starts_at <= until and (since is None or m.starts_at > since) for m in booked.get(row.case_id, ())):
            row.status = DueStatus.SCHEDULED  # a meeting booked by the due date clears it
        else:
            to_flag.append(row)
    flagged = uow.meetings.flag_dues([r.id for r in to_flag], now=now)
    routes = _routes(uow, [(cases[r.case_id], cases[r.case_id].chair) for r in to_flag if r.id in flagged], now=now)
    notices, audits = [], []
    for row in to_flag:
        case = cases[row.case_id]
        if row.id not in flagged or not case.chair:
            continue
        to, on_behalf_of = routes[case.chair]
        notices.append({
            "key": notice_key(NoticeKind.MEETING_NOT_SCHEDULED, row.id, to), "kind": NoticeKind.MEETING_NOT_SCHEDULED,
            "recipient": to, "case_id": case.id,
            "payload": {"reference": case.reference, "channel": case.channel, "due_on": row.due_on.isoformat(),
                        "basis": row.basis, "on_behalf_of": on_behalf_of},
        })
        audits.append({"action": "meeting.due_not_scheduled", "case_id": case.id, "due_id": row.id,
                       "due_on": row.due_on.isoformat(), "to": to, "on_behalf_of": on_behalf_of})
    uow.audit.record_many(audits, at=now)
    return len(rows), uow.outbox.enqueue_many(notices, now=now)


def _take_breaches(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.meetings.claim_breaches(now=now, limit=batch)
    if not rows:
        return 0, 0
    cases, booked, after = _due_context(uow, rows)
    live = []
    for row in rows:
        case = cases[row.case_id]
        last = after.get(row.after_meeting_id)
        if last is None or case.status != CaseStatus.OPEN:  # deregistered or closed: the core group has stopped
            continue
        until = min(calendar_for(case.organisation).end_of_day(row.breach_on), now)
        # A meeting held by the limit and not yet recorded is no breach: the record is what is late.
        if not any(last.starts_at < m.starts_at <= until for m in booked.get(row.case_id, ())):
            live.append(row)
    breached = uow.meetings.mark_breached([r.id for r in rows], now=now)
    coordinators = [(cases[r.case_id], cases[r.case_id].organisation.coordinator) for r in live if r.id in breached]
    routes = _routes(uow, coordinators, now=now)
    notices, audits = [], []
    for row in live:
        if row.id not in breached:
            continue
        case = cases[row.case_id]
        to, on_behalf_of = routes[case.organisation.coordinator]
        held_on = calendar_for(case.organisation).local_date(after[row.after_meeting_id].starts_at)
        notices.append({
            "key": notice_key(NoticeKind.MEETING_BREACH, row.id, to), "kind": NoticeKind.MEETING_BREACH,
            "recipient": to, "case_id": case.id,
            "payload": {"reference": case.reference, "channel": case.channel, "held_on": held_on.isoformat(),
                        "breach_on": row.breach_on.isoformat(), "weeks": (row.breach_on - held_on).days // 7,
                        "chair": case.chair, "on_behalf_of": on_behalf_of},
        })
        audits.append({"action": "meeting.breach", "case_id": case.id, "due_id": row.id,
                       "breach_on": row.breach_on.isoformat(), "to": to, "on_behalf_of": on_behalf_of})
    uow.audit.record_many(audits, at=now)
    return len(rows), uow.outbox.enqueue_many(notices, now=now)


def _due_context(uow: UnitOfWork, rows) -> tuple[dict, dict, dict]:
    """For due rows: their cases, each case's scheduled meetings, and the meeting each row follows (three queries)."""
    return (uow.meetings.sweep_cases(r.case_id for r in rows),
            uow.meetings.scheduled_for_cases(r.case_id for r in rows),
            uow.meetings.get_many(r.after_meeting_id for r in rows if r.after_meeting_id))


def _routes(uow: UnitOfWork, people: list[tuple[SweepCase, str]], *, now: datetime) -> dict[str, tuple[str, str | None]]:
    """Where each chair's message goes today: their chairing delegate (on behalf of them), else them; one query per
    day. Actions a person owns are theirs: no delegation covers them (bot.authority)."""
    by_day: dict = {}
    for case, user in people:
        by_day.setdefault(calendar_for(case.organisation).local_date(now), set()).add(user)
    routes = {}
    for day, users in by_day.items():
        delegates = delegates_for_many(uow, users, Duty.CHAIR, on=day)
        for user in users:
            delegate = delegates.get(user)
            routes[user] = (delegate, user) if delegate and delegate != user else (user, None)
    return routes
