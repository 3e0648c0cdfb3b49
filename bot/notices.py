"""What the bot tells people: notice kinds written to the outbox, rendered by each chat surface."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """The kinds of outbox notice; each surface has a renderer for every kind it can show."""

    DELIVERY_FAILED = "delivery_failed"
    MEETING_SCHEDULED = "meeting_scheduled"
    # Meetings: schedule, reminders, records (bot/services/meetings.py, meeting_records.py, meeting_sweep.py).
    MEETING_RESCHEDULED = "meeting_rescheduled"  # to the case channel: from, to, why
    MEETING_CANCELLED = "meeting_cancelled"  # to the case channel: why
    MEETING_REMINDER = "meeting_reminder"  # to the case channel and each member with Slack
    FIRST_MEETING_TO_SCHEDULE = "first_meeting_to_schedule"  # to the chair: the case record has no first meeting
    MEETING_NOT_SCHEDULED = "meeting_not_scheduled"  # to the chair: due today and nothing scheduled by then
    MEETING_HELD_LATE = "meeting_held_late"  # to the chair: recorded meeting was after its due date
    MEETING_BREACH = "meeting_breach"  # to the coordinator: the profile's limit since the last meeting passed (Wales)
    MEETING_RECORDED = "meeting_recorded"  # to the case channel: who attended, actions, next due date
    PLAN_AMENDMENT_REFERRED = "plan_amendment_referred"  # to the coordinator, for the review conference
    MEETING_TO_RECORD = "meeting_to_record"  # to the chair (ledger): Record the meeting / It did not take place
    ACTION_DUE = "action_due"  # to the action's owner (or the chair, for someone without Slack)
    # Requests for an additional meeting (bot/services/requests.py).
    REQUEST_DECISION = "request_decision"  # to the decider: Approve / Refuse; updated once decided
    REQUEST_APPROVED = "request_approved"  # to the requester
    REQUEST_REFUSED = "request_refused"  # to the requester: the reason, the coordinator, Ask the coordinator
    REQUEST_COORDINATOR_REVIEW = "request_coordinator_review"  # to the coordinator: Convene / Uphold
    REQUEST_OUTCOME = "request_outcome"  # the coordinator's outcome, to the requester and the team leader
    DELEGATE_APPOINTED = "delegate_appointed"  # to the new delegate
    MEMBER_ADDED = "member_added"  # to the case channel: someone joined the core group, with their role
    # Plan copies and the CP9 (bot/services/receipts.py, cp9.py, receipt_chases.py); buttons updated in place.
    PLAN_TO_SEND = "plan_to_send"  # to the chair: who must have the plan by when, Plan sent (recorded / reminder)
    PLAN_COPY = "plan_copy"  # to a recipient with Slack: I have received the plan (sent / reminder / deadline)
    PLAN_OVERDUE = "plan_overdue"  # to the chair: copies still owed after the deadline
    CP9_TO_SEND = "cp9_to_send"  # to the chair: Mark CP9 sent (recorded / reminder / deadline / overdue)
    CP9_DUE = "cp9_due"  # to the coordinator: the CP9 is due by when, Mark CP9 received
    # Deregistration, closure and re-opening (bot/services/deregistration.py; reminders: post_dereg_window.py).
    CASE_DEREGISTERED = "case_deregistered"  # to the case channel: core group stops; the meeting's window
    POST_DEREG_TO_CONVENE = (
        "post_dereg_to_convene"  # to the convener and the meeting's chair: Set the date / Record the outcome
    )
    POST_DEREG_REMINDER = "post_dereg_reminder"  # to them: the window opens / a week left / its last day
    POST_DEREG_SCHEDULED = "post_dereg_scheduled"  # to the case channel: the meeting's date
    ASSESSMENT_NEEDED = "assessment_needed"  # to the chair and the team leader: risk escalated, social work assesses
    POST_DEREG_ESCALATED = "post_dereg_escalated"  # to the coordinator: risk escalated after deregistration
    CASE_CLOSED = "case_closed"  # to the case channel: risks remain reduced; how the plan continues
    CASE_REOPENED = "case_reopened"  # to the case channel: registered again; the first meeting's due date
    # The coordinator: digest, institution letters (bot/services/digest.py, letters.py).
    COORDINATOR_DIGEST = "coordinator_digest"  # to the coordinator (or delegate), each working day: what needs them
    LETTER_DETAILS_NEEDED = "letter_details_needed"  # to the chair: a record flagged an institution; Give the details
    LETTER_TO_WRITE = "letter_to_write"  # to the coordinator (or delegate): the letter's task, Letter sent
    LETTER_DRAFT = "letter_draft"  # to the coordinator (or delegate): the draft letter, as a document
    # The review conference (bot/services/review_conference.py, reviews.py).
    REVIEW_CONFERENCE_SET = "review_conference_set"  # to the case channel: the date, the report's due date
    REVIEW_REPORT_DUE = "review_report_due"  # to the chair (ledger): produce the report with `/core-group report`
    REVIEW_OUTCOME_DUE = "review_outcome_due"  # to the coordinator (ledger): Record the conference's decision
    REFERRAL_ANSWERED = "referral_answered"  # to the case channel and the coordinator: how a referral was answered


def notice_key(*parts: object) -> str:
    """An idempotency key: what + whom + occurrence, e.g. notice_key("reminder", meeting_id, "2wd", user)."""
    return ":".join(str(p) for p in parts)
