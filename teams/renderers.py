"""The Teams renderers: every notice kind a Teams organisation can produce, as a card (or text), in the registry the
wiring hands to `TeamsNoticeSender` (bot/app.py -> teams/surface.py).

A kind Teams cannot show yet is listed in `NOT_IN_TEAMS_YET`: its row fails at once with `not_in_teams_yet`, and the
dispatcher tells the organisation's admins (a DELIVERY_FAILED card), so nothing is dropped silently. A test checks
every `NoticeKind` is in exactly one of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.notice_payloads.renderers import Renderers
from bot.notices import NoticeKind as K
from teams.cards import case_notices, meetings, receipts
from teams.cards.digest import build_digest_card
from teams.render import Rendered, render_delivery_failed

CardBuilder = Callable[..., dict[str, Any]]

#: Kinds whose step is not in Teams yet (issue 15: record, schedule, institution letters, report, deregistration,
#: delegates). Their rows fail with `not_in_teams_yet` and the admins are told.
NOT_IN_TEAMS_YET: frozenset[str] = frozenset(
    {
        K.PLAN_AMENDMENT_REFERRED,
        K.FIRST_MEETING_TO_SCHEDULE,
        K.MEETING_NOT_SCHEDULED,
        K.MEETING_HELD_LATE,
        K.MEETING_BREACH,
        K.MEETING_TO_RECORD,
        K.ACTION_DUE,
        K.DELEGATE_APPOINTED,
        K.POST_DEREG_TO_CONVENE,
        K.POST_DEREG_REMINDER,
        K.POST_DEREG_SCHEDULED,
        K.ASSESSMENT_NEEDED,
        K.POST_DEREG_ESCALATED,
        K.LETTER_DETAILS_NEEDED,
        K.LETTER_TO_WRITE,
        K.LETTER_DRAFT,
        K.REVIEW_CONFERENCE_SET,
        K.REVIEW_REPORT_DUE,
        K.REVIEW_OUTCOME_DUE,
        K.REFERRAL_ANSWERED,
    }
)


def _card(build: CardBuilder) -> Callable[[dict[str, Any]], Rendered]:
    return lambda payload: build(payload=payload)


def _plan_overdue(payload: dict[str, Any]) -> Rendered:
    return receipts.build_plan_to_send_card(payload={**payload, "occasion": "overdue"})


def teams_renderers(*, teams_id_of: Callable[[str], str | None] | None = None) -> Renderers[Rendered]:
    """Every notice kind Teams shows (the rest are `NOT_IN_TEAMS_YET`); `teams_id_of` maps an Entra id to the
    person's Teams id, for the request cards' refresh (only the deciders see live buttons)."""
    from teams.features import request_renderers

    teams: Renderers[Rendered] = Renderers("teams")
    request_renderers.add_renderers(teams, teams_id_of=teams_id_of)
    for kind, build in (
        (K.MEETING_REMINDER, meetings.build_meeting_reminder_card),
        (K.MEETING_SCHEDULED, meetings.build_meeting_scheduled_card),
        (K.MEETING_RESCHEDULED, meetings.build_meeting_rescheduled_card),
        (K.MEETING_CANCELLED, meetings.build_meeting_cancelled_card),
        (K.MEETING_RECORDED, meetings.build_meeting_recorded_card),
        (K.MEMBER_ADDED, case_notices.build_member_added_card),
        (K.CASE_DEREGISTERED, case_notices.build_case_deregistered_card),
        (K.CASE_CLOSED, case_notices.build_case_closed_card),
        (K.CASE_REOPENED, case_notices.build_case_reopened_card),
        (K.PLAN_TO_SEND, receipts.build_plan_to_send_card),
        (K.PLAN_COPY, receipts.build_plan_copy_card),
        (K.CP9_TO_SEND, receipts.build_cp9_to_send_card),
        (K.CP9_DUE, receipts.build_cp9_due_card),
        (K.COORDINATOR_DIGEST, build_digest_card),
    ):
        teams.add_raw(kind, _card(build))
    teams.add_raw(K.PLAN_OVERDUE, _plan_overdue)
    teams.add_raw(K.DELIVERY_FAILED, render_delivery_failed)
    return teams
