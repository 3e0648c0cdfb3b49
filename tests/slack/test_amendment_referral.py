"""Significant-amendment referrals (issue 14, point 5), through Slack, under the `scotland` profile: the record that
flags one refers it to the case's CPPM chair (from the organisation file), to answer within 3 calendar days (National
Guidance 2021, para 3.137): **Review conference brought forward to …** (the case's review conference moves) or
**Considered: no early review** (a reason, kept on the referral). Unanswered, it is chased, stays in the digest, and
its breach tells the coordinator. Only the recipient, or their delegate, may answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.delegates import set_delegate
from sandbox.slack_sender import state_from_view
from tests.harness import CASE, organisation_file
from tests.slack.coordinator_steps import digests
from tests.slack.meeting_steps import CASE_CHANNEL, CHAIR, COORDINATOR, local, modal_errors, text_of
from tests.slack.receipt_steps import messages_to, press, press_and_open, record_meeting

SCOTLAND = {"name": "Angus Council", "profile": "scotland", "nation": "scotland", "closure_days": []}
CPPM = "U0CPPM"
REFERRED = "the core group thinks the plan needs significant amendment"
ANSWERS = ["Review conference brought forward to …", "Considered: no early review"]
REASON = "The plan's contingency covers the new concern until the review CPPM in August."
MEETING = local(2027, 5, 24, 10, 0)  # Mon 24 May 2027; recorded at 11:30, so the answer is due Thu 27 May, 11:30


def refer(bot, **case) -> str:
    """Register the case (review CPPM on Tue 10 Aug 2027) and record its meeting flagging a significant amendment."""
    bot.at(MEETING - timedelta(days=7))
    spec = {
        **CASE,
        "registered_on": "2027-05-14",
        "first_meeting": "2027-05-24T10:00",
        "conference_chair": CPPM,
        "review_conference": "2027-08-10",
        **case,
    }
    bot.import_organisation(organisation_file(organisation=SCOTLAND, cases=[spec]))
    bot.dispatch()
    return record_meeting(bot, at=local(2027, 5, 24, 11, 30), answers={"meeting.flags": ["significant_amendment"]})


@pytest.fixture
def referred(bot):
    refer(bot)
    return bot


def buttons_of(message: dict) -> list[str]:
    return [e["text"]["text"] for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def referral_row(bot):
    """The case's one referral, as saved."""
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference(CASE["reference"])
        (referral_id,) = [o.subject_id for o in uow.obligations.for_case(case.id) if o.kind == "amendment_referral"]
        row = uow.referrals.get(referral_id)
        uow.session.expunge(row)
        return row


def referral_owed(bot) -> list[tuple[str, str, str | None, str]]:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference(CASE["reference"])
        return [
            (o.status, o.due_local_date.isoformat(), o.owner, o.stage)
            for o in uow.obligations.for_case(case.id)
            if o.kind == "amendment_referral"
        ]


def conferences(bot) -> list[tuple[str, str]]:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference(CASE["reference"])
        return [(c.held_on.isoformat(), c.status) for c in uow.reviews.for_case(case.id)]


def answer(bot, user: str, label: str, answers: dict):
    """`user` clicks `label` on their referral DM and submits the form; the bot's HTTP answer."""
    (message,) = messages_to(bot, user, REFERRED)
    view = press_and_open(bot, user, message, label)
    mark = bot.fake.mark()
    response = bot.slack.view_submission(user_id=user, view=view, values=state_from_view(view, answers))
    assert response.status == 200
    if not modal_errors(response):
        bot.fake.wait_for("chat.postMessage", since=mark, where=lambda c: c.params.get("channel") == user)
        bot.dispatch()
    return response


def test_the_chair_is_told_the_amendment_goes_to_the_cppm_chair_for_the_review_cppm(bot):
    said = refer(bot)
    assert "The plan's need for significant amendment is referred to the CPPM chair for the review CPPM." in said


def test_a_significant_amendment_is_referred_to_the_cppm_chair_to_answer_within_three_days(referred):
    (message,) = messages_to(referred, CPPM, REFERRED)
    shown = text_of(message)
    assert buttons_of(message) == ANSWERS
    assert "For the CPPM chair to answer by Thu 27 May 2027, 11:30" in shown
    assert "may not significantly amend the plan: that is for the review CPPM" in shown
    assert messages_to(referred, COORDINATOR, REFERRED) == []
    assert referral_owed(referred) == [("open", "2027-05-27", CPPM, "pending")]
    with referred.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="meeting.referred_to_review")
    assert event.detail["to"] == CPPM


def test_brought_forward_moves_the_review_conference_and_answers_the_referral(referred):
    response = answer(referred, CPPM, ANSWERS[0], {"review.date": "2027-08-20"})
    assert modal_errors(response) == {
        "review.date": "The review CPPM is already set for Tue 10 Aug 2027: bringing it forward means an earlier date."
    }
    response = answer(referred, CPPM, ANSWERS[0], {"review.date": "2027-06-15"})
    assert modal_errors(response) == {}
    assert conferences(referred) == [("2027-06-15", "scheduled")]
    with referred.services.uow_factory() as uow:
        case = uow.cases.get_by_reference(CASE["reference"])
        reports = [
            o.due_local_date.isoformat() for o in uow.obligations.open_for_case(case.id) if o.kind == "review_report"
        ]
    assert reports == ["2027-06-08"]  # the chair's report moves with it: 5 working days before Tue 15 Jun
    assert referral_owed(referred) == [("discharged", "2027-05-27", CPPM, "pending")]
    (message,) = messages_to(referred, CPPM, "referral was answered")
    assert buttons_of(message) == []
    (told,) = [m for m in referred.fake.messages(CASE_CHANNEL) if "referral was answered" in m.get("text", "")]
    assert "the review CPPM was brought forward to Tue 15 Jun 2027" in text_of(told)
    referred.sweep(local(2027, 5, 28, 9, 0))  # the breach would have come: it was answered
    assert messages_to(referred, COORDINATOR, REFERRED) == []
    assert "Referred for significant amendment" not in text_of(digests(referred)[-1])


def test_considered_needs_a_reason_kept_on_the_referral_and_the_audit_keeps_its_length(referred):
    response = answer(referred, CPPM, ANSWERS[1], {"review.reason": "   "})
    assert modal_errors(response) == {"review.reason": "Give the reason there is no early review."}
    assert answer(referred, CPPM, ANSWERS[1], {"review.reason": REASON}).status == 200
    row = referral_row(referred)
    assert (row.status, row.reason, row.answered_by) == ("considered", REASON, CPPM)
    assert conferences(referred) == [("2027-08-10", "scheduled")]
    with referred.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="referral.answered")
        everything = str([e.detail for e in uow.audit.list()])
    assert (event.actor, event.detail["answer"], event.detail["reason_length"]) == (CPPM, "considered", len(REASON))
    assert REASON not in everything
    (told,) = [m for m in referred.fake.messages(CASE_CHANNEL) if "referral was answered" in m.get("text", "")]
    assert "it was considered: no early review" in text_of(told) and REASON not in str(told)


def test_an_unanswered_referral_is_chased_and_its_breach_after_three_days_tells_the_coordinator(referred):
    referred.sweep(local(2027, 5, 27, 8, 59))
    assert len(messages_to(referred, CPPM, REFERRED)) == 1
    referred.sweep(local(2027, 5, 27, 9, 0))  # its due day
    assert len(messages_to(referred, CPPM, REFERRED)) == 2
    assert messages_to(referred, COORDINATOR, REFERRED) == []
    referred.sweep(local(2027, 5, 28, 9, 0))  # the 3 calendar days are over: a breach
    referred.sweep(local(2027, 5, 28, 9, 5))
    (breach,) = messages_to(referred, COORDINATOR, REFERRED)
    assert (
        ":warning: Not answered within 3 calendar days (due Thu 27 May 2027, 11:30): waiting on the CPPM chair, "
        "<@U0CPPM>."
    ) in text_of(breach)
    assert len(messages_to(referred, CPPM, REFERRED)) == 3
    assert referral_owed(referred) == [("open", "2027-05-27", CPPM, "breached")]
    digest = text_of(digests(referred)[-1])
    assert "*Referred for significant amendment of the plan* (1)" in digest
    assert (
        "The meeting of Mon 24 May 2027 found the plan needs significant amendment: referred to the CPPM chair, "
        "not answered, overdue since Thu 27 May 2027 — <@U0CPPM>"
    ) in digest
    referred.sweep(local(2027, 6, 28, 9, 0))  # a month on, still unanswered: still in the digest
    assert "referred to the CPPM chair, not answered" in text_of(digests(referred)[-1])


def test_only_the_cppm_chair_may_answer_and_nothing_changes_for_anyone_else(referred):
    (message,) = messages_to(referred, CPPM, REFERRED)
    for user in (CHAIR, COORDINATOR):
        mark = referred.fake.mark()
        press(referred, user, message, ANSWERS[1])
        (refused,) = referred.fake.wait_for("response_url", since=mark)
        assert refused.params["text"] == (
            "Only the CPPM chair for CP-2027-0142 (<@U0CPPM>) or their delegate can "
            "answer this referral. Nothing was changed."
        )
        assert referred.fake.calls_to("views.open", since=mark) == []
    assert referral_owed(referred) == [("open", "2027-05-27", CPPM, "pending")]


def test_the_recipients_delegate_may_answer_for_them_and_the_audit_says_for_whom(bot):
    refer(bot, conference_chair=None)  # the coordinator has it; delegation is for coordinators and team leaders
    with bot.services.uow_factory() as uow:
        set_delegate(
            uow=uow, now=bot.clock.now(), principal=COORDINATOR, delegate="U0DEP", until=local(2027, 6, 30, 0, 0).date()
        )
        uow.commit()
    (message,) = messages_to(bot, COORDINATOR, REFERRED)
    view = press_and_open(bot, "U0DEP", message, ANSWERS[1])
    mark = bot.fake.mark()
    response = bot.slack.view_submission(
        user_id="U0DEP", view=view, values=state_from_view(view, {"review.reason": REASON})
    )
    assert modal_errors(response) == {}
    bot.fake.wait_for("chat.postMessage", since=mark, where=lambda c: c.params.get("channel") == "U0DEP")
    with bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="referral.answered")
    assert (event.actor, event.on_behalf_of) == ("U0DEP", COORDINATOR)
    assert referral_owed(bot)[0][0] == "discharged"


def test_with_no_conference_chair_named_the_coordinator_has_the_referral_and_is_told_why(bot):
    refer(bot, conference_chair=None)
    (message,) = messages_to(bot, COORDINATOR, REFERRED)
    assert buttons_of(message) == ANSWERS
    assert "No conference chair is named for this case in the organisation file" in text_of(message)
    assert "For the coordinator to answer by Thu 27 May 2027, 11:30" in text_of(message)
    assert referral_owed(bot) == [("open", "2027-05-27", COORDINATOR, "pending")]
