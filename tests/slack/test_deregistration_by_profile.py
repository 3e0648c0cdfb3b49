"""Deregistration as each procedure has it: outside Fife `/core-group deregister` records how the Child's Plan
continues and closes the case at once; in Fife the post-deregistration meeting's outcome first reviews the activity
in the Child's Plan."""

from __future__ import annotations

from tests.harness import organisation_file
from tests.slack.deregistration_steps import (
    CASE_CHANNEL,
    CHAIR,
    DEREGISTERED_AT,
    FIFE,
    MEETING_CHAIR,
    audit_actions,
    case_row,
    click_and_open,
    command,
    deregistration_row,
    dm,
    ephemeral_to,
    local,
    modal_errors,
    open_deregistration,
    posts,
    submit,
    text_of,
)
from tests.slack.deregistration_steps import deregister as deregister_in_fife

ENGLAND = organisation_file(
    organisation={"name": "Kent County Council", "profile": "england", "nation": "england", "closure_days": []}
)
DECIDED = {
    "deregistration.conference_on": "2027-06-22",
    "deregistration.plan": "single_agency",
    "deregistration.lead_agency": "Health",
}


def test_in_england_deregistration_records_how_the_plan_continues_and_closes_the_case_at_once(bot):
    bot.import_organisation(ENGLAND)
    bot.sweep(local(2027, 5, 17, 10, 0))
    view = open_deregistration(bot)
    ids = [b.get("block_id") for b in view["blocks"] if b.get("type") == "input"]
    assert ids == ["deregistration.conference_on", "deregistration.plan", "deregistration.lead_agency"]
    refused = submit(bot, view, {"deregistration.conference_on": "2027-06-22"}, user=CHAIR)
    assert modal_errors(refused) == {
        "deregistration.plan": "Say whether the Child's Plan continues as single-agency or multi-agency.",
        "deregistration.lead_agency": "Name the lead agency (for example Health or Education), not a person.",
    }
    assert case_row(bot).status == "open"
    mark = bot.fake.mark()
    assert modal_errors(submit(bot, view, DECIDED, user=CHAIR)) == {}
    said = ephemeral_to(bot, CHAIR, since=mark)
    assert said.startswith(
        "Recorded: CP-2027-0142 is off the register and the case is closed; the Child's Plan "
        "continues as a single-agency plan."
    )
    bot.dispatch()
    (post,) = posts(bot, CASE_CHANNEL, since=mark)
    assert post["text"] == (
        "Case CP-2027-0142 is closed: risks remain reduced and the Child's Plan continues as a single-agency plan"
    )
    assert "The review conference on Tue 22 Jun 2027 removed the child's name from the register." in text_of(post)
    case = case_row(bot)
    assert (case.status, case.closed_at) == ("closed", DEREGISTERED_AT)
    row = deregistration_row(bot)
    assert (row.status, row.convener, row.window_opens_on, row.plan_type, row.lead_agency) == (
        "completed",
        None,
        None,
        "single_agency",
        "Health",
    )
    assert [a for a, _, _ in audit_actions(bot, "case.")] == ["case.registered", "case.deregistered", "case.closed"]
    assert posts(bot, "U0LP") == [] and posts(bot, "U0NP") == []  # nobody is asked to convene a meeting
    response = command(bot, "status", user="U0HV")
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    status = text_of(call.params)
    assert "the review conference of Tue 22 Jun 2027 removed the child's name from the register" in status


def test_an_english_organisation_can_turn_the_post_deregistration_meeting_on(bot):
    bot.import_organisation(
        organisation_file(
            organisation={
                "name": "Kent County Council",
                "profile": "england",
                "nation": "england",
                "closure_days": [],
                "policy": {"post_deregistration": {"enabled": True}},
            }
        )
    )
    bot.sweep(local(2027, 5, 17, 10, 0))
    deregister_in_fife(bot)
    assert case_row(bot).status == "deregistered"
    assert deregistration_row(bot).window_opens_on.isoformat() == "2027-08-03"


def test_in_fife_risks_remaining_reduced_need_the_review_of_the_activity_in_the_childs_plan_first(bot):
    bot.import_organisation(FIFE)
    bot.sweep(local(2027, 5, 17, 10, 0))
    deregister_in_fife(bot)
    view = click_and_open(
        bot,
        user=MEETING_CHAIR,
        message=dm(bot, MEETING_CHAIR),
        label="Record the outcome",
        at=local(2027, 8, 10, 16, 0),
    )
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    (option,) = blocks["deregistration.activity"]["element"]["options"]
    assert option["text"]["text"] == "The meeting reviewed the activity outlined in the Child's Plan"
    answers = {
        "deregistration.held_on": "2027-08-10",
        "deregistration.risk": "no",
        "deregistration.plan": "single_agency",
        "deregistration.lead_agency": "Health",
    }
    refused = submit(bot, view, answers, user=MEETING_CHAIR)
    assert modal_errors(refused) == {
        "deregistration.activity": (
            "Risks remain reduced: first review the activity outlined in the Child's Plan, then say how the plan "
            "continues."
        )
    }
    assert case_row(bot).status == "deregistered"
    mark = bot.fake.mark()
    assert modal_errors(submit(bot, view, {**answers, "deregistration.activity": ["yes"]}, user=MEETING_CHAIR)) == {}
    assert "Case CP-2027-0142 is now closed" in ephemeral_to(bot, MEETING_CHAIR, since=mark)  # saved after the ack
    assert case_row(bot).status == "closed"
    assert deregistration_row(bot).activity_reviewed is True


def test_closing_the_case_leaves_nothing_owed_and_says_why_each_obligation_ended(bot):
    bot.import_organisation(ENGLAND)
    bot.sweep(local(2027, 5, 25, 10, 0))  # the first meeting's record is owed by now
    with bot.services.uow_factory() as uow:
        owed_before = {r.id for r in uow.obligations.open_for_case(case_row(bot).id)}
    assert owed_before
    mark = bot.fake.mark()
    assert modal_errors(submit(bot, open_deregistration(bot), DECIDED, user=CHAIR)) == {}
    assert ephemeral_to(bot, CHAIR, since=mark).startswith("Recorded: CP-2027-0142 is off the register")
    with bot.services.uow_factory() as uow:
        case_id = case_row(bot).id
        assert uow.obligations.open_for_case(case_id) == []
        ended = [r for r in uow.obligations.for_case(case_id) if r.id in owed_before]
    # Each ended with who and why: the meetings owed stop with the core group, the rest with the case.
    assert len(ended) == len(owed_before)
    assert all(r.status == "waived" and r.waived_by and r.waive_reason for r in ended)
    assert "The case was closed." in {r.waive_reason for r in ended}
