"""Slash commands and the action, block and callback ids of every feature, in one place."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """The app's slash commands (must match manifest.yml)."""

    CORE_GROUP = "/core-group"
    REQUEST_CORE_GROUP = "/request-core-group"


class RequestIds(StrEnum):
    """Requests for an additional meeting: buttons, modal callbacks and the modals' input blocks."""

    # buttons
    APPROVE = "request.approve"
    REFUSE = "request.refuse"
    ASK_COORDINATOR = "request.ask_coordinator"
    CONVENE = "request.convene"
    UPHOLD = "request.uphold"
    # modal callbacks
    NEW_MODAL = "request.new_modal"
    APPROVE_MODAL = "request.approve_modal"
    REFUSE_MODAL = "request.refuse_modal"
    CONVENE_MODAL = "request.convene_modal"
    UPHOLD_MODAL = "request.uphold_modal"
    # input blocks (each holds one element whose action_id is the same)
    CONCERN = "request.concern"
    DETAILS = "request.details"
    URGENCY = "request.urgency"
    DATE = "request.date"
    TIME = "request.time"
    NON_WORKING_DAY = "request.non_working_day"
    REASON = "request.reason"
    BUTTONS = "request.buttons"


class MeetingIds(StrEnum):
    """Meetings: the schedule and record modals' callbacks and input blocks (each block's element has the same id)."""

    # modal callbacks
    SCHEDULE_MODAL = "meeting.schedule_modal"
    RECORD_MODAL = "meeting.record_modal"
    # schedule modal
    MEETING = "meeting.meeting"
    CHANGE = "meeting.change"
    DATE = "meeting.date"
    TIME = "meeting.time"
    MODE = "meeting.mode"
    NOTE = "meeting.note"
    REASON = "meeting.reason"
    # record modal
    RECORDED_MEETING = "meeting.recorded_meeting"
    ATTENDED = "meeting.attended"  # checkboxes of the group, 10 a block: then meeting.attended.2, .3 ...
    NOT_INVITED = "meeting.not_invited"  # the same people, ticked when taken off the invited list
    NOT_INVITED_REASON = "meeting.not_invited_reason"
    CHECKLIST = "meeting.checklist."  # + the checklist item's key
    ACTION = "meeting.action."  # + "<n>.what" | "<n>.owner" | "<n>.owner_label" | "<n>.due"
    FLAGS = "meeting.flags"


class ActionIds(StrEnum):
    """Actions the group added: their buttons (reminder DM, Home tab, `/core-group actions`) and the close modal."""

    DONE = "action.done"  # Mark done
    CLOSE = "action.close"  # Close (no longer needed): opens the modal
    CLOSE_MODAL = "action.close_modal"
    REASON = "action.reason"  # the modal's input block (its element has the same id)


class ReceiptIds(StrEnum):
    """Plan copies and the CP9: buttons, modal callbacks and the modals' input blocks."""

    # buttons
    PLAN_SENT = "receipt.plan_sent"  # the chair's: opens the plan-sent form
    CONFIRM = "receipt.confirm"  # the recipient's: I have received the plan
    CP9_SENT = "receipt.cp9_sent"  # the chair's: opens the CP9-sent form
    CP9_RECEIVED = "receipt.cp9_received"  # the coordinator's
    BUTTONS = "receipt.buttons"
    # modal callbacks
    PLAN_SENT_MODAL = "receipt.plan_sent_modal"
    CP9_SENT_MODAL = "receipt.cp9_sent_modal"
    # input blocks (each holds one element whose action_id is the same)
    LABELS = "receipt.labels"
    HOW = "receipt.how"
    WHEN = "receipt.when"
    CP9_WHEN = "receipt.cp9_when"
    CP9_NOTE = "receipt.cp9_note"


class DeregistrationIds(StrEnum):
    """Deregistration and the post-deregistration meeting: buttons, modal callbacks and input blocks."""

    # buttons (on the convener's, the meeting chair's and the assessment messages)
    SET_DATE = "deregistration.set_date"
    RECORD_OUTCOME = "deregistration.record_outcome"
    BUTTONS = "deregistration.buttons"
    # modal callbacks
    DEREGISTER_MODAL = "deregistration.deregister_modal"
    DATE_MODAL = "deregistration.date_modal"
    OUTCOME_MODAL = "deregistration.outcome_modal"
    # input blocks (each holds one element whose action_id is the same)
    CONFERENCE_ON = "deregistration.conference_on"
    CONVENER = "deregistration.convener"
    MEETING_CHAIR = "deregistration.meeting_chair"
    AGREED_BY = "deregistration.agreed_by"
    REVIEWING_OFFICER = "deregistration.reviewing_officer"
    TARGET_ON = "deregistration.target_on"
    DATE = "deregistration.date"
    TIME = "deregistration.time"
    HELD_ON = "deregistration.held_on"
    RISK = "deregistration.risk"
    PLAN = "deregistration.plan"
    LEAD_AGENCY = "deregistration.lead_agency"
    ACTIVITY = "deregistration.activity"  # Fife: the Child's Plan's activity was reviewed


class LetterIds(StrEnum):
    """Institution letters: buttons, the details modal's callback and its input blocks."""

    # buttons
    GIVE_DETAILS = "letter.give_details"  # the chair's, after a record flagged an institution
    SENT = "letter.sent"  # the coordinator's: Letter sent
    BUTTONS = "letter.buttons"
    # modal callback
    DETAILS_MODAL = "letter.details_modal"
    # input blocks (each holds one element whose action_id is the same)
    RELATIONSHIP = "letter.relationship"
    KIND = "letter.kind"
    NAME = "letter.name"
    CONTACT = "letter.contact"


class HomeIds(StrEnum):
    """The Home tab: its delegate buttons and modal (items on it reuse the features' own action ids)."""

    CHANGE_DELEGATE = "home.change_delegate"
    END_DELEGATE = "home.end_delegate"
    DELEGATE_MODAL = "home.delegate_modal"
    DELEGATE = "home.delegate"  # input block: users_select
    UNTIL = "home.until"  # input block: datepicker
    SCOPE = "home.scope"  # input block: static_select of what the delegate covers (bot.authority.Scope)
    ITEM = "home.item."  # + n: the block id of each waiting item's buttons


class ObligationIds(StrEnum):
    """The ledger's chases: buttons on the chair's DM, the not-held modal's callback and its input block."""

    # buttons
    RECORD_MEETING = "obligation.record_meeting"  # opens the record form on the meeting
    NOT_HELD = "obligation.not_held"  # opens the reason form
    BUTTONS = "obligation.buttons"
    # modal callback
    NOT_HELD_MODAL = "obligation.not_held_modal"
    # input block (its element has the same id)
    REASON = "obligation.reason"


class ReviewIds(StrEnum):
    """The review conference and significant-amendment referrals: buttons, modal callbacks and input blocks."""

    # buttons
    RECORD_OUTCOME = "review.record_outcome"  # the coordinator's: what the conference decided
    BROUGHT_FORWARD = "review.brought_forward"  # the referral's recipient: Review conference brought forward to …
    CONSIDERED = "review.considered"  # the referral's recipient: Considered: no early review
    # modal callbacks
    OUTCOME_MODAL = "review.outcome_modal"
    BROUGHT_FORWARD_MODAL = "review.brought_forward_modal"
    CONSIDERED_MODAL = "review.considered_modal"
    # input blocks (each holds one element whose action_id is the same)
    DECISION = "review.decision"
    NEXT_ON = "review.next_on"
    DATE = "review.date"
    REASON = "review.reason"
