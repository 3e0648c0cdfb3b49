"""`/request-core-group` end to end: the form, the team leader's decision, the coordinator after a refusal."""

from __future__ import annotations

import logging

import pytest

from tests.slack.request_steps import (
    CASE_CHANNEL,
    approve,
    buttons,
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

ASKED = local(2027, 8, 3, 9, 30)  # Tue 3 Aug 2027


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))  # the first meeting's announcement, out of the way
    return bot


def additional_meetings(bot) -> list:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return [m for m in uow.meetings.for_case(case.id) if m.kind == "additional"]


def the_request(bot):
    with bot.services.uow_factory() as uow:
        (request,) = uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        return request


def audit_trail(bot) -> list[tuple[str, str | None, str | None]]:
    with bot.services.uow_factory() as uow:
        return [(e.action, e.actor, e.on_behalf_of) for e in uow.audit.list() if e.action.startswith("request.")]


# --- asking ----------------------------------------------------------------------------------


def test_a_member_gets_the_request_form_with_their_words_prefilled_and_a_reminder_not_to_write_names(case_bot):
    view = open_request_form(case_bot, text="New concerns after the school's call")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["title"]["text"] == "Additional meeting"
    assert [o["value"] for o in blocks["request.concern"]["element"]["options"]] == ["new", "deepening", "other"]
    assert blocks["request.details"]["element"]["initial_value"] == "New concerns after the school's call"
    assert "Don't write names" in blocks["request.details"]["hint"]["text"]
    assert blocks["request.urgency"]["element"]["initial_option"]["value"] == "routine"


def test_the_team_leader_gets_the_request_with_approve_and_refuse_and_the_requester_is_told_who_decides(
    case_bot, caplog
):
    caplog.set_level(logging.INFO)
    confirmation = make_request(case_bot, at=ASKED, urgency="urgent")
    assert (confirmation["channel"], confirmation["user"]) == (CASE_CHANNEL, "U0HV")
    assert confirmation["text"].startswith(
        "Your request for an additional core group meeting for CP-2027-0142 has gone to <@U0TL>, the team leader, "
        "who decides whether to hold it."
    )
    (message,) = dms(case_bot, "U0TL")
    shown = text_of(message)
    assert "CP-2027-0142" in shown and "*Concern:* Deepening concerns" in shown and "Urgent" in shown
    assert "*Asked by:* <@U0HV> on Tue 3 Aug 2027, 09:30" in shown
    # The requester's words are quoted and escaped, and kept out of the notification text.
    assert "\n> Teacher reports new bruising; Father's &lt;partner&gt; has moved in" in shown
    assert "bruising" not in message["text"]
    assert buttons(message) == {"Approve": "request.approve", "Refuse": "request.refuse"}
    assert the_request(case_bot).status == "pending"
    assert audit_trail(case_bot) == [("request.requested", "U0HV", None), ("request.routed", "U0TL", None)]
    assert "bruising" not in caplog.text  # the requester's words never reach the logs


def test_outside_a_case_channel_the_command_answers_ephemerally_and_opens_nothing(case_bot):
    response = case_bot.slack.slash_command(
        command="/request-core-group", text="", user_id="U0HV", channel_id="C0RANDOM"
    )
    assert "not a core group case channel" in ephemeral_answer(case_bot, response)
    case_bot.fake.assert_no_call("views.open")


def test_someone_outside_the_case_is_told_so_and_no_form_opens(case_bot):
    response = case_bot.slack.slash_command(
        command="/request-core-group", text="x", user_id="U0COORD", channel_id=CASE_CHANNEL
    )
    assert ephemeral_answer(case_bot, response) == (
        "You are not in this case's core group. Ask the coordinator if you should be."
    )
    case_bot.fake.assert_no_call("views.open")
    with case_bot.services.uow_factory() as uow:
        assert uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id) == []


def test_a_form_without_a_concern_or_details_stays_open_with_errors(case_bot):
    view = open_request_form(case_bot)
    response = submit(case_bot, user="U0HV", view=view, answers={"request.details": "   "}, wait_for=None)
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            "request.concern": "Choose what the concern is.",
            "request.details": "Say briefly what has changed (without names).",
        },
    }
    case_bot.fake.assert_no_call("chat.postEphemeral")


# --- the team leader decides -----------------------------------------------------------------


def test_approving_schedules_the_meeting_posts_it_tells_the_requester_and_updates_the_message(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=message, label="Approve", at=local(2027, 8, 3, 10, 42))
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["request.date"]["element"]["type"] == "datepicker"
    assert blocks["request.time"]["element"]["type"] == "timepicker"
    answer = case_bot.fake.mark()
    submit(case_bot, user="U0TL", view=view, answers={"request.date": "2027-08-06", "request.time": "10:00"})
    (done,) = case_bot.fake.calls_to("chat.postEphemeral", since=answer)
    assert done.params["user"] == "U0TL" and done.params["text"].startswith("Done: the additional meeting is scheduled")
    case_bot.dispatch()

    (meeting,) = additional_meetings(case_bot)
    assert meeting.starts_at == local(2027, 8, 6, 10, 0)
    (post,) = [m for m in case_bot.fake.messages(CASE_CHANNEL) if m["text"].startswith("Additional")]
    assert post["text"] == "Additional core group meeting for CP-2027-0142 scheduled: Fri 6 Aug 2027, 10:00"
    (told,) = dms(case_bot, "U0HV")
    assert "was approved" in told["text"] and "*Meeting:* Fri 6 Aug 2027, 10:00" in text_of(told)
    (updated,) = dms(case_bot, "U0TL")
    assert updated["ts"] == message["ts"] and buttons(updated) == {}
    assert "*Approved* by <@U0TL> on Tue 3 Aug 2027, 10:42 — meeting Fri 6 Aug 2027, 10:00" in text_of(updated)
    (update_call,) = case_bot.fake.calls_to("chat.update")
    assert update_call.params["ts"] == message["ts"]
    assert ("request.decided", "U0TL", None) in audit_trail(case_bot)


def test_a_meeting_time_in_the_past_keeps_the_form_open_with_an_error(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=message, label="Approve", at=local(2027, 8, 3, 10, 42))
    response = submit(
        case_bot, user="U0TL", view=view, answers={"request.date": "2027-08-03", "request.time": "09:00"}, wait_for=None
    )
    assert response.json()["errors"] == {
        "request.date": "That date and time has already passed. Choose a time in the future."
    }
    assert additional_meetings(case_bot) == [] and the_request(case_bot).status == "pending"


def test_a_meeting_on_a_non_working_day_must_be_confirmed(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=message, label="Approve", at=local(2027, 8, 3, 10, 42))
    saturday = {"request.date": "2027-08-07", "request.time": "10:00"}
    response = submit(case_bot, user="U0TL", view=view, answers=saturday, wait_for=None)
    assert response.json()["errors"]["request.date"].startswith("Saturday 7 August 2027 is not a working day")
    assert additional_meetings(case_bot) == []
    submit(case_bot, user="U0TL", view=view, answers={**saturday, "request.non_working_day": ["yes"]})
    (meeting,) = additional_meetings(case_bot)
    assert meeting.starts_at == local(2027, 8, 7, 10, 0)


def test_refusing_needs_a_reason(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=message, label="Refuse", at=local(2027, 8, 3, 10, 42))
    response = submit(case_bot, user="U0TL", view=view, answers={"request.reason": "  "}, wait_for=None)
    assert response.json()["errors"] == {"request.reason": "A reason is needed: the requester will see it."}
    assert the_request(case_bot).status == "pending"


# --- refused, then the coordinator ---------------------------------------------------------------


def refuse_it(bot) -> dict:
    make_request(bot, at=ASKED)
    (message,) = dms(bot, "U0TL")
    answer = refuse(
        bot, user="U0TL", message=message, reason="Discussed at the review <next week>", when=local(2027, 8, 3, 11, 15)
    )
    assert answer == "Done: the request is refused, and the requester has been told, with your reason."
    bot.dispatch()
    (refusal,) = dms(bot, "U0HV")
    return refusal


def test_a_refusal_reaches_the_requester_with_the_reason_the_coordinator_and_an_ask_button(case_bot):
    refusal = refuse_it(case_bot)
    shown = text_of(refusal)
    assert "Refused by <@U0TL> on Tue 3 Aug 2027, 11:15." in shown
    assert "*Reason:*\n> Discussed at the review &lt;next week&gt;" in shown
    assert "You can discuss this with the Co-ordinator, Children Services, <@U0COORD>." in shown
    assert buttons(refusal) == {"Ask the coordinator": "request.ask_coordinator"}
    (updated,) = dms(case_bot, "U0TL")
    assert buttons(updated) == {} and ":x: *Refused* by <@U0TL> on Tue 3 Aug 2027, 11:15" in text_of(updated)
    assert additional_meetings(case_bot) == []


def ask_the_coordinator(bot) -> dict:
    refusal = refuse_it(bot)
    response = click(bot, user="U0HV", message=refusal, label="Ask the coordinator", at=local(2027, 8, 3, 12, 0))
    assert ephemeral_answer(bot, response).startswith(
        "I've sent your request and the refusal to <@U0COORD> (Co-ordinator, Children Services)."
    )
    bot.dispatch()
    (review,) = dms(bot, "U0COORD")
    return review


def test_asking_the_coordinator_sends_them_the_request_and_the_refusal_with_convene_and_uphold(case_bot):
    review = ask_the_coordinator(case_bot)
    shown = text_of(review)
    assert "CP-2027-0142" in shown and "<@U0HV> asked the Co-ordinator, Children Services to look at it." in shown
    assert "*Refused by* <@U0TL> (team leader) on Tue 3 Aug 2027, 11:15" in shown
    assert "*Reason:*\n> Discussed at the review &lt;next week&gt;" in shown
    assert buttons(review) == {"Convene the meeting": "request.convene", "Uphold the refusal": "request.uphold"}
    (refusal,) = dms(case_bot, "U0HV")  # updated in place: the button is gone
    assert buttons(refusal) == {} and "You asked the coordinator <@U0COORD> on Tue 3 Aug 2027, 12:00." in text_of(
        refusal
    )


def test_the_coordinator_convenes_the_meeting_and_the_requester_and_team_leader_hear(case_bot):
    review = ask_the_coordinator(case_bot)
    answer = approve(
        case_bot,
        user="U0COORD",
        message=review,
        label="Convene the meeting",
        day="2027-08-05",
        at_time="14:00",
        when=local(2027, 8, 3, 15, 0),
    )
    assert answer.startswith("Done: the additional meeting is scheduled")
    case_bot.dispatch()
    (meeting,) = additional_meetings(case_bot)
    assert meeting.starts_at == local(2027, 8, 5, 14, 0) and meeting.scheduled_by == "U0COORD"
    assert the_request(case_bot).status == "convened"
    for person in ("U0HV", "U0TL"):
        outcome = dms(case_bot, person)[-1]
        assert (
            outcome["text"]
            == "The coordinator convened the additional core group meeting for CP-2027-0142: Thu 5 Aug 2027, 14:00"
        )
    (updated,) = dms(case_bot, "U0COORD")
    assert buttons(updated) == {} and ":white_check_mark: *Meeting convened* by <@U0COORD>" in text_of(updated)
    assert audit_trail(case_bot) == [
        ("request.requested", "U0HV", None),
        ("request.routed", "U0TL", None),
        ("request.decided", "U0TL", None),
        ("request.escalated", "U0HV", None),
        ("request.routed", "U0COORD", None),
        ("request.outcome", "U0COORD", None),
    ]


def test_the_coordinator_upholds_the_refusal_with_a_reason_and_the_requester_and_team_leader_hear(case_bot):
    review = ask_the_coordinator(case_bot)
    view = click_and_open(
        case_bot, user="U0COORD", message=review, label="Uphold the refusal", at=local(2027, 8, 3, 15, 0)
    )
    response = submit(case_bot, user="U0COORD", view=view, answers={"request.reason": ""}, wait_for=None)
    assert response.json()["errors"] == {"request.reason": "A reason is needed: the requester will see it."}
    submit(case_bot, user="U0COORD", view=view, answers={"request.reason": "The review conference is on Monday"})
    case_bot.dispatch()
    assert the_request(case_bot).status == "upheld" and additional_meetings(case_bot) == []
    for person in ("U0HV", "U0TL"):
        outcome = dms(case_bot, person)[-1]
        assert "*The coordinator upheld the refusal*" in text_of(outcome)
        assert "*Reason:*\n> The review conference is on Monday" in text_of(outcome)
    (updated,) = dms(case_bot, "U0COORD")
    assert buttons(updated) == {} and ":x: *Refusal upheld* by <@U0COORD>" in text_of(updated)


# --- clicks that must not change anything ------------------------------------------------------


def test_a_second_click_on_a_decided_request_says_who_decided_and_when(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    approve(case_bot, user="U0TL", message=message, day="2027-08-06", at_time="10:00", when=local(2027, 8, 3, 10, 42))
    mark = case_bot.fake.mark()
    response = click(case_bot, user="U0TL", message=message, label="Refuse", at=local(2027, 8, 3, 10, 50))
    assert ephemeral_answer(case_bot, response) == "Already approved by <@U0TL> at 10:42 on Tue 3 Aug 2027."
    case_bot.fake.assert_no_call("views.open", since=mark)
    assert the_request(case_bot).status == "approved" and len(additional_meetings(case_bot)) == 1


def test_someone_else_clicking_approve_is_told_whose_decision_it_is_and_nothing_changes(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    mark = case_bot.fake.mark()
    response = click(case_bot, user="U0CHAIR", message=message, label="Approve", at=local(2027, 8, 3, 10, 0))
    assert ephemeral_answer(case_bot, response) == (
        "Only the team leader (<@U0TL>) or their delegate for request decisions can decide this request. "
        "Nothing was changed."
    )
    case_bot.fake.assert_no_call("views.open", since=mark)
    assert the_request(case_bot).status == "pending"


def test_someone_else_submitting_a_decision_form_changes_nothing(case_bot):
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    view = click_and_open(case_bot, user="U0TL", message=message, label="Refuse", at=local(2027, 8, 3, 10, 0))
    submit(case_bot, user="U0POL", view=view, answers={"request.reason": "Not needed"})
    (answer,) = case_bot.fake.calls_to("chat.postEphemeral")[-1:]
    assert answer.params["user"] == "U0POL"
    assert answer.params["text"] == (
        "Only the team leader (<@U0TL>) or their delegate for request decisions can decide this request. "
        "Nothing was changed."
    )
    assert the_request(case_bot).status == "pending"


def test_only_the_requester_can_ask_the_coordinator(case_bot):
    refusal = refuse_it(case_bot)
    response = click(case_bot, user="U0TEACH", message=refusal, label="Ask the coordinator")
    assert ephemeral_answer(case_bot, response) == (
        "Only <@U0HV>, who made the request, can ask the coordinator about this request. Nothing was changed."
    )
    assert the_request(case_bot).status == "refused"


def test_a_team_leaders_own_request_is_decided_by_the_coordinator_with_no_further_step(case_bot):
    confirmation = make_request(case_bot, user="U0TL", at=ASKED)
    assert "has gone to <@U0COORD>, the coordinator," in confirmation["text"]
    (message,) = dms(case_bot, "U0COORD")
    refuse(case_bot, user="U0COORD", message=message, reason="The review is on Monday", when=local(2027, 8, 3, 11, 0))
    case_bot.dispatch()
    (refusal,) = dms(case_bot, "U0TL")
    assert "This was the decision of the Co-ordinator, Children Services, <@U0COORD>." in text_of(refusal)
    assert buttons(refusal) == {}
