"""`/core-group delegate`, and decisions by a delegate: either decides, the first decision wins."""

from __future__ import annotations

import threading

import pytest

from sandbox.slack_sender import state_from_view
from tests.slack.form_steps import answered, watch_replays
from tests.slack.request_steps import (
    approve,
    buttons,
    click_and_open,
    dms,
    local,
    make_request,
    text_of,
)

MONDAY = local(2027, 8, 2, 9, 0)  # a Scottish bank holiday, but people still set out-of-office
ASKED = local(2027, 8, 3, 9, 30)


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def delegate_command(bot, text: str, *, user: str = "U0TL", at=MONDAY) -> str:
    bot.at(at)
    response = bot.slack.slash_command(command="/core-group", text=text, user_id=user, channel_id="C0CASE142")
    (call,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert call.params["response_type"] == "ephemeral"
    return call.params["text"]


def delegations(bot) -> list[tuple[str, str, str, str]]:
    with bot.services.uow_factory() as uow:
        found = [
            d for p in ("U0TL", "U0COORD", "U0HV", "U0CHAIR") for d in uow.delegates.all_active_for(p, on=MONDAY.date())
        ]
        return [(d.principal, d.delegate, d.until.isoformat(), d.scope) for d in found]


# --- setting a delegate --------------------------------------------------------------------------


def test_a_team_leader_names_a_delegate_who_is_told_whom_they_stand_in_for(case_bot):
    answer = delegate_command(case_bot, "delegate <@U0DEP|deputy.tl> until 2027-08-13")
    assert answer.startswith(
        "Until Fri 13 Aug 2027, <@U0DEP> stands in for you for decisions on requests for an "
        "additional core group meeting (not chairing, not the coordinator's other work) "
        "(the default for your role; write `requests`, `coordinator` or `chairing` after the date"
    )
    case_bot.dispatch()
    (told,) = dms(case_bot, "U0DEP")
    assert (
        "<@U0TL> has made you their delegate until *Fri 13 Aug 2027*, for decisions on requests for an additional "
        "core group meeting (not chairing, not the coordinator's other work)."
    ) in text_of(told)
    assert "Nothing else of theirs is yours to do." in text_of(told)
    assert delegations(case_bot) == [("U0TL", "U0DEP", "2027-08-13", "request_decisions")]


def test_the_coordinator_can_name_a_delegate_with_a_bare_mention(case_bot):
    answer = delegate_command(case_bot, "delegate <@U0DEPC> 2027-08-06", user="U0COORD")
    assert (
        "<@U0DEPC> stands in for you for the coordinator's work: decisions and reviews of requests, CP9 forms" in answer
    )
    assert delegations(case_bot) == [("U0COORD", "U0DEPC", "2027-08-06", "coordination")]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (
            "delegate until 2027-08-13",
            "Say who stands in for you, and until when: `/core-group delegate @name until YYYY-MM-DD "
            "[requests|coordinator|chairing]`",
        ),
        (
            "delegate <@U0DEP|deputy> until 2027-08-13 everything",
            "`everything` is not something a delegate can cover: write `requests`, `coordinator` or `chairing`",
        ),
        ("delegate <@U0DEP|deputy> until 2027-08-13 chairing", "Only a chair can hand on chairing."),
        (
            "delegate <@U0DEP|deputy> until 2027-08-13 coordinator",
            "Only the coordinator can hand on the coordinator's work.",
        ),
        (
            "delegate @deputy until 2027-08-13",
            "I couldn't tell who `@deputy` is: pick them from Slack's list as you type @",
        ),
        ("delegate <@U0DEP|deputy>", "Say until when <@U0DEP> stands in for you"),
        ("delegate <@U0DEP|deputy> until 13/08/2027", "I couldn't read the date `13/08/2027`: write it as YYYY-MM-DD"),
        ("delegate <@U0DEP|deputy> until 2027-02-30", "`2027-02-30` is not a date in the calendar"),
        (
            "delegate <@U0DEP|deputy> until 2027-07-30",
            "2027-07-30 has already passed: give today's date or a later one",
        ),
        ("delegate <@U0TL|me> until 2027-08-13", "You can't be your own delegate: name someone else."),
    ],
)
def test_bad_delegate_input_gets_a_specific_answer_and_changes_nothing(case_bot, text, answer):
    assert delegate_command(case_bot, text).startswith(answer)
    assert delegations(case_bot) == []
    case_bot.dispatch()
    assert dms(case_bot, "U0DEP") == []


def test_a_member_who_is_not_a_team_leader_cannot_set_a_delegate(case_bot):
    answer = delegate_command(case_bot, "delegate <@U0DEP|deputy> until 2027-08-13", user="U0HV")
    assert answer == "Only a team leader, a chair or the coordinator can set a delegate."
    assert delegations(case_bot) == []


def test_delegate_off_sends_requests_back_to_the_team_leader(case_bot):
    delegate_command(case_bot, "delegate <@U0DEP|deputy> until 2027-08-13")
    assert delegate_command(case_bot, "delegate").startswith(
        "<@U0DEP> stands in for you until Fri 13 Aug 2027 for decisions on requests for an additional core group "
        "meeting"
    )
    assert delegate_command(case_bot, "delegate off") == (
        "Your delegates are off: what they covered comes to you alone again."
    )
    assert delegate_command(case_bot, "delegate off") == "You had no delegate: nothing to turn off."
    confirmation = make_request(case_bot, at=ASKED)
    assert "has gone to <@U0TL>, the team leader," in confirmation["text"]
    case_bot.dispatch()
    assert [m for m in dms(case_bot, "U0DEP") if buttons(m)] == []


# --- deciding as a delegate ------------------------------------------------------------------------


def delegated_request(bot):
    delegate_command(bot, "delegate <@U0DEP|deputy.tl> until 2027-08-13")
    confirmation = make_request(bot, at=ASKED)
    assert "has gone to <@U0DEP>, standing in for the team leader <@U0TL>," in confirmation["text"]
    deputy = [m for m in dms(bot, "U0DEP") if buttons(m)]
    (leader,) = dms(bot, "U0TL")
    assert len(deputy) == 1
    return deputy[0], leader


def test_a_request_goes_to_the_delegate_and_the_team_leader_keeps_a_copy(case_bot):
    deputy, leader = delegated_request(case_bot)
    assert "You have this as delegate for <@U0TL> (team leader)." in text_of(deputy)
    assert "Your delegate <@U0DEP> has this too" in text_of(leader)
    assert buttons(deputy) == buttons(leader) == {"Approve": "request.approve", "Refuse": "request.refuse"}
    with case_bot.services.uow_factory() as uow:
        (routed,) = uow.audit.list(action="request.routed")
        assert (routed.actor, routed.on_behalf_of) == ("U0DEP", "U0TL")


def test_the_delegates_decision_is_recorded_for_the_team_leader_and_both_messages_are_updated(case_bot):
    deputy, leader = delegated_request(case_bot)
    approve(case_bot, user="U0DEP", message=deputy, day="2027-08-06", at_time="10:00", when=local(2027, 8, 3, 10, 42))
    case_bot.dispatch()
    for person in ("U0DEP", "U0TL"):
        updated = [m for m in dms(case_bot, person) if "Approved" in text_of(m)]
        assert len(updated) == 1 and buttons(updated[0]) == {}
        assert "*Approved* by <@U0DEP> for <@U0TL> on Tue 3 Aug 2027, 10:42" in text_of(updated[0])
    assert "Approved by <@U0DEP> for <@U0TL>" in text_of(dms(case_bot, "U0HV")[-1])
    with case_bot.services.uow_factory() as uow:
        (decided,) = uow.audit.list(action="request.decided")
        assert (decided.actor, decided.on_behalf_of) == ("U0DEP", "U0TL")
        (scheduled,) = [e for e in uow.audit.list(action="meeting.scheduled") if e.detail["kind"] == "additional"]
        assert (scheduled.actor, scheduled.on_behalf_of) == ("U0DEP", "U0TL")


# --- at the same moment ------------------------------------------------------------------------------


def submit_together(bot, submissions: list[tuple[str, dict, dict]]) -> list[int]:
    """Send several view submissions at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(submissions))
    statuses: list[int] = []

    def send(user: str, view: dict, answers: dict) -> None:
        values = state_from_view(view, answers)
        barrier.wait()
        statuses.append(bot.slack.view_submission(user_id=user, view=view, values=values).status)

    threads = [threading.Thread(target=send, args=s) for s in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def assert_exactly_one_decision(bot) -> None:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        assert len([m for m in uow.meetings.for_case(case.id) if m.kind == "additional"]) == 1
        assert len(uow.audit.list(action="request.decided")) == 1
        assert len(uow.outbox.list(kind="request_approved")) == 1
        assert len([m for m in uow.outbox.list(kind="meeting_scheduled") if m.payload["kind"] == "additional"]) == 1
        closed = [m for m in uow.outbox.list(kind="request_decision") if m.replaces_key]
        assert len(closed) == 2  # one update for each message that had the buttons


def test_the_team_leader_and_the_delegate_approving_at_the_same_moment_give_one_decision(case_bot):
    deputy, leader = delegated_request(case_bot)
    when = local(2027, 8, 3, 10, 42)
    deputy_form = click_and_open(case_bot, user="U0DEP", message=deputy, label="Approve", at=when)
    leader_form = click_and_open(case_bot, user="U0TL", message=leader, label="Approve", at=when)
    mark = case_bot.fake.mark()
    statuses = submit_together(
        case_bot,
        [
            ("U0DEP", deputy_form, {"request.date": "2027-08-06", "request.time": "10:00"}),
            ("U0TL", leader_form, {"request.date": "2027-08-09", "request.time": "14:00"}),
        ],
    )
    assert statuses == [200, 200]
    answers = {
        c.params["user"]: c.params["text"] for c in case_bot.fake.wait_for("chat.postEphemeral", count=2, since=mark)
    }
    assert_exactly_one_decision(case_bot)
    with case_bot.services.uow_factory() as uow:
        (request,) = uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
    winner, loser = request.decided_by, ({"U0DEP", "U0TL"} - {request.decided_by}).pop()
    assert answers[winner].startswith("Done: the additional meeting is scheduled")
    assert answers[loser] == f"Already approved by <@{winner}> at 10:42 on Tue 3 Aug 2027."
    case_bot.dispatch()
    assert len([m for m in case_bot.fake.messages("C0CASE142") if "Additional" in m["text"]]) == 1
    assert len(dms(case_bot, "U0HV")) == 1


def test_a_double_submitted_approval_schedules_one_meeting(case_bot, caplog):
    watch_replays(caplog)
    make_request(case_bot, at=ASKED)
    (message,) = dms(case_bot, "U0TL")
    form = click_and_open(case_bot, user="U0TL", message=message, label="Approve", at=local(2027, 8, 3, 10, 42))
    answers = {"request.date": "2027-08-06", "request.time": "10:00"}
    mark = case_bot.fake.mark()
    assert submit_together(case_bot, [("U0TL", form, answers), ("U0TL", form, answers)]) == [200, 200]
    texts = answered(case_bot, caplog, since=mark, total=2)
    # The twin is acknowledged like the first and changes nothing; if it was already running, it is told so.
    done = [t for t in texts if t.startswith("Done: the additional meeting is scheduled")]
    assert len(done) == 1
    assert [t for t in texts if t not in done] in ([], ["Already approved by <@U0TL> at 10:42 on Tue 3 Aug 2027."])
    with case_bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        assert len([m for m in uow.meetings.for_case(case.id) if m.kind == "additional"]) == 1
        assert len(uow.audit.list(action="request.decided")) == 1
