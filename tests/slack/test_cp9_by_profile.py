"""The CP9 is South Ayrshire's: under `england` a recorded meeting asks nobody for one (no message, button, status
line, Home item or digest section), under `south-ayrshire` it does, and an organisation can turn it on."""

from __future__ import annotations

from tests.slack.coordinator_steps import home_buttons, open_home, the_digest
from tests.slack.meeting_steps import local, text_of
from tests.slack.receipt_steps import (
    CHAIR,
    COORDINATOR,
    ENGLAND,
    blocks_text,
    case_meeting_at,
    command_reply,
    messages_to,
    record_meeting,
)

MEETING = local(2027, 7, 29, 10, 0)  # Thu 29 Jul 2027
RECORDED = local(2027, 7, 29, 12, 0)
DIGEST_DAY = local(2027, 8, 10, 9, 0)  # the CP9 (due Thu 5 Aug) would be overdue by then


def cp9_seen_by(bot) -> dict[str, bool]:
    """Where a CP9 shows for the chair and the coordinator once the meeting is recorded and the digest has gone."""
    bot.sweep(DIGEST_DAY)
    status = blocks_text(command_reply(bot, "status", user=CHAIR))
    return {
        "chair's message": bool(messages_to(bot, CHAIR, "CP9")),
        "coordinator's message": bool(messages_to(bot, COORDINATOR, "CP9")),
        "status line": "CP9" in status,
        "chair's Home": any("CP9" in label for label, _, _ in home_buttons(open_home(bot, CHAIR))),
        "coordinator's Home": any("CP9" in label for label, _, _ in home_buttons(open_home(bot, COORDINATOR))),
        "digest": "CP9" in text_of(the_digest(bot)),
    }


def test_a_meeting_recorded_under_england_asks_nobody_for_a_cp9(bot):
    case_meeting_at(bot, MEETING, organisation=ENGLAND)
    said = record_meeting(bot, at=RECORDED)
    assert "CP9" not in said
    assert cp9_seen_by(bot) == dict.fromkeys(
        ["chair's message", "coordinator's message", "status line", "chair's Home", "coordinator's Home", "digest"],
        False,
    )
    with bot.services.uow_factory() as uow:
        assert [e.action for e in uow.audit.list() if e.action.startswith("cp9.")] == []


def test_cp9_sent_under_england_says_the_procedure_has_no_cp9(bot):
    case_meeting_at(bot, MEETING, organisation=ENGLAND)
    record_meeting(bot, at=RECORDED)
    reply = command_reply(bot, "cp9-sent", user=CHAIR)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "Kent County Council's procedure (england) has no CP9: there is nothing to mark sent. "
        "An organisation turns it on with `cp9: {enabled: true}` under `policy`."
    )


def test_a_meeting_recorded_under_south_ayrshire_asks_for_the_cp9_everywhere(bot):
    case_meeting_at(bot, MEETING)  # the South Ayrshire organisation
    record_meeting(bot, at=RECORDED)
    seen = cp9_seen_by(bot)
    assert seen == {
        "chair's message": True,
        "coordinator's message": True,
        "status line": True,
        "chair's Home": True,
        "coordinator's Home": False,
        "digest": True,
    }
    # The coordinator's Home offers "Mark CP9 received" only once the chair has marked it sent.


def test_an_english_organisation_can_turn_the_cp9_on(bot):
    case_meeting_at(bot, MEETING, organisation={**ENGLAND, "policy": {"cp9": {"enabled": True}}})
    record_meeting(bot, at=RECORDED)
    (due,) = messages_to(bot, COORDINATOR, "CP9 due for CP-2027-0142")
    assert "Mark CP9 received" in str(due.get("blocks"))
