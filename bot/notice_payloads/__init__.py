"""Typed notice payloads: one frozen dataclass per NoticeKind, written to and read from the outbox row's JSON.

Services enqueue a payload (`uow.outbox.enqueue(kind=..., payload=MeetingScheduled(...))`); each platform's
renderers (`bot.notice_payloads.renderers.Renderers`) get it back, read from the row, whichever version wrote it.
"""

from __future__ import annotations

from bot.notice_payloads import coordinator, deregistration, meetings, receipts, requests, reviews
from bot.notice_payloads.base import NoticePayload, PayloadError
from bot.notices import NoticeKind

K = NoticeKind

#: The payload of every notice kind (a test checks none is missing).
PAYLOADS: dict[str, type[NoticePayload]] = {
    K.DELIVERY_FAILED: coordinator.DeliveryFailed,
    K.MEETING_SCHEDULED: meetings.MeetingScheduled,
    K.MEETING_RESCHEDULED: meetings.MeetingRescheduled,
    K.MEETING_CANCELLED: meetings.MeetingCancelled,
    K.MEETING_REMINDER: meetings.MeetingReminder,
    K.FIRST_MEETING_TO_SCHEDULE: meetings.FirstMeetingToSchedule,
    K.MEETING_NOT_SCHEDULED: meetings.MeetingNotScheduled,
    K.MEETING_HELD_LATE: meetings.MeetingHeldLate,
    K.MEETING_BREACH: meetings.MeetingBreach,
    K.MEETING_RECORDED: meetings.MeetingRecorded,
    K.PLAN_AMENDMENT_REFERRED: reviews.PlanAmendmentReferred,
    K.MEETING_TO_RECORD: meetings.MeetingToRecord,
    K.ACTION_DUE: meetings.ActionDue,
    K.REQUEST_DECISION: requests.RequestDecision,
    K.REQUEST_APPROVED: requests.RequestApproved,
    K.REQUEST_REFUSED: requests.RequestRefused,
    K.REQUEST_COORDINATOR_REVIEW: requests.RequestCoordinatorReview,
    K.REQUEST_OUTCOME: requests.RequestOutcome,
    K.DELEGATE_APPOINTED: coordinator.DelegateAppointed,
    K.MEMBER_ADDED: coordinator.MemberAdded,
    K.PLAN_TO_SEND: receipts.PlanToSend,
    K.PLAN_COPY: receipts.PlanCopy,
    K.PLAN_OVERDUE: receipts.PlanOverdue,
    K.CP9_TO_SEND: receipts.Cp9ToSend,
    K.CP9_DUE: receipts.Cp9Due,
    K.CASE_DEREGISTERED: deregistration.CaseDeregistered,
    K.POST_DEREG_TO_CONVENE: deregistration.PostDeregToConvene,
    K.POST_DEREG_REMINDER: deregistration.PostDeregReminder,
    K.POST_DEREG_SCHEDULED: deregistration.PostDeregScheduled,
    K.ASSESSMENT_NEEDED: deregistration.AssessmentNeeded,
    K.POST_DEREG_ESCALATED: deregistration.PostDeregEscalated,
    K.CASE_CLOSED: deregistration.CaseClosed,
    K.CASE_REOPENED: deregistration.CaseReopened,
    K.COORDINATOR_DIGEST: coordinator.CoordinatorDigest,
    K.LETTER_DETAILS_NEEDED: coordinator.LetterDetailsNeeded,
    K.LETTER_TO_WRITE: coordinator.LetterToWrite,
    K.LETTER_DRAFT: coordinator.LetterDraft,
    K.REVIEW_CONFERENCE_SET: reviews.ReviewConferenceSet,
    K.REVIEW_REPORT_DUE: reviews.ReviewReportDue,
    K.REVIEW_OUTCOME_DUE: reviews.ReviewOutcomeDue,
    K.REFERRAL_ANSWERED: reviews.ReferralAnswered,
}


def payload_type(kind: str) -> type[NoticePayload]:
    """The payload class of `kind`; LookupError for a kind this version does not know."""
    try:
        return PAYLOADS[str(kind)]
    except KeyError:
        raise LookupError(f"no payload type for notice kind {kind!r}") from None


__all__ = ["PAYLOADS", "NoticePayload", "PayloadError", "payload_type"]
