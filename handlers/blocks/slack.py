"""The Slack renderers: every notice kind's Block Kit, in the registry the wiring hands to `SlackNoticeSender`.

Typed renderers take the kind's payload (bot/notice_payloads); the builders not yet moved to it are added
with `add_raw` and get the row's JSON, read as the payload first all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.notice_payloads.renderers import Renderers
from bot.notices import NoticeKind as K
from handlers.blocks import deregistration, letters, meeting_notices, receipts, requests, reviews
from handlers.blocks.actions import build_action_due_message
from handlers.blocks.delivery import render_delivery_failed
from handlers.blocks.digest import build_digest_message
from handlers.blocks.members import render_member_added
from handlers.blocks.obligations import build_meeting_to_record_message
from handlers.render import Rendered

Builder = Callable[[dict[str, Any]], tuple[str, list[dict[str, Any]]]]


def _message(build: Builder) -> Callable[[dict[str, Any]], Rendered]:
    return lambda payload: Rendered(*build(payload))


def _plan_overdue(payload: dict[str, Any]) -> Rendered:
    return Rendered(*receipts.build_plan_to_send_message({**payload, "occasion": "overdue"}))


def _letter_draft(payload: dict[str, Any]) -> Rendered:
    comment, document = letters.letter_draft_file(payload)
    return Rendered(text=comment, file=document)


def slack_renderers() -> Renderers[Rendered]:
    """Every notice kind's Slack renderer (a test checks none is missing)."""
    slack: Renderers[Rendered] = Renderers("slack")
    m = meeting_notices
    for kind, typed in (
        (K.MEETING_SCHEDULED, m.render_meeting_scheduled),
        (K.MEETING_RESCHEDULED, m.render_meeting_rescheduled),
        (K.MEETING_CANCELLED, m.render_meeting_cancelled),
        (K.MEETING_REMINDER, m.render_meeting_reminder),
        (K.FIRST_MEETING_TO_SCHEDULE, m.render_first_meeting_to_schedule),
        (K.MEETING_NOT_SCHEDULED, m.render_meeting_not_scheduled),
        (K.MEETING_BREACH, m.render_meeting_breach),
        (K.MEETING_RECORDED, m.render_meeting_recorded),
        (K.MEETING_HELD_LATE, m.render_meeting_held_late),
        (K.MEMBER_ADDED, render_member_added),
        (K.DELIVERY_FAILED, render_delivery_failed),
    ):
        slack.add(kind, typed)
    for kind, build in (
        (K.MEETING_TO_RECORD, build_meeting_to_record_message),
        (K.ACTION_DUE, build_action_due_message),
        (K.REQUEST_DECISION, requests.build_decision_message),
        (K.REQUEST_APPROVED, requests.build_approved_message),
        (K.REQUEST_REFUSED, requests.build_refused_message),
        (K.REQUEST_COORDINATOR_REVIEW, requests.build_review_message),
        (K.REQUEST_OUTCOME, requests.build_outcome_message),
        (K.DELEGATE_APPOINTED, requests.build_delegate_message),
        (K.PLAN_TO_SEND, receipts.build_plan_to_send_message),
        (K.PLAN_COPY, receipts.build_plan_copy_message),
        (K.CP9_TO_SEND, receipts.build_cp9_to_send_message),
        (K.CP9_DUE, receipts.build_cp9_due_message),
        (K.CASE_DEREGISTERED, deregistration.build_deregistered_message),
        (K.POST_DEREG_TO_CONVENE, deregistration.build_organiser_message),
        (K.POST_DEREG_REMINDER, deregistration.build_organiser_message),
        (K.POST_DEREG_SCHEDULED, deregistration.build_scheduled_message),
        (K.ASSESSMENT_NEEDED, deregistration.build_assessment_message),
        (K.POST_DEREG_ESCALATED, deregistration.build_escalated_message),
        (K.CASE_CLOSED, deregistration.build_closed_message),
        (K.CASE_REOPENED, deregistration.build_reopened_message),
        (K.COORDINATOR_DIGEST, build_digest_message),
        (K.LETTER_DETAILS_NEEDED, letters.build_details_needed_message),
        (K.LETTER_TO_WRITE, letters.build_letter_task_message),
        (K.REVIEW_CONFERENCE_SET, reviews.build_conference_set_message),
        (K.REVIEW_REPORT_DUE, reviews.build_report_due_message),
        (K.REVIEW_OUTCOME_DUE, reviews.build_outcome_due_message),
        (K.PLAN_AMENDMENT_REFERRED, reviews.build_referral_message),
        (K.REFERRAL_ANSWERED, reviews.build_referral_answered_message),
    ):
        slack.add_raw(kind, _message(build))
    slack.add_raw(K.PLAN_OVERDUE, _plan_overdue)
    slack.add_raw(K.LETTER_DRAFT, _letter_draft)
    return slack
