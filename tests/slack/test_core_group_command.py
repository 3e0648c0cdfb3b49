"""`/core-group status` and `help`, driven over HTTP the way Slack sends them."""

from __future__ import annotations

import pytest

from handlers import core_group


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    return bot


def blocks_text(reply: dict) -> str:
    return "\n".join(
        b.get("text", {}).get("text", "") if isinstance(b.get("text"), dict) else "" for b in reply.get("blocks", [])
    )


def test_status_shows_the_case_roles_and_next_meeting_to_a_member(case_bot):
    response = case_bot.slack.slash_command(
        command="/core-group", text="status", user_id="U0HV", channel_id="C0CASE142"
    )
    assert response.status == 200
    reply = case_bot.wait_for_reply()
    shown = blocks_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "CP-2027-0142" in shown
    assert "*Chair:* <@U0CHAIR>" in shown and "*Team leader:* <@U0TL>" in shown
    assert "*Members:* 3" in shown and "Mother, Father" in shown
    assert "*Next meeting:* Mon 24 May 2027, 10:00" in shown


def test_status_outside_a_case_channel_says_so_and_nothing_else(case_bot):
    case_bot.slack.slash_command(command="/core-group", text="status", user_id="U0HV", channel_id="C0RANDOM")
    reply = case_bot.wait_for_reply()
    assert reply["response_type"] == "ephemeral"
    assert "not a core group case channel" in reply["text"]
    assert case_bot.fake.calls_to("chat.postMessage") == []


def test_status_from_someone_outside_the_case_is_refused(case_bot):
    case_bot.slack.slash_command(command="/core-group", text="status", user_id="U0STRANGER", channel_id="C0CASE142")
    reply = case_bot.wait_for_reply()
    assert reply["text"] == "You are not in this case's core group. Ask the coordinator if you should be."
    assert "U0CHAIR" not in str(reply) and "CP-2027-0142" not in str(reply)


def test_the_coordinator_may_see_any_cases_status(case_bot):
    case_bot.slack.slash_command(command="/core-group", text="status", user_id="U0COORD", channel_id="C0CASE142")
    assert "*Chair:* <@U0CHAIR>" in blocks_text(case_bot.wait_for_reply())


def test_help_lists_the_subcommands(case_bot):
    case_bot.slack.slash_command(command="/core-group", text="help", user_id="U0HV", channel_id="C0CASE142")
    shown = blocks_text(case_bot.wait_for_reply())
    assert "`/core-group status`" in shown and "`/core-group help`" in shown and "/request-core-group" in shown


def test_an_unknown_subcommand_answers_with_help(case_bot):
    case_bot.slack.slash_command(command="/core-group", text="frobnicate now", user_id="U0HV", channel_id="C0CASE142")
    reply = case_bot.wait_for_reply()
    assert reply["response_type"] == "ephemeral"
    assert "I don't know `frobnicate`" in blocks_text(reply) and "`/core-group status`" in blocks_text(reply)


def test_an_unexpected_error_gets_an_apology_with_an_incident_id_and_a_logged_traceback(case_bot, caplog):
    def explode(**_):
        raise RuntimeError("database on fire xoxb-should-not-leak")

    core_group.subcommand("explode", "test only")(explode)
    try:
        case_bot.slack.slash_command(command="/core-group", text="explode", user_id="U0HV", channel_id="C0CASE142")
        reply = case_bot.wait_for_reply()
    finally:
        core_group._SUBCOMMANDS.pop("explode")
    assert reply["text"].startswith("Sorry, something went wrong and nothing was changed. Incident id: ")
    incident = reply["text"].rsplit(" ", 1)[-1].rstrip(".")
    logged = [r for r in caplog.records if incident in r.getMessage()]
    assert logged and logged[0].exc_info is not None
