"""The Home tab end to end: `app_home_opened` publishes what each person sees (their cases and next meeting, what
waits on them with the same buttons as their DMs, the coordinator's digest live, the delegate setting); a click on
it works as in the DM; it is re-published when what the person sees changes."""

from __future__ import annotations

import pytest

from tests.slack.coordinator_steps import home_buttons, home_click, open_home
from tests.slack.meeting_steps import CHAIR, COORDINATOR, local, text_of
from tests.slack.receipt_steps import case_meeting_at, plan_sent_by_command, record_meeting
from tests.slack.request_steps import make_request, opened_view, submit

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027


@pytest.fixture
def case_bot(bot):
    bot.at(local(2027, 5, 14, 12, 0))
    bot.import_organisation()
    bot.dispatch()
    return bot


def published_since(bot, user: str, mark: int) -> list:
    return [c for c in bot.fake.calls_to("views.publish", since=mark) if c.params.get("user_id") == user]


def test_a_member_sees_their_case_and_its_next_meeting_and_nothing_waiting(case_bot):
    view = open_home(case_bot, "U0HV")
    shown = text_of(view)
    assert "*Your cases* (1)\n• *CP-2027-0142* <#C0CASE142> — member — next meeting Mon 24 May 2027, 10:00" in shown
    assert "*What waits on you*\nNothing waits on you." in shown
    assert "Your delegate" not in shown  # only team leaders and the coordinator set one
    assert home_buttons(view) == []


def test_the_team_leader_decides_a_request_from_the_home_tab_and_it_is_refreshed(case_bot):
    make_request(case_bot, at=local(2027, 5, 17, 10, 0))
    view = open_home(case_bot, "U0TL")
    assert (
        "A request for an additional meeting (deepening concerns, routine), asked on Mon 17 May 2027 — from <@U0HV>"
        in text_of(view)
    )
    request_id = next(v for label, _, v in home_buttons(view) if label == "Approve")
    assert [(label, a) for label, a, v in home_buttons(view) if v == request_id] == [
        ("Approve", "request.approve"),
        ("Refuse", "request.refuse"),
    ]
    mark = case_bot.fake.mark()
    home_click(case_bot, "U0TL", view, "Refuse")
    form = opened_view(case_bot, mark)
    assert form["callback_id"] == "request.refuse_modal"  # the same form as from the DM
    submit(case_bot, user="U0TL", view=form, answers={"request.reason": "Covered at the meeting on 24 May"})
    mark = case_bot.fake.mark()
    case_bot.dispatch()
    assert published_since(case_bot, "U0TL", mark), "the team leader's Home is re-published"
    assert "Nothing waits on you." in text_of(case_bot.fake.home_view("U0TL"))
    with case_bot.services.uow_factory() as uow:
        (request,) = uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
    assert request.status == "refused" and request.decided_by == "U0TL"


def test_a_stale_button_on_the_home_tab_answers_in_a_modal_and_changes_nothing(case_bot):
    make_request(case_bot, at=local(2027, 5, 17, 10, 0))
    view = open_home(case_bot, "U0TL")
    stale = open_home(case_bot, "U0POL")
    assert home_buttons(stale) == []
    form_mark = case_bot.fake.mark()
    home_click(case_bot, "U0TL", view, "Refuse")
    submit(case_bot, user="U0TL", view=opened_view(case_bot, form_mark), answers={"request.reason": "Not needed"})
    mark = case_bot.fake.mark()
    home_click(case_bot, "U0TL", view, "Approve")  # the old Home, before it was refreshed
    (answer,) = case_bot.fake.wait_for("views.open", since=mark)
    assert answer.params["view"]["title"]["text"] == "Core group"
    assert text_of(answer.params["view"]).startswith("Already refused by <@U0TL> at ")
    case_bot.fake.wait_for("views.publish", since=mark, where=lambda c: c.params.get("user_id") == "U0TL")


def test_a_member_confirms_the_plan_from_the_home_tab(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=local(2027, 7, 30, 12, 0))
    plan_sent_by_command(bot)
    view = open_home(bot, "U0HV")
    assert "Confirm you have received the plan (due with you by Mon 9 Aug 2027)" in text_of(view)
    mark = bot.fake.mark()
    home_click(bot, "U0HV", view, "I have received the plan")
    (answer,) = bot.fake.wait_for("views.open", since=mark)
    assert text_of(answer.params["view"]) == "Thank you: the chair can see you have received the plan."
    bot.fake.wait_for("views.publish", since=mark, where=lambda c: c.params.get("user_id") == "U0HV")
    assert "Confirm you have received the plan" not in text_of(bot.fake.home_view("U0HV"))


def test_the_chair_and_the_coordinator_see_their_cp9_and_letter_steps_and_the_digest_live(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=local(2027, 7, 30, 12, 0), answers={"meeting.flags": ["institution"]})
    chair = open_home(bot, CHAIR)
    labels = [label for label, _, _ in home_buttons(chair)]
    # oldest first; then the chair's own delegate setting (a chair may hand on chairing)
    assert labels == ["Give the details", "Mark CP9 sent", "Plan sent", "Set a delegate"]
    coordinator = open_home(bot, COORDINATOR)
    shown = text_of(coordinator)
    # Nothing the case owes is overdue yet (the CP9 is due in a week, the letter's details just asked): on time.
    assert "*Today's digest, live* — 2 things need you today — 1 case on time" in shown
    assert "CP9 due by Fri 6 Aug 2027 (meeting of Fri 30 Jul 2027) — <@U0CHAIR>" in shown
    assert "Institution letter: details awaited from the chair since Fri 30 Jul 2027" in shown
    assert "*Your delegate*\nNobody stands in for you." in shown
    assert "As the coordinator you oversee 1 open case" in shown
    assert len(coordinator["blocks"]) <= 100


def test_the_delegate_setting_opens_a_modal_and_saves_through_the_delegate_service(case_bot):
    view = open_home(case_bot, "U0TL")
    assert [label for label, _, _ in home_buttons(view)] == ["Set a delegate"]
    mark = case_bot.fake.mark()
    home_click(case_bot, "U0TL", view, "Set a delegate")
    form = opened_view(case_bot, mark)
    kinds = {b["block_id"]: b["element"]["type"] for b in form["blocks"] if b["type"] == "input"}
    assert kinds == {"home.delegate": "users_select", "home.until": "datepicker", "home.scope": "static_select"}
    offered = next(b for b in form["blocks"] if b.get("block_id") == "home.scope")["element"]["options"]
    assert [o["value"] for o in offered] == ["request_decisions"]  # a team leader who chairs nothing
    mark = case_bot.fake.mark()
    submit(
        case_bot,
        user="U0TL",
        view=form,
        answers={"home.delegate": "U0DEP", "home.until": "2027-05-28"},
        wait_for="views.publish",
    )
    assert (
        "*Your delegate*\n<@U0DEP> stands in for you until Fri 28 May 2027 (inclusive), for decisions on requests"
        in text_of(case_bot.fake.home_view("U0TL"))
    )
    case_bot.dispatch()
    assert any("U0TL" in m["text"] or "<@U0TL>" in text_of(m) for m in case_bot.fake.messages("U0DEP"))
    home_click(case_bot, "U0TL", case_bot.fake.home_view("U0TL"), "Turn off")
    case_bot.fake.wait_for("views.publish", since=mark, count=2, where=lambda c: c.params.get("user_id") == "U0TL")
    assert "Nobody stands in for you." in text_of(case_bot.fake.home_view("U0TL"))


def test_yourself_as_delegate_keeps_the_modal_open_with_the_reason(case_bot):
    view = open_home(case_bot, "U0TL")
    mark = case_bot.fake.mark()
    home_click(case_bot, "U0TL", view, "Set a delegate")
    form = opened_view(case_bot, mark)
    response = submit(
        case_bot, user="U0TL", view=form, answers={"home.delegate": "U0TL", "home.until": "2027-05-28"}, wait_for=None
    )
    assert response.json()["errors"] == {"home.delegate": "You can't be your own delegate: name someone else."}
