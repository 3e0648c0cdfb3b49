"""The post-deregistration meeting's outcome end to end: escalated risk goes to social work and the coordinator;
risks that remain reduced close the case; a closed case gets no reminders and can be re-opened."""

from __future__ import annotations

import pytest

from bot.services.requests import NewRequest, request_meeting
from tests.slack.deregistration_steps import (
    CASE_CHANNEL,
    CHAIR,
    CONVENER,
    COORDINATOR,
    FIFE,
    MEETING_CHAIR,
    TEAM_LEADER,
    audit_actions,
    buttons,
    case_row,
    click,
    click_and_open,
    click_answer,
    command,
    deregister,
    deregistration_row,
    dm,
    ephemeral_answer,
    local,
    posts,
    record_outcome,
    text_of,
)

REDUCED = {
    "deregistration.held_on": "2027-08-10",
    "deregistration.risk": "no",
    "deregistration.activity": ["yes"],
    "deregistration.plan": "multi_agency",
    "deregistration.lead_agency": "Education <school>",
}
ESCALATED = {"deregistration.held_on": "2027-08-10", "deregistration.risk": "yes"}
AFTER_MEETING = local(2027, 8, 10, 16, 0)


@pytest.fixture
def deregistered(bot):
    bot.import_organisation(FIFE)
    bot.sweep(local(2027, 5, 17, 10, 0))
    deregister(bot)
    return bot


def case_notices(bot, *, after) -> list[str]:
    """Every notice about the case written after `after`, to anyone (a coordinator's digest concerns no one case)."""
    with bot.services.uow_factory() as uow:
        case_id = uow.cases.get_by_reference("CP-2027-0142").id
        return [m.kind for m in uow.outbox.list() if m.case_id == case_id and m.created_at > after]


def status_text(bot, user: str = "U0HV") -> str:
    response = command(bot, "status", user=user)
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    return text_of(call.params)


def test_the_outcome_form_asks_about_escalation_then_how_the_plan_continues(deregistered):
    view = click_and_open(
        deregistered,
        user=MEETING_CHAIR,
        message=dm(deregistered, MEETING_CHAIR),
        label="Record the outcome",
        at=AFTER_MEETING,
    )
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["title"]["text"] == "Meeting outcome"
    assert blocks["deregistration.held_on"]["element"]["initial_date"] == "2027-08-10"
    assert [o["value"] for o in blocks["deregistration.risk"]["element"]["options"]] == ["yes", "no"]
    assert [o["value"] for o in blocks["deregistration.plan"]["element"]["options"]] == [
        "single_agency",
        "multi_agency",
    ]
    assert "not a person's name" in blocks["deregistration.lead_agency"]["hint"]["text"]


def test_escalated_risk_asks_the_chair_and_team_leader_for_an_assessment_and_tells_the_coordinator(deregistered):
    said = record_outcome(deregistered, ESCALATED, at=AFTER_MEETING)
    assert said == (
        "Saved: risk has escalated since deregistration. <@U0CHAIR> (chair) and <@U0TL> (team leader) are "
        "asked for a social work assessment, and the coordinator is told."
    )
    for person, role in ((CHAIR, "chair"), (TEAM_LEADER, "team leader")):
        task = dm(deregistered, person)
        assert task["text"] == "Social work assessment needed for CP-2027-0142: risk has escalated since deregistration"
        assert f"you are asked as the case's {role}" in text_of(task)
        assert list(buttons(task)) == ["Record the outcome"]
    told = dm(deregistered, COORDINATOR)
    assert told["text"] == "CP-2027-0142: risk has escalated since deregistration"
    assert "the chair <@U0CHAIR> and the team leader <@U0TL>" in text_of(told)
    # The convener's and the meeting chair's messages lose their buttons and say what was decided.
    for person in (CONVENER, MEETING_CHAIR):
        updated = dm(deregistered, person)
        assert buttons(updated) == {}
        assert "*Outcome recorded* by <@U0NP> on Tue 10 Aug 2027: risk had escalated" in text_of(updated)
    assert case_row(deregistered).status == "deregistered"
    assert deregistration_row(deregistered).status == "escalated"
    assert "found risk had escalated: social work is assessing" in status_text(deregistered)


def test_risks_remaining_reduced_close_the_case_with_the_plan_and_lead_agency(deregistered):
    mark = deregistered.fake.mark()
    said = record_outcome(deregistered, REDUCED, at=AFTER_MEETING)
    assert said == (
        "Saved: risks remain reduced, and the Child's Plan continues as a multi-agency plan. "
        "Case CP-2027-0142 is now closed: no more reminders, and the case channel is told."
    )
    (post,) = posts(deregistered, CASE_CHANNEL, since=mark)
    assert post["text"] == (
        "Case CP-2027-0142 is closed: risks remain reduced and the Child's Plan continues as a multi-agency plan"
    )
    shown = text_of(post)
    assert "lead agency: Education &lt;school&gt;" in shown and "Core group reminders have stopped." in shown
    assert "kept for 7 years after closing, then removed" in shown
    row = case_row(deregistered)
    assert row.status == "closed" and row.closed_at is not None
    outcome = deregistration_row(deregistered)
    assert (outcome.status, outcome.plan_type, outcome.lead_agency) == (
        "completed",
        "multi_agency",
        "Education <school>",
    )
    assert "*Closed* on Tue 10 Aug 2027, 16:00" in status_text(deregistered)
    assert "This case is closed." in status_text(deregistered)
    assert buttons(dm(deregistered, CONVENER)) == {}
    assert ("case.closed", MEETING_CHAIR, None) in audit_actions(deregistered, "case.")


def test_a_second_click_on_a_decided_message_says_who_decided_and_changes_nothing(deregistered):
    before = dm(deregistered, CONVENER)  # as it looked before the outcome, buttons and all
    record_outcome(deregistered, REDUCED, at=AFTER_MEETING)
    for label in ("Record the outcome", "Set the date"):
        response = click(deregistered, user=CONVENER, message=before, label=label)
        assert click_answer(deregistered, response) == (
            "Already recorded (risks remain reduced, and the case is closed) by <@U0NP> at 16:00 on Tue 10 Aug 2027."
        )
    assert deregistration_row(deregistered).outcome_count == 1


def test_a_deregistered_or_closed_case_gets_no_reminders_and_takes_no_requests(bot):
    bot.import_organisation(FIFE)
    bot.sweep(local(2027, 5, 17, 10, 0))
    with bot.services.uow_factory() as uow:  # asked for just before the review conference, still pending
        request_meeting(
            NewRequest(channel=CASE_CHANNEL, user="U0HV", concern="new", urgency="routine", details="New concern"),
            uow=uow,
            now=local(2027, 6, 22, 11, 0),
        )
        uow.commit()
    bot.at(local(2027, 6, 22, 11, 0)).dispatch()
    deregister(bot)
    for moment in (local(2027, 6, 23, 12, 0), local(2027, 6, 24, 12, 0)):  # its reminder and escalation times
        bot.sweep(moment)
    assert case_notices(bot, after=local(2027, 6, 22, 15, 1)) == []
    record_outcome(bot, REDUCED, at=AFTER_MEETING)
    for day in (11, 12, 17, 18, 25):
        bot.sweep(local(2027, 8, day, 9, 0))
    assert case_notices(bot, after=AFTER_MEETING) == []
    response = bot.slack.slash_command(command="/request-core-group", text="", user_id="U0HV", channel_id=CASE_CHANNEL)
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["text"] == "Case CP-2027-0142 is closed: its core group no longer meets."
    refused = command(bot, "schedule", user=CHAIR)
    assert ephemeral_answer(bot, refused) == "Case CP-2027-0142 is closed: its core group no longer meets."


def test_after_escalation_the_outcome_is_recorded_again_once_social_work_has_assessed(deregistered):
    record_outcome(deregistered, ESCALATED, at=AFTER_MEETING)
    said = record_outcome(
        deregistered,
        {**REDUCED, "deregistration.plan": "single_agency", "deregistration.lead_agency": "Health"},
        user=CHAIR,
        at=local(2027, 9, 14, 11, 0),
    )
    assert "continues as a single-agency plan" in said and "now closed" in said
    assert buttons(dm(deregistered, CHAIR)) == {} and buttons(dm(deregistered, TEAM_LEADER)) == {}
    assert "risks remain reduced; the plan continues as a single-agency plan" in text_of(dm(deregistered, TEAM_LEADER))
    assert case_row(deregistered).status == "closed"
    assert [a for a in audit_actions(deregistered, "deregistration.outcome")] == [
        ("deregistration.outcome", MEETING_CHAIR, None),
        ("deregistration.outcome", CHAIR, None),
    ]


def test_the_coordinator_reopens_a_closed_case_and_the_core_group_restarts_with_its_history(deregistered):
    record_outcome(deregistered, REDUCED, at=AFTER_MEETING)
    deregistered.at(local(2028, 3, 7, 10, 0))
    not_yours = command(deregistered, "reopen 2028-03-06", user=CHAIR)
    assert ephemeral_answer(deregistered, not_yours) == (
        "Only the coordinator (<@U0COORD>) or their delegate can re-open CP-2027-0142. Nothing was changed."
    )
    unreadable = command(deregistered, "reopen next week", user=COORDINATOR)
    assert "`/core-group reopen YYYY-MM-DD`" in ephemeral_answer(deregistered, unreadable)
    mark = deregistered.fake.mark()
    # Scotland: the first core group within 15 calendar days of the CPPM (para 3.137), so Mon 6 Mar -> Tue 21 Mar.
    reopened = command(deregistered, "reopen 2028-03-06", user=COORDINATOR)
    assert ephemeral_answer(deregistered, reopened) == (
        "Re-opened CP-2027-0142: registered again on Mon 6 Mar 2028. The first core group meeting is due by "
        "Tue 21 Mar 2028; <@U0CHAIR> is asked to schedule it, and the case channel is told."
    )
    deregistered.dispatch()
    (post,) = posts(deregistered, CASE_CHANNEL, since=mark)
    assert post["text"] == "Case CP-2027-0142 is re-opened: the core group restarts"
    assert "The case's history (meetings, records, the deregistration) is kept." in text_of(post)
    assert "first core group meeting" in dm(deregistered, CHAIR)["text"]
    case = case_row(deregistered)
    assert (case.status, case.closed_at, case.registered_on.isoformat()) == ("open", None, "2028-03-06")
    with deregistered.services.uow_factory() as uow:
        assert [r.status for r in uow.deregistrations.for_case(case.id)] == ["completed"]
        assert [m.kind for m in uow.meetings.for_case(case.id)] == ["first"]
    again = command(deregistered, "reopen 2028-03-06", user=COORDINATOR)
    assert ephemeral_answer(deregistered, again) == "Case CP-2027-0142 is open: there is nothing to re-open."


def test_a_deregistered_case_whose_child_is_registered_again_is_reopened_and_the_convener_hears(deregistered):
    deregistered.at(local(2027, 7, 20, 10, 0))
    reopened = command(deregistered, "reopen 2027-07-19", user=COORDINATOR)
    assert ephemeral_answer(deregistered, reopened).startswith(
        "Re-opened CP-2027-0142: registered again on Mon 19 Jul 2027."
    )
    deregistered.dispatch()
    assert buttons(dm(deregistered, CONVENER)) == {}
    assert "The case was re-opened (the child was registered again)" in text_of(dm(deregistered, CONVENER))
    assert deregistration_row(deregistered).status == "superseded"
    mark = deregistered.fake.mark()
    deregistered.sweep(local(2027, 8, 3, 9, 0))  # the old window's reminder does not come
    assert [
        c
        for c in deregistered.fake.calls_to("chat.postMessage", since=mark)
        if c.params["channel"] in (CONVENER, MEETING_CHAIR)
    ] == []
