"""What people type: kept on its record, never in the log or the audit; refused with a control character in it;
and shown where it cannot pass for the bot's own words."""

from __future__ import annotations

import json
import logging

import pytest

from tests.slack import deregistration_steps as dereg
from tests.slack.meeting_steps import CHAIR, modal_errors, open_modal, record, save, schedule
from tests.slack.meeting_steps import submit as submit_modal
from tests.slack.receipt_steps import case_meeting_at, press_and_open, record_meeting, submit_form
from tests.slack.request_steps import (
    click,
    click_and_open,
    dms,
    ephemeral_answer,
    local,
    make_request,
    open_request_form,
    refuse,
    submit,
    text_of,
)

WORDS = "Quokka Marmalade"  # typed into every free-text field below; found nowhere else
ASKED = local(2027, 8, 3, 9, 30)
SPOOF = "ok\n*Decision:* APPROVED by the coordinator"


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))  # the first meeting's announcement, out of the way
    return bot


def the_request(bot):
    with bot.services.uow_factory() as uow:
        (request,) = uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        return request


def refused_request(bot, reason: str = "No need") -> dict:
    """A request refused by the team leader; the refusal as the requester sees it."""
    make_request(bot, at=ASKED)
    (decision,) = dms(bot, "U0TL")
    refuse(bot, user="U0TL", message=decision, reason=reason, when=local(2027, 8, 3, 11, 15))
    bot.dispatch()
    return [m for m in dms(bot, "U0HV") if "was refused" in m["text"]][-1]


def the_first_meeting(bot):
    with bot.services.uow_factory() as uow:
        (meeting,) = uow.meetings.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        return meeting, uow.meetings.moves(meeting.id)


# --- every free-text path: (what it does, what its record then holds) ---------------------------


def request_details(bot) -> str:
    bot.import_organisation()
    make_request(bot, at=ASKED, details=f"New concerns: {WORDS}")
    return the_request(bot).details


def refusal_reason(bot) -> str:
    bot.import_organisation()
    refused_request(bot, reason=f"Covered at the review, {WORDS}")
    return the_request(bot).decision_reason


def uphold_reason(bot) -> str:
    bot.import_organisation()
    refusal = refused_request(bot)
    response = click(bot, user="U0HV", message=refusal, label="Ask the coordinator", at=local(2027, 8, 3, 12, 0))
    ephemeral_answer(bot, response)
    bot.dispatch()
    (review,) = dms(bot, "U0COORD")
    view = click_and_open(bot, user="U0COORD", message=review, label="Uphold the refusal", at=local(2027, 8, 3, 15, 0))
    submit(bot, user="U0COORD", view=view, answers={"request.reason": f"Review on Monday, {WORDS}"})
    bot.dispatch()
    return the_request(bot).outcome_reason


def move_reason_and_note(bot) -> str:
    bot.import_organisation()
    schedule(
        bot,
        {
            "meeting.date": "2027-05-25",
            "meeting.time": "14:30",
            "meeting.reason": f"Court, {WORDS}",
            "meeting.note": f"Room 2, {WORDS}",
        },
        at=local(2027, 5, 17, 10, 0),
    )
    bot.dispatch()
    meeting, (move,) = the_first_meeting(bot)
    return f"{move.reason} / {meeting.note}"


def cancel_reason(bot) -> str:
    bot.import_organisation()
    schedule(bot, {"meeting.change": "cancel", "meeting.reason": f"Moved away, {WORDS}"}, at=local(2027, 5, 17, 10, 0))
    bot.dispatch()
    meeting, _ = the_first_meeting(bot)
    return meeting.cancel_reason


def record_checklist_and_action(bot) -> str:
    bot.import_organisation()
    record(
        bot,
        {
            "meeting.checklist.supports": f"Family support, {WORDS}",
            "meeting.action.1.what": f"Refer {WORDS}",
            "meeting.action.1.owner": "U0HV",
            "meeting.action.1.due": "2027-06-04",
        },
        at=local(2027, 5, 24, 11, 30),
    )
    bot.dispatch()
    with bot.services.uow_factory() as uow:
        (saved,) = uow.meeting_records.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        return f"{saved.supports} / {saved.actions[0].description}"


def cp9_note(bot) -> str:
    case_meeting_at(bot, local(2027, 7, 30, 10, 0))
    record_meeting(bot, at=local(2027, 7, 30, 12, 0))
    (chair,) = [m for m in bot.fake.messages(CHAIR) if "CP9 for CP-2027-0142" in m.get("text", "")]
    bot.at(local(2027, 8, 3, 14, 0))
    view = press_and_open(bot, CHAIR, chair, "Mark CP9 sent")
    errors, _ = submit_form(bot, view, {"receipt.cp9_when": "2027-08-03", "receipt.cp9_note": f"Secure email {WORDS}"})
    assert not errors
    with bot.services.uow_factory() as uow:
        return uow.cp9s.latest_for_case(uow.cases.get_by_reference("CP-2027-0142").id).sent_note


def lead_agency(bot) -> str:
    bot.import_organisation(dereg.FIFE)  # the post-deregistration meeting's outcome: Fife's procedure
    bot.sweep(local(2027, 5, 17, 10, 0))
    dereg.deregister(bot)
    dereg.record_outcome(
        bot,
        {
            "deregistration.held_on": "2027-08-10",
            "deregistration.risk": "no",
            "deregistration.activity": ["yes"],
            "deregistration.plan": "multi_agency",
            "deregistration.lead_agency": WORDS,
        },
        at=local(2027, 8, 10, 16, 0),
    )
    return dereg.deregistration_row(bot).lead_agency


def letter_details(bot) -> str:
    case_meeting_at(bot, local(2027, 7, 30, 10, 0))
    record_meeting(bot, at=local(2027, 7, 30, 12, 0), answers={"meeting.flags": ["institution"]})
    (asked,) = [m for m in bot.fake.messages(CHAIR) if "the coordinator needs the details" in m.get("text", "")]
    view = press_and_open(bot, CHAIR, asked, "Give the details")
    errors, _ = submit_form(
        bot,
        view,
        {
            "letter.relationship": f"Uncle {WORDS}",
            "letter.kind": "prison",
            "letter.name": f"HMP {WORDS}",
            "letter.contact": "U0HV",
        },
    )
    assert not errors
    bot.sweep(local(2027, 8, 4, 9, 0))  # the coordinator's reminder and digest name the letter too
    with bot.services.uow_factory() as uow:
        (letter,) = uow.letters.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        return f"{letter.relationship} / {letter.institution_name}"


def action_close_reason(bot) -> str:
    from tests.slack.test_actions import COURSE, close_with, record_actions

    record_actions(bot)
    bot.at(local(2027, 6, 2, 14, 0))
    errors, _ = close_with(bot, f"Replaced by home visits, {WORDS}")
    assert not errors
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        (closed,) = [a for a in uow.meeting_records.actions_for_case(case.id) if a.description == COURSE]
        return closed.closed_reason


FREE_TEXT_PATHS = [
    request_details,
    refusal_reason,
    uphold_reason,
    move_reason_and_note,
    cancel_reason,
    record_checklist_and_action,
    action_close_reason,
    cp9_note,
    lead_agency,
    letter_details,
]


def audit_text(bot) -> str:
    with bot.services.uow_factory() as uow:
        return json.dumps([(e.action, e.actor, e.on_behalf_of, e.detail) for e in uow.audit.list()])


def log_as_the_bot_does_with_the_sql_shown(caplog) -> None:
    caplog.set_level(logging.INFO)  # as the running bot logs (bot/logs.py)
    caplog.set_level(logging.WARNING, logger="slack_sdk")
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement, and its parameters if shown


@pytest.mark.parametrize("path", FREE_TEXT_PATHS, ids=lambda path: path.__name__)
def test_typed_words_are_kept_on_their_record_and_never_reach_the_log_or_the_audit(bot, caplog, path):
    log_as_the_bot_does_with_the_sql_shown(caplog)
    kept = path(bot)
    assert WORDS in kept
    assert "parameters hidden" in caplog.text  # the statements were logged: their parameters were not
    assert WORDS.split()[0] not in caplog.text and WORDS.split()[1] not in caplog.text
    assert WORDS.split()[0] not in audit_text(bot) and WORDS.split()[1] not in audit_text(bot)


def test_the_audit_keeps_the_length_of_each_reason(case_bot):
    refused_request(case_bot, reason="Covered at the review")
    with case_bot.services.uow_factory() as uow:
        (decided,) = [e for e in uow.audit.list() if e.action == "request.decided"]
    assert decided.detail["reason_length"] == len("Covered at the review") and "reason" not in decided.detail


def test_a_moved_meeting_keeps_each_reason_on_its_move(case_bot):
    schedule(case_bot, {"meeting.date": "2027-05-25", "meeting.time": "14:30", "meeting.reason": "Chair at court"})
    schedule(case_bot, {"meeting.date": "2027-05-26", "meeting.time": "10:00", "meeting.reason": "Room unavailable"})
    _, moves = the_first_meeting(case_bot)
    assert [(m.reason, m.moved_by) for m in moves] == [("Chair at court", CHAIR), ("Room unavailable", CHAIR)]
    with case_bot.services.uow_factory() as uow:
        audited = [e.detail for e in uow.audit.list() if e.action == "meeting.rescheduled"]
    assert [(d["move_id"], d["reason_length"]) for d in audited] == [(moves[0].id, 14), (moves[1].id, 16)]


# --- control characters are refused where they are typed ---------------------------------------


def test_a_nul_byte_in_the_request_details_is_refused_on_the_field_and_nothing_is_saved_or_logged(case_bot, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.pool")
    case_bot.at(ASKED)
    view = open_request_form(case_bot)
    response = submit(
        case_bot,
        user="U0HV",
        view=view,
        wait_for=None,
        answers={"request.concern": "new", "request.urgency": "routine", "request.details": f"{WORDS}\x00 bruising"},
    )
    assert response.status == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            "request.details": (
                "Remove the control character at position 17 (NUL, U+0000): it is invisible and cannot be saved. "
                "Retype that part of the text rather than pasting it."
            )
        },
    }
    with case_bot.services.uow_factory() as uow:
        assert uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id) == []
    case_bot.fake.assert_no_call("chat.postEphemeral")
    for word in (*WORDS.split(), "bruising"):
        assert word not in caplog.text and word not in audit_text(case_bot)
    assert "form refused: control character in 1 field(s) of request.new" in caplog.text


@pytest.mark.parametrize("character", ["\x1b", "\r", "\x7f", "\x85"], ids=["escape", "carriage-return", "delete", "c1"])
def test_other_control_characters_are_refused_too_and_line_breaks_and_tabs_are_not(case_bot, character):
    case_bot.at(ASKED)
    view = open_request_form(case_bot)
    answers = {"request.concern": "new", "request.urgency": "routine"}
    refused = submit(
        case_bot, user="U0HV", view=view, wait_for=None, answers={**answers, "request.details": f"a{character}b"}
    )
    assert "Remove the control character at position 2" in refused.json()["errors"]["request.details"]
    submit(case_bot, user="U0HV", view=view, answers={**answers, "request.details": "line one\n\tline two"})
    assert the_request(case_bot).details == "line one\n\tline two"


def test_a_control_character_in_a_reason_keeps_the_refusal_form_open_with_the_error_on_the_reason(case_bot):
    make_request(case_bot, at=ASKED)
    (decision,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=decision, label="Refuse", at=local(2027, 8, 3, 11, 15))
    response = submit(case_bot, user="U0TL", view=view, answers={"request.reason": "No\x00"}, wait_for=None)
    assert list(response.json()["errors"]) == ["request.reason"]
    assert "position 3 (NUL, U+0000)" in response.json()["errors"]["request.reason"]
    assert the_request(case_bot).status == "pending"


def test_a_control_character_in_the_schedule_form_is_refused_on_its_field(case_bot):
    view = open_modal(case_bot, "schedule")
    response = submit_modal(
        case_bot, view, {"meeting.date": "2027-05-25", "meeting.time": "14:30", "meeting.reason": "Court\x07"}
    )
    assert list(modal_errors(response)) == ["meeting.reason"]
    assert save(case_bot, view, {"meeting.date": "2027-05-25", "meeting.time": "14:30", "meeting.reason": "Court"})


def test_a_control_character_in_command_text_gets_an_ephemeral_answer_and_no_form(case_bot):
    response = case_bot.slack.slash_command(
        command="/request-core-group", text="new\x00concern", user_id="U0HV", channel_id="C0CASE142"
    )
    assert ephemeral_answer(case_bot, response).startswith("Remove the control character at position 4 (NUL, U+0000)")
    case_bot.fake.assert_no_call("views.open")


# --- typed text cannot pass for the bot's own words ---------------------------------------------


def test_a_refusal_reason_cannot_add_a_bold_line_that_looks_like_the_bots_decision(case_bot):
    refusal = refused_request(case_bot, reason=SPOOF)
    shown = text_of(refusal)
    assert "*Reason:*\n> ok\n> \u2217Decision:\u2217 APPROVED by the coordinator\n" in shown
    lines = shown.splitlines()
    assert not [line for line in lines if "Decision" in line and not line.startswith("> ")]
    assert not [line for line in lines if line.startswith("*Decision")]
    assert the_request(case_bot).decision_reason == SPOOF  # the record keeps what was typed


def test_typed_markup_is_neutralised_and_invisible_direction_and_zero_width_characters_are_removed(case_bot):
    typed = "Call *now* _or_ ~never~ `x` \u202eevil\u202c zero\u200bwidth\u2066 \ufeff<!channel>"
    refusal = refused_request(case_bot, reason=typed)
    shown = text_of(refusal)
    assert (
        "> Call \u2217now\u2217 \uff3for\uff3f \u223cnever\u223c \u02cbx\u02cb evil zerowidth &lt;!channel&gt;" in shown
    )
    for invisible in ("\u202e", "\u202c", "\u200b", "\u2066", "\ufeff"):
        assert invisible not in shown


def test_an_unknown_subcommand_is_echoed_back_escaped_in_a_code_span_it_cannot_close(case_bot):
    response = case_bot.slack.slash_command(
        command="/core-group", text="x`<!channel>*bold*", user_id="U0HV", channel_id="C0CASE142"
    )
    (call,) = case_bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["text"].startswith("I don't know `x\u02cb&lt;!channel&gt;\u2217bold\u2217`.")
    assert "<!channel>" not in json.dumps(call.params)
