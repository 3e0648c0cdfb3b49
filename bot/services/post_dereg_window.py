"""The post-deregistration meeting's window in the ledger: what its notices carry, the `post_dereg_meeting`
obligations (one per organiser: the convener and, when someone else, the meeting's chair) opened at deregistration
and chased by the ledger sweep (the window opens, a week left, its last day; missed at midnight after it, for the
digest), and the `post_dereg_outcome` owed again after an escalation. An outcome discharges them; a case re-opened
waives them. Each works in the caller's unit of work; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.deregistration import Window, window_steps
from bot.notices import NoticeKind
from bot.obligations import ObligationKind, Stage, ladder_for, next_after, rung_times
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from bot.services.obligations import discharge_obligation, open_obligation, waive_obligation
from store.db import required
from store.models import Case, Deregistration, Obligation
from store.uow import UnitOfWork

SUBJECT = "deregistration"
KINDS = (ObligationKind.POST_DEREG_MEETING, ObligationKind.POST_DEREG_OUTCOME)


def window_of(row: Deregistration) -> Window:
    """The window a deregistration was saved with."""
    opens = required(row.window_opens_on, Deregistration, f"{row.id} window_opens_on")
    closes = required(row.window_closes_on, Deregistration, f"{row.id} window_closes_on")
    return Window(
        row.review_conference_on,
        opens,
        closes,
        (opens - row.review_conference_on).days // 7,
        (closes - row.review_conference_on).days // 7,
    )


def post_dereg_payload(case: Case, row: Deregistration) -> dict[str, Any]:
    """What a notice about the post-deregistration meeting carries: dates, roles, Slack ids; no personal data (no
    window when the procedure has no such meeting and the case closed at the conference)."""
    payload = {
        "reference": case.reference,
        "channel": case.channel,
        "timezone": case.organisation.timezone,
        "deregistration_id": row.id,
        "conference_on": row.review_conference_on.isoformat(),
    }
    if row.window_opens_on is None:
        return payload
    window = window_of(row)
    return {
        **payload,
        "opens_on": window.opens_on.isoformat(),
        "closes_on": window.closes_on.isoformat(),
        "start_weeks": window.start_weeks,
        "end_weeks": window.end_weeks,
        "target_on": row.target_on.isoformat() if row.target_on else None,
        "convener": row.convener,
        "meeting_chair": row.meeting_chair,
        "agreed_by": row.agreed_by,
        "reviewing_officer": row.reviewing_officer,
        "meeting_at": row.meeting_at.isoformat() if row.meeting_at else None,
    }


def _organisers(row: Deregistration) -> list[tuple[str, str]]:
    """(recipient label, person): the convener, and the meeting's chair when someone else."""
    found: list[tuple[str, str]] = []
    if row.convener:
        found.append(("convener", row.convener))
    if row.meeting_chair and row.meeting_chair != row.convener:
        found.append(("meeting_chair", row.meeting_chair))
    return found


def owe_post_dereg_meeting(uow: UnitOfWork, case: Case, row: Deregistration, *, now: datetime) -> None:
    """Each organiser owes the meeting by the end of the window's last day. They have just been asked to convene
    it, so reminders already past are not sent late; a window already over is still missed at the next sweep."""
    calendar = calendar_for(case.organisation)
    ladder = ladder_for(policy_for(case.organisation).obligations, ObligationKind.POST_DEREG_MEETING)
    due_at = calendar.end_of_day(window_of(row).closes_on)
    times = rung_times(ladder, due_at, calendar)
    asked = min(now, times.overdue_at - timedelta(microseconds=1))
    for recipient, person in _organisers(row):
        opened = open_obligation(
            uow=uow,
            case=case,
            kind=ObligationKind.POST_DEREG_MEETING,
            subject_type=SUBJECT,
            subject_id=row.id,
            recipient=recipient,
            owner_role=recipient,
            owner=person,
            due_at=due_at,
            now=now,
        )
        owed = uow.obligations.get(opened) if opened else None
        if owed is not None and any(t <= asked for t in times.remind_at):
            uow.obligations.advance(
                owed.id,
                stage=Stage.REMINDED,
                generation=owed.generation,
                expected_stage=owed.stage,
                expected_step_at=owed.next_step_at,
                last_step_at=asked,
                next_step_at=next_after(ladder, times, stage=Stage.REMINDED, last_step_at=asked, calendar=calendar),
            )


def owe_post_dereg_outcome(uow: UnitOfWork, case: Case, row: Deregistration, *, now: datetime) -> None:
    """Risk escalated: the outcome is owed again by the convener once social work has assessed (not chased)."""
    open_obligation(
        uow=uow,
        case=case,
        kind=ObligationKind.POST_DEREG_OUTCOME,
        subject_type=SUBJECT,
        subject_id=row.id,
        owner_role="convener",
        owner=row.convener,
        due_at=now,
        now=now,
    )


def settle_post_dereg(
    uow: UnitOfWork,
    row: Deregistration,
    *,
    closed: dict[str, Any],
    now: datetime,
    by: str = SYSTEM_ACTOR,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> None:
    """Discharge (or, with `reason`, waive) what is owed about this deregistration; its chases say `closed` in
    place, under the keys `close_messages` then uses for the other messages (so each is updated once)."""
    outcome, closing = f"closed{row.outcome_count}", {"closed": closed}
    for owed in uow.obligations.open_for_subject(SUBJECT, row.id):
        if owed.kind not in KINDS:
            continue
        if reason is None:
            discharge_obligation(
                uow=uow, row=owed, by=by, now=now, on_behalf_of=on_behalf_of, outcome=outcome, closing=closing
            )
        else:
            waive_obligation(
                uow=uow,
                row=owed,
                by=by,
                reason=reason,
                now=now,
                on_behalf_of=on_behalf_of,
                outcome=outcome,
                closing=closing,
            )


# --- the ledger sweep's entries ----------------------------------------------------------------


def post_dereg_notice(uow: UnitOfWork, case: Case, row: Obligation) -> tuple[NoticeKind, dict] | None:
    """The window's reminder to one organiser, with its buttons, named by the window's moment it stands for."""
    dereg = uow.deregistrations.get(row.subject_id)
    if dereg is None:
        return None
    stepped = uow.obligations.last_stepped_at(row.id)
    reminders = [
        s
        for s in window_steps(window_of(dereg), calendar=calendar_for(case.organisation))[:-1]
        if stepped is not None and s.at <= stepped
    ]
    both = dereg.convener == dereg.meeting_chair
    return NoticeKind.POST_DEREG_REMINDER, {
        **post_dereg_payload(case, dereg),
        "role": "both" if both else row.recipient.replace("meeting_", ""),
        "step": str(reminders[-1].step) if reminders else None,
    }


def post_dereg_chased(
    uow: UnitOfWork, case: Case, row: Obligation, *, keys: list[str], to: list[str], stage: str, now: datetime
) -> None:
    """A reminder went (its messages carry the buttons: updated in place once decided), or the window was missed."""
    dereg = uow.deregistrations.get(row.subject_id)
    if dereg is None:
        return
    if stage == Stage.OVERDUE:
        if row.recipient == "convener":  # one window, one audit event (the meeting's chair has its own row)
            uow.audit.record(
                action="deregistration.window_missed",
                at=now,
                case_id=case.id,
                actor=SYSTEM_ACTOR,
                deregistration_id=dereg.id,
                closes_on=window_of(dereg).closes_on.isoformat(),
            )
        return
    uow.deregistrations.remember_messages(dereg, [*(dereg.message_keys or []), *keys])
    step = post_dereg_notice(uow, case, row)
    uow.audit.record(
        action="deregistration.reminded",
        at=now,
        case_id=case.id,
        actor=SYSTEM_ACTOR,
        deregistration_id=dereg.id,
        step=step[1]["step"] if step else None,
        to=to,
    )
