"""Inbound Teams activities over real HTTP: references learnt, `help` answered to the asker only."""

from __future__ import annotations

from tests.teams.conftest import CHAIR, CHANNEL, MEMBER, TEAM, TENANT_ID


def test_help_typed_in_the_1to1_chat_is_answered_there_with_the_commands(teams_bot):
    status, _ = teams_bot.post(teams_bot.activities.message(MEMBER, "help"))

    assert status == 200
    [reply] = teams_bot.fake.sent()
    assert reply.conversation == "a:personal-hv"
    assert "help" in reply.text and "status" in reply.text and "request" in reply.text
    assert reply.headers["authorization"].startswith("Bearer ")


def test_the_bot_gets_its_outbound_token_from_the_identity_platform_by_client_credentials(teams_bot):
    teams_bot.post(teams_bot.activities.message(MEMBER, "help"))

    [request] = teams_bot.fake.token_requests
    assert request["grant_type"] == "client_credentials"
    assert request["scope"] == "https://api.botframework.com/.default"


def test_help_after_an_at_mention_in_a_channel_is_answered_to_the_asker_alone(teams_bot):
    activity = teams_bot.activities.channel_mention(CHAIR, "help", team_id=TEAM, channel_id=CHANNEL)

    status, _ = teams_bot.post(activity)

    assert status == 200
    [reply] = teams_bot.fake.sent()
    assert reply.conversation.startswith(CHANNEL)
    assert "request" in reply.text
    assert reply.body["recipient"]["id"] == CHAIR[0]
    assert reply.body["recipient"].get("isTargeted") is True


def test_a_command_the_bot_does_not_know_gets_a_pointer_to_help(teams_bot):
    teams_bot.post(teams_bot.activities.message(MEMBER, "dance"))

    [reply] = teams_bot.fake.sent()
    assert "don't know the command 'dance'" in reply.text


def test_a_word_the_bot_does_not_know_is_answered_with_what_it_can_do(teams_bot):
    teams_bot.post(teams_bot.activities.message(MEMBER, "reschedule"))

    [reply] = teams_bot.fake.sent()
    assert reply.conversation == "a:personal-hv"
    assert "help" in reply.text and "reschedule" in reply.text


def test_a_message_in_the_1to1_chat_records_its_reference_and_the_senders_teams_id(teams_bot):
    teams_bot.post(teams_bot.activities.message(MEMBER, "help"))

    assert teams_bot.refs() == [("a:personal-hv", "personal", "active", MEMBER[1])]
    with teams_bot.services.uow_factory() as uow:
        member = uow.teams_refs.member(MEMBER[1])
        assert (member.teams_id, member.tenant_id) == (MEMBER[0], TENANT_ID)


def test_installing_the_app_in_a_channel_records_the_channel_with_its_team(teams_bot):
    status, _ = teams_bot.post(teams_bot.activities.installation_update(CHAIR, team_id=TEAM, channel_id=CHANNEL))

    assert status == 200
    with teams_bot.services.uow_factory() as uow:
        ref = uow.teams_refs.for_channel(CHANNEL)
        assert (ref.conversation_type, ref.team_id, ref.service_url) == ("channel", TEAM, teams_bot.fake.service_url)
    assert teams_bot.fake.sent() == []


def test_uninstalling_the_app_from_the_1to1_chat_marks_it_inactive(teams_bot):
    teams_bot.post(teams_bot.activities.installation_update(MEMBER))
    teams_bot.post(teams_bot.activities.installation_update(MEMBER, action="remove"))

    assert teams_bot.refs() == [("a:personal-hv", "personal", "inactive", MEMBER[1])]


def test_an_activity_from_another_tenant_is_ignored_and_records_nothing(teams_bot):
    activity = teams_bot.activities.message(MEMBER, "help")
    other = "99999999-9999-4999-8999-999999999999"
    activity["conversation"]["tenantId"] = other
    activity["channelData"]["tenant"]["id"] = other

    status, _ = teams_bot.post(activity)

    assert status == 200
    assert teams_bot.refs() == []
    assert teams_bot.fake.sent() == []
