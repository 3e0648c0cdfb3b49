"""The ledger sweep: one shape for every obligation's ladder.

Each batch claims the open rows whose `next_step_at` has come (an indexed column; `FOR UPDATE SKIP LOCKED` on
PostgreSQL), reads what their steps need in bulk (bot/services/obligation_batch.py: cases, subjects, delegates),
works out each row's step with the pure rules in `bot/obligations.py` (several rungs at once: the highest, told
once), takes them all with a compare-and-set on stage, generation and next step time (one statement per shape of
step), and enqueues the notices with idempotency keys (obligation + generation + rung + recipient) in one statement
and the audit in another, in the same small transaction: a batch costs a handful of statements, not several a row.
Run twice, or in two processes at once, it sends nothing twice. The audit names the system `bot.requests.SYSTEM_ACTOR`.

Only kinds with a notice or a step here are chased by the ledger (the record of a meeting, requests' decisions); the
others are backfilled parked (`next_step_at` NULL) and still chased by their feature's sweeper until they are switched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.batches import in_batches
from bot.notices import NoticeKind, notice_key
from bot.obligations import (
    Audience,
    ObligationKind,
    RungTimes,
    Stage,
    Step,
    audience,
    ladder_for,
    next_after,
    rung_times,
    step_at,
)
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from bot.services import meeting_due_chases, receipt_chases, request_chase
from bot.services.actions import action_notice
from bot.services.letters import letter_chased, letter_notice
from bot.services.obligation_batch import Batch, read_batch
from bot.services.obligations import (
    discharge_obligation,
    ladder_snapshot,
    obligation_key_prefix,
    waive_obligation,
)
from bot.services.post_dereg_window import post_dereg_chased, post_dereg_notice
from bot.services.review_conference import REVIEW_NOTICES
from store.models import Case, CaseStatus, MeetingStatus, Obligation, Role
from store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 200


def meeting_record_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The chair is asked to record a meeting whose time has come, or to say it did not take place."""
    meeting = uow.meetings.get(row.subject_id)
    if meeting is None:
        return None
    return NoticeKind.MEETING_TO_RECORD, {
        "reference": case.reference,
        "channel": case.channel,
        "meeting_id": meeting.id,
        "starts_at": meeting.starts_at.isoformat(),
        "timezone": case.organisation.timezone,
        "breach_on": row.breach_at.isoformat() if row.breach_at else None,
    }


def meeting_record_settled(uow: UnitOfWork, row: Obligation, *, now: datetime) -> bool:
    """Close the record's obligation if its meeting stopped being scheduled by a path that did not (deregistration
    cancels upcoming meetings directly); True when it is no longer owed."""
    meeting = uow.meetings.get(row.subject_id)
    if meeting is not None and meeting.status == MeetingStatus.SCHEDULED:
        return False
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        reason = (meeting.cancel_reason if meeting else None) or "the meeting was cancelled"
        waive_obligation(uow=uow, row=row, by=SYSTEM_ACTOR, reason=reason, now=now)
    else:
        outcome = "recorded" if meeting.status == MeetingStatus.HELD else "not_held"
        discharge_obligation(uow=uow, row=row, by=SYSTEM_ACTOR, now=now, outcome=outcome)
    return True


#: Per kind, a check that the obligation is still owed before it is chased (it closes the row when not).
SETTLED: dict[str, Callable[..., bool]] = {ObligationKind.MEETING_RECORD: meeting_record_settled}
SETTLED.update(request_chase.SETTLED)

#: The notice each kind chased by the ledger sends: `fn(uow, case, row) -> (kind, payload) | None`.
NOTICES: dict[str, Callable[[UnitOfWork, Case, Obligation], tuple[NoticeKind, dict] | None]] = {
    ObligationKind.MEETING_RECORD: meeting_record_notice,
}
NOTICES.update(request_chase.NOTICES)
NOTICES[ObligationKind.ACTION] = action_notice
NOTICES[ObligationKind.LETTER_DETAILS] = NOTICES[ObligationKind.LETTER_SENT] = letter_notice
NOTICES[ObligationKind.POST_DEREG_MEETING] = post_dereg_notice

#: Kinds whose step the feature takes itself once the ledger has claimed it (who is told, what the feature keeps),
#: instead of notifying the ladder's audience: `fn(uow, case, row, stage, *, now) -> (notices, people told)`.
STEPS: dict[str, Callable[..., tuple[int, list[str]]]] = {}
STEPS.update(request_chase.STEPS)

#: Per kind, what the feature keeps of a step the ledger took (even one that tells nobody), after its notices:
#: `fn(uow, case, row, *, keys, to, stage, now)`.
STEPPED: dict[str, Callable[..., None]] = {}
STEPPED[ObligationKind.LETTER_DETAILS] = STEPPED[ObligationKind.LETTER_SENT] = letter_chased
STEPPED[ObligationKind.POST_DEREG_MEETING] = post_dereg_chased

#: Kinds still chased once the case is deregistered (the core group stopped, but these are owed all the same);
#: a closed case is chased for nothing.
AFTER_DEREGISTRATION: set[str] = {
    ObligationKind.ACTION,
    ObligationKind.LETTER_DETAILS,
    ObligationKind.LETTER_SENT,
    ObligationKind.POST_DEREG_MEETING,
}

#: Kinds whose chase at some stages is one message per subject and person however many rows reach the rung
#: (`fn(uow, row, stage) -> subject | None`): the chair hears of a meeting's plan copies once, not once per copy.
GROUPS: dict[str, Callable[[UnitOfWork, Obligation, str], str | None]] = {}

#: Kinds whose feature keeps its chases up to date itself (`fn(uow, case, row, key, to, payload, now)`, called for
#: each notice enqueued): their rows keep no notice keys, so closing a row does not update those messages.
SENT: dict[str, Callable[..., None]] = {}

NOTICES.update(receipt_chases.NOTICES)
GROUPS.update(receipt_chases.GROUPS)
SENT.update(receipt_chases.SENT)
NOTICES.update(REVIEW_NOTICES)  # the review conference's report and decision, and significant-amendment referrals
NOTICES.update(meeting_due_chases.NOTICES)
SETTLED.update(meeting_due_chases.SETTLED)
SENT.update(meeting_due_chases.SENT)


def sweep_obligations(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Take every obligation step that has come by `now`; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _step_batch(uow, now=now, batch=batch), batch)


@dataclass
class _Plan:
    """One row's step, worked out before any is taken: what to write (a compare-and-set), whom to tell."""

    row: Obligation
    case: Case
    write: dict[str, Any]
    step: Step | None = None
    owner: str | None = None
    targets: list[tuple[str, str | None]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)


def _step_batch(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    """Claim a batch; read what its steps need in bulk; work out each row's step in Python; take them all in one
    compare-and-set per shape of step; enqueue the notices in one statement; then what each feature keeps."""
    rows = uow.obligations.claim_due(now=now, limit=batch)
    if not rows:
        return 0, 0
    with uow.audit.deferred():  # the batch's audit events (the sweep's and its features'), one statement
        return len(rows), _take_steps(uow, rows, now=now)


def _take_steps(uow: UnitOfWork, rows: Sequence[Obligation], *, now: datetime) -> int:
    read = read_batch(uow, rows, now=now)
    periods = {r.case_id for r in rows if r.subject_type == meeting_due_chases.SUBJECT}
    with uow.meetings.scheduled_known(periods):  # is a meeting booked in time: one query for the batch
        plans = [p for row in rows if (p := _plan(uow, read, read.cases[row.case_id], row, now=now)) is not None]
    taken = uow.obligations.advance_many([p.row for p in plans], [p.write for p in plans])
    stepped = [p for p in plans if p.step is not None and p.row.id in taken]  # else: another sweep took it
    enqueued = 0
    for plan in stepped:
        if plan.row.kind in STEPS:  # the feature takes the step itself (rare kinds: requests' decisions)
            assert plan.step is not None
            sent, told = STEPS[plan.row.kind](uow, plan.case, plan.row, plan.step.stage, now=now)
            enqueued += sent
            _audit_step(uow, plan.case, plan.row, plan.step, told, now=now)
        elif plan.targets:  # a rung may tell nobody (the digest shows it)
            plan.notices = _notices(uow, plan, now=now)
    # One statement for the batch's notices; a key two rows share (one message per subject) goes once, for the first.
    first: dict[str, dict[str, Any]] = {}
    for plan in stepped:
        for notice in plan.notices:
            first.setdefault(notice["key"], notice)
    added = uow.outbox.enqueue_all(list(first.values()), now=now)
    for plan in stepped:
        if plan.row.kind in STEPS or plan.step is None:
            continue
        for notice in plan.notices:
            if notice["key"] in added and first[notice["key"]] is notice:
                enqueued += 1
                if plan.row.kind in SENT:
                    SENT[plan.row.kind](
                        uow, plan.case, plan.row, notice["key"], notice["recipient"], notice["payload"], now
                    )
        told = [to for to, _ in plan.targets]
        if plan.row.kind in STEPPED:
            STEPPED[plan.row.kind](
                uow, plan.case, plan.row, keys=list(plan.keys.values()), to=told, stage=str(plan.step.stage), now=now
            )
        _audit_step(uow, plan.case, plan.row, plan.step, told, now=now)
    return enqueued


def _plan(uow: UnitOfWork, read: Batch, case: Case, row: Obligation, *, now: datetime) -> _Plan | None:
    """The row's step at `now` (None: the row was closed or moved here, nothing more to write)."""
    park: dict[str, object] = {"next_step_at": None}
    if row.kind not in NOTICES and row.kind not in STEPS:  # not switched to the ledger yet: park it, not claim it again
        log.warning("obligation %s of kind %s is not chased by the ledger yet: parked", row.id, row.kind)
        return _Plan(row, case, _write(row, row.stage, park))
    if case.status != CaseStatus.OPEN and not (
        case.status == CaseStatus.DEREGISTERED and row.kind in AFTER_DEREGISTRATION
    ):
        # deregistered or closed: the core group has stopped, nothing is chased (but what outlives it)
        return _Plan(row, case, _write(row, row.stage, park))
    if row.kind in SETTLED and SETTLED[row.kind](uow, row, now=now):
        return None
    if row.generation == 0:  # backfilled by the migration, which cannot read the profile: snapshot its ladder now
        snapshot = ladder_snapshot(case, row.kind, row.due_at)
        if row.last_step_at is not None:  # what the feature already sent (the migration says when): not sent again
            snapshot.update(stage=row.stage, last_step_at=row.last_step_at, reminders_sent=row.reminders_sent)
        if not uow.obligations.retime(row.id, generation=0, **snapshot):
            return None
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    ladder = ladder_for(policy.obligations, row.kind)
    reminders = rung_times(ladder, row.due_at, calendar, working_hours=policy.working_hours).remind_at
    times = RungTimes(reminders, row.overdue_at, row.breach_at)
    step = step_at(ladder, times, stage=Stage(row.stage), last_step_at=row.last_step_at, now=now, calendar=calendar)
    owner = _owner(case, row)
    if step is None:  # its time came with no rung or repeat due (a ladder edited meanwhile): wait for the next one
        later = next_after(ladder, times, stage=Stage(row.stage), last_step_at=row.last_step_at, calendar=calendar)
        values: dict[str, object] = {"next_step_at": later if later and later > now else None, "owner": owner}
        return _Plan(row, case, _write(row, row.stage, values), owner=owner)
    targets = [] if row.kind in STEPS else _recipients(read, case, owner, audience(ladder, step.stage), now=now)
    rung = f"{step.stage}.{row.reminders_sent}"
    group = GROUPS[row.kind](uow, row, str(step.stage)) if row.kind in GROUPS else None
    if group:  # one message per subject, stage, day and person: the rows that reach the rung together share it
        keys = {to: notice_key("obligations", group, step.stage, calendar.local_date(now), to) for to, _ in targets}
    else:
        keys = {
            to: notice_key(obligation_key_prefix(row.id).rstrip(":"), row.generation, rung, to) for to, _ in targets
        }
    values = {
        "next_step_at": step.next_step_at,
        "owner": owner,
        "last_step_at": now,
        "reminders_sent": row.reminders_sent + 1,
        "notice_keys": [] if row.kind in SENT else list(keys.values()),
    }
    if step.stage is Stage.BREACHED and row.breached_at is None:
        values["breached_at"] = now
    return _Plan(row, case, _write(row, str(step.stage), values), step, owner, targets, keys)


def _write(row: Obligation, stage: str, values: dict[str, object]) -> dict[str, Any]:
    """A compare-and-set of the row as claimed: its stage, generation and next step time unchanged meanwhile."""
    return {
        "stage": stage,
        "generation": row.generation,
        "expected_stage": row.stage,
        "expected_step_at": row.next_step_at,
        **values,
    }


def _notices(uow: UnitOfWork, plan: _Plan, *, now: datetime) -> list[dict[str, Any]]:
    """The step's notice to each person told (the row as stepped: its stage, last step, reminders sent)."""
    row, case, step = plan.row, plan.case, plan.step
    assert step is not None
    notice = NOTICES[row.kind](uow, case, row)
    if notice is None:
        return []
    kind, payload = notice
    return [
        {
            "key": plan.keys[to],
            "kind": kind,
            "recipient": to,
            "case_id": case.id,
            "platform": case.organisation.platform,
            "payload": {
                **payload,
                "obligation_id": row.id,
                "stage": str(step.stage),
                "repeat": step.repeat,
                "on_behalf_of": on_behalf_of,
                "owner": plan.owner,
            },
        }
        for to, on_behalf_of in plan.targets
    ]


def _audit_step(uow: UnitOfWork, case: Case, row: Obligation, step: Step, told: list[str], *, now: datetime) -> None:
    uow.audit.record(
        action="obligation.stepped",
        at=now,
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        obligation_id=row.id,
        kind=row.kind,
        stage=str(step.stage),
        repeat=step.repeat,
        skipped=step.skipped,
        to=told,
    )


def _owner(case: Case, row: Obligation) -> str | None:
    """Who owes it now: the role's current holder (the chair may have changed), else the person it was opened for."""
    if row.owner_role == Role.CHAIR:
        return case.chair or row.owner
    if row.owner_role == "coordinator":
        return case.organisation.coordinator
    return row.owner


def _recipients(
    read: Batch, case: Case, owner: str | None, who: tuple[Audience, ...], *, now: datetime
) -> list[tuple[str, str | None]]:
    """Each person told at this rung, routed to their active delegate today; each once."""
    people = {Audience.OWNER: owner, Audience.CHAIR: case.chair, Audience.COORDINATOR: case.organisation.coordinator}
    routed: dict[str, str | None] = {}
    for audience_ in who:
        person = people.get(audience_)
        if person:
            to, on_behalf_of = read.route(case, person, now=now)
            routed.setdefault(to, on_behalf_of)
    return list(routed.items())
