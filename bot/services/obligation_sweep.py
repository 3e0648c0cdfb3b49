"""The ledger sweep: one shape for every obligation's ladder.

Each batch claims the open rows whose `next_step_at` has come (an indexed column; `FOR UPDATE SKIP LOCKED` on
PostgreSQL), works out the step with the pure rules in `bot/obligations.py` (several rungs at once: the highest,
told once), takes it with a compare-and-set on stage, generation and next step time, and enqueues the notices
with idempotency keys (obligation + generation + rung + recipient) in the same small transaction. Run twice, or
in two processes at once, it sends nothing twice. The audit names the system `bot.requests.SYSTEM_ACTOR`.

Only kinds with a notice or a step here are chased by the ledger (the record of a meeting, requests' decisions); the
others are backfilled parked (`next_step_at` NULL) and still chased by their feature's sweeper until they are switched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

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
from bot.services.meeting_plan import route_to
from bot.services.obligations import (
    discharge_obligation,
    ladder_snapshot,
    obligation_key_prefix,
    waive_obligation,
)
from bot.services.post_dereg_window import post_dereg_chased, post_dereg_notice
from bot.services.review_conference import REVIEW_NOTICES
from store.models import Case, CaseStatus, Meeting, MeetingDue, MeetingStatus, Obligation, Role
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


#: Subjects read for the whole batch before its steps (those the steps look up by id through the session).
PREFETCH: dict[str, type] = {"meeting_due": MeetingDue, "meeting": Meeting}


def sweep_obligations(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Take every obligation step that has come by `now`; notices enqueued."""
    return in_batches(uow_factory, lambda uow: _step_batch(uow, now=now, batch=batch), batch)


def _step_batch(uow: UnitOfWork, *, now: datetime, batch: int) -> tuple[int, int]:
    rows = uow.obligations.claim_due(now=now, limit=batch)
    cases = uow.cases.get_many(r.case_id for r in rows)
    # The batch's subjects read in one query per table, so each row's step finds its own in the session (no query).
    for subject_type, model in PREFETCH.items():
        uow.obligations.subjects(model, (r.subject_id for r in rows if r.subject_type == subject_type))
    enqueued = 0
    for row in rows:
        enqueued += _step(uow, cases[row.case_id], row, now=now)
    return len(rows), enqueued


def _step(uow: UnitOfWork, case: Case, row: Obligation, *, now: datetime) -> int:
    if row.kind not in NOTICES and row.kind not in STEPS:  # not switched to the ledger yet: park it, not claim it again
        log.warning("obligation %s of kind %s is not chased by the ledger yet: parked", row.id, row.kind)
        uow.obligations.advance(
            row.id,
            stage=row.stage,
            generation=row.generation,
            expected_stage=row.stage,
            expected_step_at=row.next_step_at,
            next_step_at=None,
        )
        return 0
    if case.status != CaseStatus.OPEN and not (
        case.status == CaseStatus.DEREGISTERED and row.kind in AFTER_DEREGISTRATION
    ):
        # deregistered or closed: the core group has stopped, nothing is chased (but what outlives it)
        uow.obligations.advance(
            row.id,
            stage=row.stage,
            generation=row.generation,
            expected_stage=row.stage,
            expected_step_at=row.next_step_at,
            next_step_at=None,
        )
        return 0
    if row.kind in SETTLED and SETTLED[row.kind](uow, row, now=now):
        return 0
    if row.generation == 0:  # backfilled by the migration, which cannot read the profile: snapshot its ladder now
        snapshot = ladder_snapshot(case, row.kind, row.due_at)
        if row.last_step_at is not None:  # what the feature already sent (the migration says when): not sent again
            snapshot.update(stage=row.stage, last_step_at=row.last_step_at, reminders_sent=row.reminders_sent)
        if not uow.obligations.retime(row.id, generation=0, **snapshot):
            return 0
    calendar, policy = calendar_for(case.organisation), policy_for(case.organisation)
    ladder = ladder_for(policy.obligations, row.kind)
    reminders = rung_times(ladder, row.due_at, calendar, working_hours=policy.working_hours).remind_at
    times = RungTimes(reminders, row.overdue_at, row.breach_at)
    step = step_at(ladder, times, stage=Stage(row.stage), last_step_at=row.last_step_at, now=now, calendar=calendar)
    owner = _owner(case, row)
    own_step = row.kind in STEPS
    targets = _recipients(uow, case, owner, audience(ladder, step.stage), now=now) if step and not own_step else []
    rung = f"{step.stage}.{row.reminders_sent}" if step else ""
    group = GROUPS[row.kind](uow, row, str(step.stage)) if step and row.kind in GROUPS else None
    if group and step:  # one message per subject, stage, day and person: the rows that reach the rung together share it
        keys = {to: notice_key("obligations", group, step.stage, calendar.local_date(now), to) for to, _ in targets}
    else:
        keys = {
            to: notice_key(obligation_key_prefix(row.id).rstrip(":"), row.generation, rung, to) for to, _ in targets
        }
    if step is None:  # its time came with no rung or repeat due (a ladder edited meanwhile): wait for the next one
        later = next_after(ladder, times, stage=Stage(row.stage), last_step_at=row.last_step_at, calendar=calendar)
        values: dict[str, object] = {"next_step_at": later if later and later > now else None, "owner": owner}
    else:
        values = {
            "next_step_at": step.next_step_at,
            "owner": owner,
            "last_step_at": now,
            "reminders_sent": row.reminders_sent + 1,
            "notice_keys": [] if row.kind in SENT else list(keys.values()),
        }
        if step.stage is Stage.BREACHED and row.breached_at is None:
            values["breached_at"] = now
    if not uow.obligations.advance(
        row.id,
        stage=str(step.stage if step else row.stage),
        generation=row.generation,
        expected_stage=row.stage,
        expected_step_at=row.next_step_at,
        **values,
    ):
        return 0  # another sweep took this step
    if step is None:
        return 0
    if own_step:
        enqueued, told = STEPS[row.kind](uow, case, row, step.stage, now=now)
        _audit_step(uow, case, row, step, told, now=now)
        return enqueued
    uow.obligations.reload(row)  # the notice sees the row as stepped (its stage, last step, reminders sent)
    notice = NOTICES[row.kind](uow, case, row) if targets else None  # a rung may tell nobody (the digest shows it)
    enqueued = 0
    for to, on_behalf_of in targets:
        if notice is None:
            break
        kind, payload = notice
        payload = {
            **payload,
            "obligation_id": row.id,
            "stage": str(step.stage),
            "repeat": step.repeat,
            "on_behalf_of": on_behalf_of,
            "owner": owner,
        }
        if uow.outbox.enqueue(key=keys[to], kind=kind, recipient=to, now=now, case_id=case.id, payload=payload):
            enqueued += 1
            if row.kind in SENT:
                SENT[row.kind](uow, case, row, keys[to], to, payload, now)
    if row.kind in STEPPED:
        STEPPED[row.kind](
            uow, case, row, keys=list(keys.values()), to=[to for to, _ in targets], stage=str(step.stage), now=now
        )
    _audit_step(uow, case, row, step, [to for to, _ in targets], now=now)
    return enqueued


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
    uow: UnitOfWork, case: Case, owner: str | None, who: tuple[Audience, ...], *, now: datetime
) -> list[tuple[str, str | None]]:
    """Each person told at this rung, routed to their active delegate today; each once."""
    people = {Audience.OWNER: owner, Audience.CHAIR: case.chair, Audience.COORDINATOR: case.organisation.coordinator}
    routed: dict[str, str | None] = {}
    for audience_ in who:
        person = people.get(audience_)
        if person:
            to, on_behalf_of = route_to(uow, case, person, now=now)
            routed.setdefault(to, on_behalf_of)
    return list(routed.items())
