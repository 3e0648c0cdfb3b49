"""Requests for an additional meeting in Teams, over real HTTP with the fake Bot Connector, on both engines."""

from __future__ import annotations

from sqlalchemy import select

from store.models.core import AuditEvent
from tests.teams.conftest import CHANNEL, COORDINATOR, MEMBER, TEAM, TEAM_LEADER


def _ready(bot) -> int:
    """The organisation imported and everyone's app installed; the case id."""
    bot.import_organisation()
    for person in (MEMBER, TEAM_LEADER, COORDINATOR):
        bot.post(bot.activities.installation_update(person))
    with bot.services.uow_factory() as uow:
        return uow.cases.get_by_reference("CP-2027-0142").id


def _request(bot, case_id: int) -> int:
    status, answer = bot.post(
        bot.activities.task_submit(
            MEMBER,
            "request.new.submit",
            {"case_id": case_id, "concern": "new", "details": "School raised a new worry.", "urgency": "routine"},
        )
    )
    assert status == 200 and answer["task"]["type"] == "message"
    bot.dispatch()
    with bot.services.uow_factory() as uow:
        [request] = uow.requests.for_case(case_id)
        return request.id


def _audits(bot, action: str) -> int:
    with bot.services.uow_factory() as uow:
        return len(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def _in_chat(bot, person) -> list:
    return bot.fake.sent(f"a:personal-{person[0].removeprefix('29:')}")


def test_request_typed_in_the_case_channel_gets_the_asker_alone_a_card_with_request_an_additional_meeting(teams_bot):
    _ready(teams_bot)

    teams_bot.post(teams_bot.activities.channel_mention(MEMBER, "request", team_id=TEAM, channel_id=CHANNEL))

    [reply] = [c for c in teams_bot.fake.sent() if c.conversation.startswith(CHANNEL)]
    assert "Request an additional meeting" in reply.text and "CP-2027-0142" in reply.text
    assert reply.body["recipient"]["id"] == MEMBER[0] and reply.body["recipient"]["isTargeted"] is True


def test_someone_outside_the_core_group_asking_is_told_only_they_and_nothing_is_sent(teams_bot):
    _ready(teams_bot)

    teams_bot.post(teams_bot.activities.channel_mention(COORDINATOR, "request", team_id=TEAM, channel_id=CHANNEL))

    [reply] = teams_bot.fake.sent()
    assert "Request an additional meeting" not in reply.text
    assert reply.body["recipient"]["id"] == COORDINATOR[0]


def test_the_request_dialog_opens_with_concern_details_and_urgency(teams_bot):
    case_id = _ready(teams_bot)

    status, answer = teams_bot.post(teams_bot.activities.task_fetch(MEMBER, "request.new", {"case_id": case_id}))

    assert status == 200
    shown = str(answer["task"]["value"]["card"])
    assert "What is the concern?" in shown and "What has changed?" in shown and "How urgent is it?" in shown


def test_request_refuse_ask_the_coordinator_convene_the_journey_of_point_8(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)
    [decision] = _in_chat(teams_bot, TEAM_LEADER)
    assert "Approve" in decision.text and "Refuse" in decision.text

    status, answer = teams_bot.post(
        teams_bot.activities.card_action(
            TEAM_LEADER, "request.refuse", {"request_id": request_id, "reason": "Covered at the review."}
        )
    )
    assert status == 200 and "refused" in answer["value"]
    teams_bot.dispatch()
    [put] = teams_bot.fake.updates()
    assert put.conversation == decision.conversation and "Refused" in put.text and "Approve" not in put.text
    [refused] = _in_chat(teams_bot, MEMBER)
    assert "Ask the coordinator" in refused.text and "Covered at the review." in refused.text

    status, answer = teams_bot.post(
        teams_bot.activities.card_action(MEMBER, "request.ask_coordinator", {"request_id": request_id})
    )
    assert status == 200 and "Co-ordinator" in answer["value"]
    teams_bot.dispatch()
    [review] = _in_chat(teams_bot, COORDINATOR)
    assert "Convene the meeting" in review.text and "Uphold the refusal" in review.text

    status, answer = teams_bot.post(
        teams_bot.activities.task_fetch(COORDINATOR, "review.convene", {"request_id": request_id})
    )
    assert "Date" in str(answer["task"]["value"]["card"])
    status, answer = teams_bot.post(
        teams_bot.activities.task_submit(
            COORDINATOR, "review.convene.submit", {"request_id": request_id, "date": "2027-05-20", "time": "10:00"}
        )
    )
    assert answer["task"]["value"].startswith("Done: the meeting is convened")
    teams_bot.dispatch()
    outcome = _in_chat(teams_bot, MEMBER)[-1]
    assert "convened" in outcome.text
    assert any("Meeting convened" in u.text for u in teams_bot.fake.updates())


def test_approve_with_a_date_and_time_schedules_the_meeting_and_tells_the_requester(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)

    status, answer = teams_bot.post(
        teams_bot.activities.task_submit(
            TEAM_LEADER, "request.approve.submit", {"request_id": request_id, "date": "2027-05-20", "time": "14:30"}
        )
    )

    assert answer["task"]["value"].startswith("Done: the additional meeting is scheduled")
    teams_bot.dispatch()
    [approved] = _in_chat(teams_bot, MEMBER)
    assert "approved" in approved.text and "14:30" in approved.text
    [put] = teams_bot.fake.updates()
    assert "Approved" in put.text


def test_a_double_click_on_refuse_gives_one_decision_one_audit_event_and_one_notice(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)
    click = teams_bot.activities.card_action(TEAM_LEADER, "request.refuse", {"request_id": request_id, "reason": "No."})
    again = teams_bot.activities.card_action(TEAM_LEADER, "request.refuse", {"request_id": request_id, "reason": "No."})

    teams_bot.post(click)
    teams_bot.post(click)  # Teams retrying the same invoke
    status, answer = teams_bot.post(again)  # a second click

    assert status == 200 and answer["statusCode"] == 400 and "Already" in answer["value"]["message"]
    teams_bot.dispatch()
    assert _audits(teams_bot, "request.decided") == 1
    assert len(_in_chat(teams_bot, MEMBER)) == 1
    assert len(teams_bot.fake.updates()) == 1


def test_someone_else_clicking_refuse_gets_an_error_only_to_them_and_nothing_changes(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)

    status, answer = teams_bot.post(
        teams_bot.activities.card_action(MEMBER, "request.refuse", {"request_id": request_id, "reason": "Mine."})
    )
    status2, dialog = teams_bot.post(
        teams_bot.activities.task_fetch(MEMBER, "request.approve", {"request_id": request_id})
    )

    assert status == 200 and answer["statusCode"] == 400
    assert answer["value"]["message"].startswith("Only ") and "Nothing was changed" in answer["value"]["message"]
    assert dialog["task"]["type"] == "message" and "Nothing was changed" in dialog["task"]["value"]
    teams_bot.dispatch()
    assert _audits(teams_bot, "request.decided") == 0
    assert teams_bot.fake.updates() == [] and _in_chat(teams_bot, MEMBER) == []


def test_a_refusal_with_an_empty_reason_is_refused_with_a_clear_message(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)

    status, answer = teams_bot.post(
        teams_bot.activities.card_action(TEAM_LEADER, "request.refuse", {"request_id": request_id, "reason": "  "})
    )

    assert answer["statusCode"] == 400 and "A reason is needed" in answer["value"]["message"]
    assert _audits(teams_bot, "request.decided") == 0


def test_the_refresh_gives_the_decider_live_buttons_and_anyone_else_the_read_only_card(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)

    def view(person):
        activity = teams_bot.activities.card_action(person, "request.refresh", {"request_id": request_id})
        answer = teams_bot.post(activity)[1]
        assert isinstance(answer, dict) and "value" in answer, answer
        return str(answer["value"])

    assert "Approve" in view(TEAM_LEADER)
    assert "Approve" not in view(MEMBER) and "Waiting for the team leader" in view(MEMBER)
    teams_bot.post(
        teams_bot.activities.card_action(TEAM_LEADER, "request.refuse", {"request_id": request_id, "reason": "No."})
    )
    assert "Approve" not in view(TEAM_LEADER) and "Refused" in view(TEAM_LEADER)


def test_a_refresh_teams_sends_with_trigger_automatic_is_answered_with_the_viewers_card(teams_bot):
    case_id = _ready(teams_bot)
    request_id = _request(teams_bot, case_id)
    activity = teams_bot.activities.card_action(TEAM_LEADER, "request.refresh", {"request_id": request_id})
    activity["value"]["trigger"] = "automatic"

    status, answer = teams_bot.post(activity)

    assert status == 200 and "Approve" in str(answer["value"])
