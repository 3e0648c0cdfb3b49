"""Institution letters end to end: a record's institution flag asks the chair for the details (or the chair or the
coordinator uses `/core-group institution`); the coordinator gets a task and a draft letter (a Word document in
their DM, read back here), marks it sent once; the sweep chases it every 2 working days; the digest lists it."""

from __future__ import annotations

import logging

import pytest

from sandbox.slack_sender import state_from_view
from tests.slack.coordinator_steps import docx_text, the_digest
from tests.slack.meeting_steps import CHAIR, COORDINATOR, local, modal_errors, open_modal, text_of
from tests.slack.receipt_steps import (
    answer_to,
    buttons,
    case_meeting_at,
    message_to,
    messages_to,
    press,
    press_and_open,
    record_meeting,
    submit_form,
)

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027
RECORDED = local(2027, 7, 30, 12, 0)
DETAILS = {
    "letter.relationship": "Father",
    "letter.kind": "prison",
    "letter.name": "HMP Kilmarnock",
    "letter.contact": "U0HV",
}
DRAFT = "institution-letter-CP-2027-0142-"


@pytest.fixture
def flagged(bot):
    bot.fake.add_user("U0HV", "Priya Patel")
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED, answers={"meeting.flags": ["institution"]})
    return bot


def details_request(bot) -> dict:
    return message_to(bot, CHAIR, "the coordinator needs the details")


def give_details(bot, answers: dict | None = None, *, user: str = CHAIR) -> tuple[dict, str | None]:
    view = press_and_open(bot, user, details_request(bot), "Give the details")
    return submit_form(bot, view, {**DETAILS, **(answers or {})}, user=user)


def drafts(bot) -> list[dict]:
    return [f for f in bot.fake.uploaded_files() if f["filename"].startswith(DRAFT)]


def task(bot, user: str = COORDINATOR) -> dict:
    return message_to(bot, user, "Letter to the head of an institution — CP-2027-0142")


def test_a_record_flagged_institution_asks_the_chair_for_the_letters_details(flagged):
    message = details_request(flagged)
    assert message["text"] == (
        "A parent or relative is in an institution: the coordinator needs the details — CP-2027-0142"
    )
    assert "who should be contacted if the person absconds or is about to be discharged" in text_of(message)
    assert buttons(message) == {"Give the details": "letter.give_details"}


def test_the_details_give_the_coordinator_a_task_and_a_draft_letter_with_marked_blanks(flagged):
    errors, said = give_details(flagged)
    assert not errors
    assert said == (
        "Done: the Co-ordinator, Children Services (<@U0COORD>) has a draft letter to the head of the "
        "institution and a task to send it."
    )
    shown = text_of(task(flagged))
    assert "*The person:* the child's Father" in shown
    assert "*Institution:* HMP Kilmarnock (prison)" in shown
    assert "*Contact if the person absconds or is about to be discharged:* <@U0HV>" in shown
    assert buttons(task(flagged)) == {"Letter sent": "letter.sent"}
    (draft,) = drafts(flagged)
    assert draft["channel_id"] == "D0COORD"  # the coordinator's DM, from conversations.open
    assert draft["initial_comment"].startswith("Draft letter to the head of the institution for CP-2027-0142")
    letter = docx_text(draft["content"])
    for words in (
        "The Governor",
        "HMP Kilmarnock",
        "Our reference: CP-2027-0142",
        "Date: 30 July 2027",
        "Re: [full name — fill in], date of birth [date of birth — fill in], prison number [prison number — fill in]",
        "who is the father of a child who is subject to a child protection plan",
        "if this person absconds or is about to be released or transferred, you contact straight away: "
        "Priya Patel, telephone [telephone — fill in]",
        "Co-ordinator, Children Services, South Ayrshire Council",
        "[your name — fill in]",
    ):
        assert words in letter, words
    updated = details_request(flagged)  # the chair's message, updated in place
    assert buttons(updated) == {} and "Details given by <@U0CHAIR>" in text_of(updated)


def test_the_chair_or_the_coordinator_can_ask_for_a_letter_with_core_group_institution(flagged):
    view = open_modal(flagged, "institution", user=COORDINATOR)
    assert view["title"]["text"] == "Institution letter"
    assert [o["value"] for o in view["blocks"][2]["element"]["options"]] == ["prison", "hospital", "other"]
    errors, said = submit_form(
        flagged,
        view,
        {
            **DETAILS,
            "letter.kind": "hospital",
            "letter.name": "Crosshouse Hospital",
            "letter.relationship": "Grandmother",
        },
        user=COORDINATOR,
    )
    assert not errors and said.startswith("Done:")
    letter = docx_text(drafts(flagged)[-1]["content"])
    assert "The Chief Executive" in letter and "is about to be discharged" in letter and "hospital number" in letter


def test_anyone_but_the_chair_or_the_coordinator_is_refused_the_form(flagged):
    mark = flagged.fake.mark()
    response = flagged.slack.slash_command(
        command="/core-group", text="institution", user_id="U0POL", channel_id="C0CASE142"
    )
    assert response.status == 200
    reply = flagged.wait_for_reply()
    assert reply["text"] == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>), the coordinator, or their delegates for this work can give the "
        "details of a letter to an institution. Nothing was changed."
    )
    flagged.fake.assert_no_call("views.open", since=mark)


def test_a_name_or_a_date_in_the_relationship_keeps_the_form_open(flagged):
    view = press_and_open(flagged, CHAIR, details_request(flagged), "Give the details")
    answers = {**DETAILS, "letter.relationship": "John Smith b. 1980", "letter.contact": None}
    response = flagged.slack.view_submission(user_id=CHAIR, view=view, values=state_from_view(view, answers))
    assert modal_errors(response) == {
        "letter.relationship": "Write a role such as “Father” or “Grandmother”: no names, dates or numbers "
        "(at most 60 characters).",
        "letter.contact": "Choose the professional to contact if the person absconds or is about to be discharged.",
    }
    assert drafts(flagged) == []


def test_only_the_coordinator_marks_the_letter_sent_once_and_the_button_goes(flagged):
    give_details(flagged)
    response = press(flagged, "U0HV", task(flagged), "Letter sent")
    assert answer_to(flagged, response) == (
        "Only the Co-ordinator, Children Services (<@U0COORD>) or their delegate for the coordinator's work can mark "
        "this letter sent. Nothing was changed."
    )
    flagged.at(local(2027, 8, 2, 10, 0))
    original = task(flagged)
    response = press(flagged, COORDINATOR, original, "Letter sent")
    assert answer_to(flagged, response) == "Done: the letter is marked sent, and its reminders stop."
    flagged.dispatch()
    assert buttons(task(flagged)) == {}
    assert "Marked sent by <@U0COORD> on Mon 2 Aug 2027, 10:00." in text_of(task(flagged))
    again = press(flagged, COORDINATOR, original, "Letter sent")
    assert answer_to(flagged, again) == "Already marked sent by you at 10:00 on Mon 2 Aug 2027."


def test_a_letter_not_sent_is_chased_every_two_working_days_and_is_in_the_digest_until_sent(flagged):
    give_details(flagged)  # Fri 30 Jul; Mon 2 Aug is Scotland's summer holiday: the first reminder is Wed 4 Aug
    flagged.sweep(local(2027, 8, 3, 9, 0))
    assert messages_to(flagged, COORDINATOR, "Reminder: a letter to the head of an institution") == []
    assert "Letter to the head of a prison about the child's Father: not sent (asked Fri 30 Jul 2027)" in text_of(
        the_digest(flagged)
    )
    flagged.sweep(local(2027, 8, 4, 9, 0))
    flagged.sweep(local(2027, 8, 4, 9, 5))
    (reminder,) = messages_to(flagged, COORDINATOR, "Reminder: a letter to the head of an institution")
    assert buttons(reminder) == {"Letter sent": "letter.sent"}
    flagged.sweep(local(2027, 8, 6, 9, 0))
    assert len(messages_to(flagged, COORDINATOR, "Reminder: a letter to the head of an institution")) == 2
    flagged.at(local(2027, 8, 6, 11, 0))
    press(flagged, COORDINATOR, reminder, "Letter sent")
    flagged.fake.wait_for("response_url")
    flagged.sweep(local(2027, 8, 10, 9, 0))
    reminders = messages_to(flagged, COORDINATOR, "Reminder: a letter to the head of an institution")
    assert len(reminders) == 2 and all(buttons(m) == {} for m in reminders)
    (today,) = messages_to(flagged, COORDINATOR, "Coordinator digest for Tue 10 Aug")
    assert "Institution letters" not in text_of(today)


def test_the_institutions_name_is_kept_for_the_letter_but_never_logged_or_audited(flagged, caplog):
    caplog.set_level(logging.INFO)  # as the running bot logs (bot/logs.py: INFO, slack_sdk's own at WARNING)
    caplog.set_level(logging.WARNING, logger="slack_sdk")
    give_details(flagged)
    flagged.sweep(local(2027, 8, 4, 9, 0))
    with flagged.services.uow_factory() as uow:
        (letter,) = uow.letters.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        audit = [(e.action, e.detail) for e in uow.audit.list() if e.action.startswith("letter.")]
    assert letter.institution_name == "HMP Kilmarnock" and letter.relationship == "Father"
    assert [a for a, _ in audit] == ["letter.flagged", "letter.requested", "letter.reminded"]
    assert "Kilmarnock" not in str(audit)
    assert "Kilmarnock" not in caplog.text
