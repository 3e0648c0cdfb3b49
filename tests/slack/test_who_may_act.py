"""Who may act for whom, end to end: a delegation covers only what it says, and outsiders learn nothing.

The attack from the review: a team leader who also chairs a case hands their request decisions to someone in no
case; that someone tries the chair's commands and buttons in the chaired case. They are refused and nothing is
uploaded, opened or changed. A chairing delegate, by contrast, chairs, and the audit names both people.
"""

from __future__ import annotations

import pytest

from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import CHAIR, COORDINATOR, local, schedule
from tests.slack.receipt_steps import answer_to, message_to, press, record_meeting
from tests.slack.request_steps import buttons, dms, make_request

OUTSIDER_TEXT = "You are not in this case's core group. Ask the coordinator if you should be."
MEETING = local(2027, 8, 2, 10, 0)  # Mon 2 Aug 2027
RECORDED = local(2027, 8, 2, 12, 0)
#: A second case in which the first case's chair is the team leader: so they may hand on request decisions.
SECOND = {
    **CASE,
    "reference": "CP-2027-0150",
    "channel": "C0CASE150",
    "chair": "U0CHAIR2",
    "team_leader": CHAIR,
    "members": ["U0SW"],
    "participants_without_slack": [],
}
STANDS_IN = "U0OUT"  # in no case at all


@pytest.fixture
def two_cases(bot):
    """CP-2027-0142 (chaired by U0CHAIR, a meeting held and recorded) and CP-2027-0150 (U0CHAIR its team leader)."""
    bot.at(local(2027, 7, 26, 9, 0))
    first = {**CASE, "registered_on": "2027-07-23", "first_meeting": MEETING.strftime("%Y-%m-%dT%H:%M")}
    second = {**SECOND, "registered_on": "2027-07-23", "first_meeting": "2027-08-05T10:00"}
    bot.import_organisation(organisation_file(cases=[first, second]))
    bot.dispatch()
    record_meeting(bot, at=RECORDED)
    return bot


def slash(bot, text: str, *, user: str, channel: str = "C0CASE142", command: str = "/core-group") -> str:
    """Run a slash command; the one ephemeral answer it gets."""
    response = bot.slack.slash_command(command=command, text=text, user_id=user, channel_id=channel)
    assert response.status == 200
    calls = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    (call,) = calls
    assert call.params["response_type"] == "ephemeral"
    return call.params["text"]


def audit_count(bot) -> int:
    with bot.services.uow_factory() as uow:
        return len(uow.audit.list())


def test_a_request_decision_delegate_in_no_case_cannot_chair_the_principals_case(two_cases):
    bot = two_cases
    bot.at(local(2027, 8, 3, 9, 0))
    said = slash(bot, f"delegate <@{STANDS_IN}|out> until 2027-08-13", user=CHAIR)
    assert "stands in for you for decisions on requests" in said and "(the default for your role" in said
    bot.dispatch()
    (told,) = dms(bot, STANDS_IN)
    assert "for decisions on requests for an additional core group meeting (not chairing" in str(told)
    before, mark = audit_count(bot), bot.fake.mark()
    for sub in ("report", "schedule", "deregister", "record", "plan-sent", "cp9-sent", "institution", "status"):
        answer = slash(bot, sub, user=STANDS_IN)
        assert answer == OUTSIDER_TEXT, sub
    # The chair's own buttons, had the delegate got hold of them: refused, whose step it is, nothing opens.
    for label, containing in (("Plan sent", "Send the plan"), ("Mark CP9 sent", "Send the CP9 for CP-2027-0142")):
        said = answer_to(bot, press(bot, STANDS_IN, message_to(bot, CHAIR, containing), label))
        assert said.startswith("Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can "), label
    bot.fake.assert_no_call("views.open", since=mark)
    assert bot.fake.calls_to("files.completeUploadExternal", since=mark) == []
    assert bot.fake.calls_to("files.getUploadURLExternal", since=mark) == []
    assert audit_count(bot) == before  # no report access, no schedule, nothing recorded
    bot.sweep(local(2027, 8, 4, 9, 0))  # the chair's plan reminder: to the chair, never to the requests delegate
    assert [m for m in dms(bot, STANDS_IN) if buttons(m)] == []


def test_the_request_decision_delegate_still_gets_the_requests_they_were_given(two_cases):
    bot = two_cases
    bot.at(local(2027, 8, 3, 9, 0))
    slash(bot, f"delegate <@{STANDS_IN}|out> until 2027-08-13 requests", user=CHAIR, channel="C0CASE150")
    confirmation = make_request(bot, user="U0SW", channel="C0CASE150", at=local(2027, 8, 3, 9, 30))
    assert f"has gone to <@{STANDS_IN}>, standing in for the team leader <@{CHAIR}>," in confirmation["text"]
    assert buttons([m for m in dms(bot, STANDS_IN) if buttons(m)][0]) == {
        "Approve": "request.approve",
        "Refuse": "request.refuse",
    }


def test_a_chairing_delegate_chairs_and_the_audit_names_both_people(two_cases):
    bot = two_cases
    bot.at(local(2027, 8, 3, 9, 0))
    said = slash(bot, "delegate <@U0DEPUTY|deputy> until 2027-08-13 chairing", user=CHAIR)
    assert said.startswith(
        "Until Fri 13 Aug 2027, <@U0DEPUTY> stands in for you for chairing: scheduling and recording meetings"
    )
    assert "(the default for your role" not in said
    schedule(bot, {"meeting.date": "2027-08-20", "meeting.time": "10:00"}, user="U0DEPUTY", at=local(2027, 8, 3, 9, 5))
    with bot.services.uow_factory() as uow:
        (event,) = [e for e in uow.audit.list(action="meeting.scheduled") if e.actor == "U0DEPUTY"]
        assert event.on_behalf_of == CHAIR
        (set_event,) = uow.audit.list(action="delegate.set")
        assert (set_event.actor, set_event.detail["delegate"], set_event.detail["scope"]) == (
            CHAIR,
            "U0DEPUTY",
            "chairing",
        )
    # Chairing is all it covers: a request in the case where the principal is team leader still goes to them.
    confirmation = make_request(bot, user="U0SW", channel="C0CASE150", at=local(2027, 8, 3, 9, 30))
    assert f"has gone to <@{CHAIR}>, the team leader," in confirmation["text"]


def test_only_a_chair_may_hand_on_chairing_and_only_the_coordinator_the_coordinators_work(two_cases):
    bot = two_cases
    bot.at(local(2027, 8, 3, 9, 0))
    assert slash(bot, "delegate <@U0DEP|d> until 2027-08-13 chairing", user="U0TL") == (
        "Only a chair can hand on chairing."
    )
    assert slash(bot, "delegate <@U0DEP|d> until 2027-08-13 coordinator", user=CHAIR) == (
        "Only the coordinator can hand on the coordinator's work."
    )
    said = slash(bot, "delegate <@U0DEPC|d> until 2027-08-13", user=COORDINATOR)
    assert "stands in for you for the coordinator's work" in said and "(the default for your role" in said
    with bot.services.uow_factory() as uow:
        assert [(e.actor, e.detail["scope"]) for e in uow.audit.list(action="delegate.set")] == [
            (COORDINATOR, "coordination")
        ]


@pytest.mark.parametrize(
    "text",
    [
        "status",
        "schedule",
        "record",
        "report",
        "plan-sent",
        "cp9-sent",
        "deregister",
        "reopen 2027-08-01",
        "institution",
    ],
)
def test_an_outsider_learns_nothing_about_the_case_from_its_channel(two_cases, text):
    bot = two_cases
    mark, before = bot.fake.mark(), audit_count(bot)
    answer = slash(bot, text, user="U0STRANGER")
    assert answer == OUTSIDER_TEXT
    assert "CP-2027-0142" not in answer and CHAIR not in answer
    bot.fake.assert_no_call("views.open", since=mark)
    assert bot.fake.calls_to("chat.postMessage", since=mark) == []
    assert audit_count(bot) == before


def test_an_outsider_asking_for_a_meeting_learns_nothing_and_no_form_opens(two_cases):
    bot = two_cases
    mark = bot.fake.mark()
    response = bot.slack.slash_command(
        command="/request-core-group", text="", user_id="U0STRANGER", channel_id="C0CASE142"
    )
    assert response.status == 200
    (answer,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert answer.params["text"] == OUTSIDER_TEXT
    assert "CP-2027-0142" not in str(answer.params) and CHAIR not in str(answer.params)
    bot.fake.assert_no_call("views.open", since=mark)


def test_a_stale_second_decision_names_who_decided_and_when(two_cases):
    bot = two_cases
    make_request(bot, at=local(2027, 8, 3, 9, 30))
    (message,) = [m for m in dms(bot, "U0TL") if buttons(m)]
    from tests.slack.request_steps import click, ephemeral_answer, refuse

    refuse(bot, user="U0TL", message=message, reason="Covered on Thursday", when=local(2027, 8, 3, 10, 42))
    response = click(bot, user="U0TL", message=message, label="Approve", at=local(2027, 8, 3, 10, 50))
    assert ephemeral_answer(bot, response) == "Already refused by <@U0TL> at 10:42 on Tue 3 Aug 2027."


def test_a_member_who_decides_requests_for_the_chair_still_cannot_have_the_report(two_cases):
    bot = two_cases
    bot.at(local(2027, 8, 3, 9, 0))
    slash(bot, "delegate <@U0HV|hv> until 2027-08-13 requests", user=CHAIR)
    mark, before = bot.fake.mark(), audit_count(bot)
    answer = slash(bot, "report", user="U0HV")
    assert answer.startswith(
        "Only the chair (<@U0CHAIR>), the coordinator, or their delegates for chairing or the "
        "coordinator's work can have the review conference report for CP-2027-0142."
    )
    assert slash(bot, "schedule", user="U0HV").startswith(
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can schedule its meetings."
    )
    assert bot.fake.calls_to("files.completeUploadExternal", since=mark) == []
    bot.fake.assert_no_call("views.open", since=mark)
    assert audit_count(bot) == before
