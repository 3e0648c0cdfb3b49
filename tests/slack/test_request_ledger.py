"""Requests for an additional meeting are owed on the ledger (issue 13): the decider's decision from when their clock
starts, the coordinator's after "Ask the coordinator"; a decision discharges them and stops every chase.

The test organisation is Scottish (south-ayrshire profile): Mon 2 Aug 2027 is a bank holiday.
"""

from __future__ import annotations

import pytest

from tests.harness import organisation_file
from tests.slack.request_steps import (
    buttons,
    click,
    click_and_open,
    dms,
    ephemeral_answer,
    local,
    make_request,
    refuse,
    submit,
    text_of,
)


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def owed(bot, kind: str):
    """The request's obligations of `kind`, open or not."""
    with bot.services.uow_factory() as uow:
        return [o for o in uow.obligations.for_case(uow.cases.get_by_reference("CP-2027-0142").id) if o.kind == kind]


def test_a_request_made_on_saturday_is_owed_from_the_next_opening_time_and_chased_from_there_once(case_bot):
    make_request(case_bot, at=local(2027, 7, 31, 11, 0))
    (row,) = owed(case_bot, "request_decision")
    # The clock starts at 09:00 on Tue 3 Aug (Monday is the bank holiday): reminded a working day on, then escalated.
    assert (row.owner, row.due_at, row.overdue_at, row.breach_at) == (
        "U0TL",
        local(2027, 8, 3, 9, 0),
        local(2027, 8, 4, 9, 0),
        local(2027, 8, 5, 9, 0),
    )
    case_bot.sweep(local(2027, 8, 4, 8, 59))
    assert len(dms(case_bot, "U0TL")) == 1
    case_bot.sweep(local(2027, 8, 4, 9, 0))
    case_bot.sweep(local(2027, 8, 4, 9, 0))  # the same moment again sends nothing more
    assert [m["text"].split(":")[0] for m in dms(case_bot, "U0TL")] == [
        "Request for an additional core group meeting — CP-2027-0142, from <@U0HV>",
        "Reminder",
    ]
    case_bot.sweep(local(2027, 8, 5, 9, 0))
    (escalated,) = dms(case_bot, "U0COORD")
    assert escalated["text"].startswith("Escalated to you")
    (row,) = owed(case_bot, "request_decision")
    assert (row.stage, row.next_step_at, row.breached_at) == ("breached", None, local(2027, 8, 5, 9, 0))
    (theirs,) = owed(case_bot, "coordinator_decision")  # escalated to the coordinator: now theirs to decide too
    assert (theirs.owner, theirs.due_at) == ("U0COORD", local(2027, 8, 5, 9, 0))


def test_a_decision_discharges_the_request_and_no_reminder_follows(case_bot):
    make_request(case_bot, at=local(2027, 7, 30, 14, 0), urgency="urgent")
    (row,) = owed(case_bot, "request_decision_urgent")
    assert (row.overdue_at, row.breach_at) == (local(2027, 7, 30, 16, 0), local(2027, 8, 3, 10, 0))
    (message,) = dms(case_bot, "U0TL")
    refuse(case_bot, user="U0TL", message=message, reason="Covered at the review", when=local(2027, 7, 30, 15, 0))
    (row,) = owed(case_bot, "request_decision_urgent")
    assert (row.status, row.discharged_by, row.discharged_at) == ("discharged", "U0TL", local(2027, 7, 30, 15, 0))
    for moment in (local(2027, 7, 30, 16, 0), local(2027, 8, 3, 10, 0), local(2027, 8, 10, 9, 0)):
        case_bot.sweep(moment)
    assert len(dms(case_bot, "U0TL")) == 1 and dms(case_bot, "U0COORD") == []


def ask_the_coordinator(bot) -> dict:
    make_request(bot, at=local(2027, 8, 3, 10, 0))
    (message,) = dms(bot, "U0TL")
    refuse(bot, user="U0TL", message=message, reason="Covered at the review", when=local(2027, 8, 3, 11, 0))
    bot.dispatch()
    (refusal,) = dms(bot, "U0HV")
    response = click(bot, user="U0HV", message=refusal, label="Ask the coordinator", at=local(2027, 8, 3, 12, 0))
    assert ephemeral_answer(bot, response).startswith("I've sent your request and the refusal to <@U0COORD>")
    bot.dispatch()
    (review,) = dms(bot, "U0COORD")
    return review


def uphold(bot, message: dict) -> None:
    view = click_and_open(bot, user="U0COORD", message=message, label="Uphold the refusal", at=local(2027, 8, 5, 15, 0))
    submit(bot, user="U0COORD", view=view, answers={"request.reason": "The review conference is on Monday"})
    bot.dispatch()


def test_asking_the_coordinator_owes_their_decision_which_the_digest_shows_and_upholding_discharges_it(case_bot):
    review = ask_the_coordinator(case_bot)
    (row,) = owed(case_bot, "coordinator_decision")
    assert (row.status, row.owner, row.due_at) == ("open", "U0COORD", local(2027, 8, 3, 12, 0))
    case_bot.sweep(local(2027, 8, 4, 9, 0))  # overdue: the england ladder tells nobody by DM, the digest lists it
    (row,) = owed(case_bot, "coordinator_decision")
    assert row.stage == "overdue" and [m for m in dms(case_bot, "U0COORD") if buttons(m)] == [review]
    uphold(case_bot, review)
    (row,) = owed(case_bot, "coordinator_decision")
    assert (row.status, row.discharged_by) == ("discharged", "U0COORD")


def test_where_the_profile_chases_the_coordinator_they_get_the_request_again_until_they_decide(bot):
    ladder = {"overdue": 1, "tell": {"overdue": ["owner"]}}
    policy = {"obligations": {"coordinator_decision": ladder}}
    bot.import_organisation(organisation_file(organisation={"policy": policy}))
    ask_the_coordinator(bot)
    bot.sweep(local(2027, 8, 4, 8, 59))
    assert len(dms(bot, "U0COORD")) == 1
    bot.sweep(local(2027, 8, 4, 9, 0))
    bot.sweep(local(2027, 8, 4, 9, 5))
    bot.dispatch()
    review, reminder = dms(bot, "U0COORD")
    assert reminder["text"].startswith("Reminder: <@U0HV> asks you to look at a refused request")
    assert "*Refused by* <@U0TL> (team leader)" in text_of(reminder)
    assert buttons(reminder) == {"Convene the meeting": "request.convene", "Uphold the refusal": "request.uphold"}
    uphold(bot, reminder)
    review, reminder = dms(bot, "U0COORD")  # both updated in place: nothing left to click
    assert buttons(review) == {} and buttons(reminder) == {}
    assert ":x: *Refusal upheld* by <@U0COORD>" in text_of(reminder)
    bot.sweep(local(2027, 8, 10, 9, 0))
    assert len(dms(bot, "U0COORD")) == 2
