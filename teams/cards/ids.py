"""The verbs, dialog ids, dialog submissions and input ids of every Teams card: one place, so listeners and the
manifest tests name them exactly as the cards do."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    """`Action.Execute` verbs (`adaptiveCard/action` invokes); each card sets `data.action` to the same value."""

    REQUEST_REFRESH = "request.refresh"  # the decider's card, refreshed per viewer
    REQUEST_REFUSE = "request.refuse"  # with the required reason
    REQUEST_ASK_COORDINATOR = "request.ask_coordinator"
    REVIEW_REFRESH = "review.refresh"  # the coordinator's card, refreshed per viewer
    REVIEW_UPHOLD = "review.uphold"  # with the required reason
    PLAN_RECEIVED = "plan.received"  # I have received the plan
    CP9_RECEIVED = "cp9.received"  # Mark CP9 received


class Dialog(StrEnum):
    """Dialogs (task modules) a card button opens: the `dialog_id` of its `task/fetch`."""

    REQUEST_NEW = "request.new"  # concern, details, urgency
    REQUEST_APPROVE = "request.approve"  # the additional meeting's date and time
    REVIEW_CONVENE = "review.convene"  # the coordinator convenes: date and time
    PLAN_SENT = "plan.sent"
    CP9_SENT = "cp9.sent"


class Submit(StrEnum):
    """What a dialog's submit button sends (`task/submit`, routed on `data.action`)."""

    REQUEST_NEW = "request.new.submit"
    REQUEST_APPROVE = "request.approve.submit"
    REVIEW_CONVENE = "review.convene.submit"
    PLAN_SENT = "plan.sent.submit"
    CP9_SENT = "cp9.sent.submit"


class Field(StrEnum):
    """Input ids: the keys of the values a submission carries."""

    CONCERN = "concern"
    DETAILS = "details"
    URGENCY = "urgency"
    DATE = "date"
    TIME = "time"
    NON_WORKING_DAY = "non_working_day"
    REASON = "reason"
    LABELS = "labels"
    HOW = "how"
    WHEN = "when"
    NOTE = "note"
