"""Every form is processed once: a submission Slack redelivers, or a signed request replayed, is acknowledged as
the first was and changes nothing; and there is one institution letter per person in an institution per case."""

from __future__ import annotations

from sandbox.slack_sender import state_from_view
from tests.slack.form_steps import at_once, replay, wait_for_replays, watch_replays
from tests.slack.meeting_steps import (
    CASE_CHANNEL,
    CHAIR,
    CHECKLIST_ANSWERS,
    COORDINATOR,
    local,
    open_modal,
    posts,
    text_of,
)
from tests.slack.receipt_steps import (
    ATTENDANCE,
    case_meeting_at,
    message_to,
    messages_to,
    press_and_open,
    record_meeting,
)
from tests.slack.request_steps import open_request_form

MEETING = local(2027, 7, 30, 10, 0)
RECORDED = local(2027, 7, 30, 12, 0)


DETAILS = {
    "letter.relationship": "Father",
    "letter.kind": "prison",
    "letter.name": "HMP Kilmarnock",
    "letter.contact": "U0HV",
}


def letters(bot) -> list:
    with bot.services.uow_factory() as uow:
        return list(uow.letters.for_case(uow.cases.get_by_reference("CP-2027-0142").id))


def task_texts(bot) -> list[str]:
    """What the coordinator's letter tasks say, as Slack shows them now."""
    return [text_of(m) for m in messages_to(bot, COORDINATOR, "Letter to the head of an institution — CP-2027-0142")]


def counts(bot, *actions: str) -> list[int]:
    with bot.services.uow_factory() as uow:
        return [len(uow.audit.list(action=action)) for action in actions]


def test_a_record_replayed_three_times_is_saved_once_and_each_replay_gets_the_same_answer(bot, caplog):
    watch_replays(caplog)
    case_meeting_at(bot, MEETING)
    bot.at(RECORDED)
    view = open_modal(bot, "record")
    first = bot.slack.view_submission(
        user_id=CHAIR, view=view, values=state_from_view(view, {**CHECKLIST_ANSWERS, **ATTENDANCE})
    )
    bot.fake.wait_for("chat.postEphemeral")
    again = replay(bot, first, times=3)
    assert [(r.status, r.body) for r in again] == [(first.status, first.body)] * 3 == [(200, "")] * 3
    assert wait_for_replays(caplog, 3) == 3
    bot.dispatch()
    assert counts(bot, "meeting.recorded", "plan.clock_started") == [1, 1]
    assert len(posts(bot, CASE_CHANNEL, kind="recorded")) == 1
    assert len(bot.fake.calls_to("chat.postEphemeral")) == 1  # the chair was told once


def test_a_request_for_a_meeting_replayed_is_sent_to_the_team_leader_once(bot, caplog):
    watch_replays(caplog)
    bot.import_organisation()
    bot.at(local(2027, 8, 2, 9, 30))
    view = open_request_form(bot)
    answers = {"request.concern": "new", "request.urgency": "routine", "request.details": "New concerns at school"}
    first = bot.slack.view_submission(user_id="U0HV", view=view, values=state_from_view(view, answers))
    bot.fake.wait_for("chat.postEphemeral")
    replay(bot, first, times=3)
    assert wait_for_replays(caplog, 3) == 3
    bot.dispatch()
    assert counts(bot, "request.requested") == [1]
    assert len(posts(bot, "U0TL")) == 1


def test_a_letters_details_replayed_make_one_letter(bot, caplog):
    watch_replays(caplog)
    case_meeting_at(bot, MEETING)
    bot.at(RECORDED)
    view = open_modal(bot, "institution", user=COORDINATOR)
    first = bot.slack.view_submission(user_id=COORDINATOR, view=view, values=state_from_view(view, DETAILS))
    bot.fake.wait_for("chat.postEphemeral")
    replay(bot, first, times=3)
    assert wait_for_replays(caplog, 3) == 3
    bot.dispatch()
    assert [(x.relationship, x.status) for x in letters(bot)] == [("Father", "to_send")]
    assert len(task_texts(bot)) == 1


def test_a_flagged_letter_and_two_forms_submitted_at_once_make_one_letter(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED, answers={"meeting.flags": ["institution"]})
    button = press_and_open(bot, CHAIR, message_to(bot, CHAIR, "the coordinator needs the details"), "Give the details")
    command = open_modal(bot, "institution", user=COORDINATOR)
    statuses = at_once(
        lambda: bot.slack.view_submission(user_id=CHAIR, view=button, values=state_from_view(button, DETAILS)),
        lambda: bot.slack.view_submission(user_id=COORDINATOR, view=command, values=state_from_view(command, DETAILS)),
    )
    assert [r.status for r in statuses] == [200, 200]
    bot.fake.wait_for("chat.postEphemeral", count=2)
    bot.dispatch()
    ((relationship, status, record_id),) = [(x.relationship, x.status, x.record_id) for x in letters(bot)]
    assert (relationship, status) == ("Father", "to_send") and record_id is not None
    assert len(task_texts(bot)) == 1  # the same details twice: one task for the coordinator


def test_a_second_submission_about_the_same_person_updates_their_letter(bot):
    case_meeting_at(bot, MEETING)
    bot.at(RECORDED)
    for details in (DETAILS, {**DETAILS, "letter.relationship": " father ", "letter.name": "HMP Barlinnie"}):
        view = open_modal(bot, "institution", user=COORDINATOR)
        mark = bot.fake.mark()
        bot.slack.view_submission(user_id=COORDINATOR, view=view, values=state_from_view(view, details))
        bot.fake.wait_for("chat.postEphemeral", since=mark)
        bot.dispatch()
    ((relationship, name),) = [(x.relationship, x.institution_name) for x in letters(bot)]
    assert (relationship, name) == ("father", "HMP Barlinnie")
    shown = task_texts(bot)
    assert len(shown) == 2 and "HMP Barlinnie" in shown[-1]
    assert counts(bot, "letter.requested", "letter.updated") == [1, 1]
