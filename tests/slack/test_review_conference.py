"""The review conference (issue 14, point 4), through Slack, under the `scotland` profile (the review CPPM): its date
from the organisation file or `/core-group review-conference`; the chair's report owed 5 working days before it,
reminded and chased on the ledger and discharged by `/core-group report`; the digest's conferences in the next 10
working days without a report; and the coordinator's decision the working day after: the plan continues (the next
cycle) or the child's name is removed (the deregistration form takes over)."""

from __future__ import annotations

import pytest

from sandbox.slack_sender import state_from_view
from tests.harness import CASE, organisation_file
from tests.slack.coordinator_steps import digests
from tests.slack.meeting_steps import CASE_CHANNEL, CHAIR, COORDINATOR, local, modal_errors, text_of
from tests.slack.receipt_steps import command_reply, message_to, messages_to, press, press_and_open

SCOTLAND = {"name": "Angus Council", "profile": "scotland", "nation": "scotland", "closure_days": []}
CONFERENCE = "2027-09-14"  # Tue 14 Sep 2027: the report is due 5 working days before, Tue 7 Sep
REPORT_DUE = "The report for the review CPPM of Tue 14 Sep 2027 for CP-2027-0142"
DECISION = "What did the review CPPM of Tue 14 Sep 2027 for CP-2027-0142 decide?"
SECTION = "*Review conferences in the next 10 working days without a report* (1)"


REGISTERED_AT = local(2027, 8, 23, 12, 0)


def register(bot, *, at=REGISTERED_AT, **case):
    """The case (first meeting long past: its own chases are out of the way) with the file's extra keys."""
    bot.at(at)
    spec = {**CASE, "registered_on": "2027-05-10", "first_meeting": None, **case}
    bot.import_organisation(organisation_file(organisation=SCOTLAND, cases=[spec]))
    bot.dispatch()


@pytest.fixture
def review_bot(bot):
    register(bot, review_conference=CONFERENCE)
    return bot


def case_id(uow) -> int:
    return uow.cases.get_by_reference(CASE["reference"]).id


def owed(bot, kind: str) -> list[tuple[str, str, str | None]]:
    """(status, local due date, owner) of the case's obligations of `kind`, oldest first."""
    with bot.services.uow_factory() as uow:
        return [
            (o.status, o.due_local_date.isoformat(), o.owner)
            for o in uow.obligations.for_case(case_id(uow))
            if o.kind == kind
        ]


def conferences(bot) -> list[tuple[str, str]]:
    with bot.services.uow_factory() as uow:
        return [(c.held_on.isoformat(), c.status) for c in uow.reviews.for_case(case_id(uow))]


def channel_posts(bot, containing: str) -> list[dict]:
    return [m for m in bot.fake.messages(CASE_CHANNEL) if containing in m.get("text", "")]


def submit(bot, view: dict, answers: dict, *, user: str, confirmed_by: str = "chat.postMessage"):
    """Submit a form; once it closes, wait for the bot's confirmation to `user` (the listener goes on after its ack)
    and deliver what it enqueued."""
    mark = bot.fake.mark()
    response = bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))
    assert response.status == 200
    if not (response.json() or {}).get("response_action"):
        bot.fake.wait_for(
            confirmed_by, since=mark, where=lambda c: user in (c.params.get("user"), c.params.get("channel"))
        )
    bot.dispatch()
    return response


def test_the_file_sets_the_conference_and_the_chair_owes_the_report_five_working_days_before(review_bot):
    (told,) = channel_posts(review_bot, "the review CPPM is on")
    assert told["text"] == "CP-2027-0142: the review CPPM is on Tue 14 Sep 2027"
    assert "The core group's report to it is due from the chair by Tue 7 Sep 2027" in text_of(told)
    assert "Set by the organisation file." in text_of(told)
    assert owed(review_bot, "review_report") == [("open", "2027-09-07", CHAIR)]
    assert owed(review_bot, "review_outcome") == [("open", "2027-09-15", COORDINATOR)]
    review_bot.import_organisation(
        organisation_file(
            organisation=SCOTLAND,
            cases=[{**CASE, "registered_on": "2027-05-10", "first_meeting": None, "review_conference": CONFERENCE}],
        )
    )
    assert len(conferences(review_bot)) == 1  # the same file again changes nothing


def test_the_report_is_reminded_three_working_days_before_and_on_the_day_then_overdue_to_the_coordinator(review_bot):
    review_bot.sweep(local(2027, 9, 2, 8, 59))
    assert messages_to(review_bot, CHAIR, REPORT_DUE) == []
    review_bot.sweep(local(2027, 9, 2, 9, 0))  # Thu 2 Sep: 3 working days before Tue 7 Sep
    review_bot.sweep(local(2027, 9, 2, 9, 30))
    (reminder,) = messages_to(review_bot, CHAIR, REPORT_DUE)
    assert reminder["text"] == f"{REPORT_DUE} is due"
    assert "Produce it in the case channel with `/core-group report`" in text_of(reminder)
    review_bot.sweep(local(2027, 9, 7, 9, 0))
    assert len(messages_to(review_bot, CHAIR, REPORT_DUE)) == 2
    assert messages_to(review_bot, COORDINATOR, REPORT_DUE) == []
    review_bot.sweep(local(2027, 9, 8, 9, 0))  # the next working day: overdue, the coordinator told too
    assert messages_to(review_bot, CHAIR, REPORT_DUE)[-1]["text"] == f"{REPORT_DUE} is overdue"
    (to_coordinator,) = messages_to(review_bot, COORDINATOR, REPORT_DUE)
    assert "was due by Tue 7 Sep 2027" in text_of(to_coordinator) and "<@U0CHAIR>" in text_of(to_coordinator)


def test_the_digest_lists_a_conference_in_the_next_ten_working_days_with_no_report(review_bot):
    review_bot.sweep(local(2027, 8, 31, 9, 0))  # Tue 31 Aug: Tue 14 Sep is 10 working days on
    assert SECTION in text_of(digests(review_bot)[-1])
    assert "The review CPPM is on Tue 14 Sep 2027: no report yet (due Tue 7 Sep 2027) — <@U0CHAIR>" in text_of(
        digests(review_bot)[-1]
    )


def test_a_conference_further_off_is_not_in_the_digest_yet(review_bot):
    review_bot.sweep(local(2027, 8, 30, 9, 0))  # Mon 30 Aug (a working day in Scotland): 11 working days before
    assert "Review conferences" not in text_of(digests(review_bot)[-1])


def test_the_report_produced_discharges_what_is_owed_the_reminder_says_so_and_nothing_more_is_sent(review_bot):
    review_bot.sweep(local(2027, 9, 2, 9, 0))
    review_bot.at(local(2027, 9, 6, 10, 0))
    reply = command_reply(review_bot, "report", user=CHAIR)
    assert "It is the report owed to the review conference of Tue 14 Sep 2027." in reply["text"]
    review_bot.dispatch()
    assert owed(review_bot, "review_report") == [("discharged", "2027-09-07", CHAIR)]
    (reminder,) = messages_to(review_bot, CHAIR, REPORT_DUE)
    assert reminder["text"] == f"{REPORT_DUE} was produced"
    review_bot.sweep(local(2027, 9, 7, 9, 0))
    review_bot.sweep(local(2027, 9, 8, 9, 0))
    assert (
        len(messages_to(review_bot, CHAIR, REPORT_DUE)) == 1 and messages_to(review_bot, COORDINATOR, REPORT_DUE) == []
    )
    assert "Review conferences" not in text_of(digests(review_bot)[-1])


def test_a_report_months_ahead_does_not_count_for_the_conference(review_bot):
    review_bot.at(local(2027, 8, 23, 14, 0))
    reply = command_reply(review_bot, "report", user=CHAIR)
    assert "owed to the review conference" not in reply["text"]
    assert owed(review_bot, "review_report") == [("open", "2027-09-07", CHAIR)]


def test_the_chair_sets_the_conference_by_command_the_channel_is_told_and_it_is_audited(bot):
    register(bot)
    reply = command_reply(bot, f"review-conference {CONFERENCE}", user=CHAIR)
    assert reply["text"] == (
        "Set: the review CPPM for CP-2027-0142 is on Tue 14 Sep 2027. The chair's report to it is "
        "due by Tue 7 Sep 2027; the case channel is told."
    )
    bot.dispatch()
    assert "Set by <@U0CHAIR>." in text_of(channel_posts(bot, "the review CPPM is on")[0])
    assert owed(bot, "review_report") == [("open", "2027-09-07", CHAIR)]
    reply = command_reply(bot, "review-conference 2027-09-21", user=COORDINATOR)  # moved: the report moves with it
    assert "(it was Tue 14 Sep 2027)" in reply["text"]
    assert owed(bot, "review_report") == [("open", "2027-09-14", CHAIR)]
    with bot.services.uow_factory() as uow:
        events = [
            (e.actor, e.detail["held_on"], e.detail["previous"]) for e in uow.audit.list(action="review_conference.set")
        ]
    assert events == [(CHAIR, CONFERENCE, None), (COORDINATOR, "2027-09-21", CONFERENCE)]


@pytest.mark.parametrize(
    "text, said",
    [
        ("review-conference", "Say when the next review conference is"),
        ("review-conference 14/09/2027", "I couldn't read the date `14/09/2027`"),
        (
            "review-conference 2027-08-20",
            "Fri 20 Aug 2027 has passed: give the date of the review CPPM, today or later.",
        ),
    ],
)
def test_a_bad_date_is_answered_and_nothing_is_set(bot, text, said):
    register(bot)
    assert said in command_reply(bot, text, user=CHAIR)["text"]
    assert conferences(bot) == []


def test_a_member_may_not_set_the_conference(bot):
    register(bot)
    reply = command_reply(bot, f"review-conference {CONFERENCE}", user="U0HV")
    assert reply["text"] == (
        "Only the chair of CP-2027-0142 or the coordinator or their delegate can set its "
        "review CPPM. Nothing was changed."
    )
    assert conferences(bot) == []


def decision_form(bot, *, user: str = COORDINATOR) -> dict:
    bot.sweep(local(2027, 9, 15, 9, 0))  # the working day after the conference
    message = message_to(bot, COORDINATOR, DECISION)
    assert [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "Record the conference's decision"
    ]
    return press_and_open(bot, user, message, "Record the conference's decision")


def test_the_plan_continues_with_the_next_date_and_the_cycle_repeats(review_bot):
    view = decision_form(review_bot)
    assert view["callback_id"] == "review.outcome_modal"
    response = submit(review_bot, view, {"review.decision": "continues"}, user=COORDINATOR)
    assert modal_errors(response) == {"review.next_on": "Give the date of the next review CPPM (YYYY-MM-DD)."}
    response = submit(
        review_bot, view, {"review.decision": "continues", "review.next_on": "2027-12-07"}, user=COORDINATOR
    )
    assert modal_errors(response) == {}
    assert conferences(review_bot) == [(CONFERENCE, "continues"), ("2027-12-07", "scheduled")]
    # Tue 7 Dec 2027: 5 working days before skips St Andrew's Day (Tue 30 Nov, a Scottish bank holiday).
    assert owed(review_bot, "review_report") == [("waived", "2027-09-07", CHAIR), ("open", "2027-11-29", CHAIR)]
    assert owed(review_bot, "review_outcome") == [
        ("discharged", "2027-09-15", COORDINATOR),
        ("open", "2027-12-08", COORDINATOR),
    ]
    (done,) = messages_to(review_bot, COORDINATOR, "The decision of the review CPPM of Tue 14 Sep 2027")
    assert "the plan continues" in text_of(done)
    assert channel_posts(review_bot, "the review CPPM is on Tue 7 Dec 2027")
    review_bot.sweep(local(2027, 9, 17, 9, 0))  # its repeat would have come: the decision is recorded
    assert messages_to(review_bot, COORDINATOR, DECISION) == []


def test_only_the_coordinator_records_the_decision(review_bot):
    review_bot.sweep(local(2027, 9, 15, 9, 0))
    message = message_to(review_bot, COORDINATOR, DECISION)
    mark = review_bot.fake.mark()
    press(review_bot, CHAIR, message, "Record the conference's decision")
    (answer,) = review_bot.fake.wait_for("response_url", since=mark)
    assert answer.params["text"] == (
        "Only the Co-ordinator, Children Services (<@U0COORD>) or their delegate for the "
        "coordinator's work can record what the review CPPM for CP-2027-0142 decided. "
        "Nothing was changed."
    )
    assert review_bot.fake.calls_to("views.open", since=mark) == []


def test_the_name_removed_hands_over_to_the_deregistration_form_which_ends_the_cycle(review_bot):
    view = decision_form(review_bot)
    response = submit(review_bot, view, {"review.decision": "removed"}, user=COORDINATOR)
    body = response.json()
    assert body["response_action"] == "update" and body["view"]["callback_id"] == "deregistration.deregister_modal"
    assert conferences(review_bot) == [(CONFERENCE, "scheduled")]  # nothing decided until the form is saved
    dereg = body["view"]
    # Scotland has no post-deregistration meeting: the form records how the plan continues and closes the case.
    response = submit(
        review_bot,
        dereg,
        {
            "deregistration.conference_on": CONFERENCE,
            "deregistration.plan": "multi_agency",
            "deregistration.lead_agency": "Social work",
        },
        user=COORDINATOR,
        confirmed_by="chat.postEphemeral",
    )
    assert modal_errors(response) == {}
    assert conferences(review_bot) == [(CONFERENCE, "removed")]
    assert owed(review_bot, "review_outcome") == [("discharged", "2027-09-15", COORDINATOR)]
    with review_bot.services.uow_factory() as uow:
        assert uow.cases.get(case_id(uow)).status == "closed"
        assert [e.detail["decision"] for e in uow.audit.list(action="review_conference.decided")] == ["removed"]
    assert "the child's name was removed" in text_of(
        messages_to(review_bot, COORDINATOR, "The decision of the review CPPM of Tue 14 Sep 2027")[0]
    )
