"""`/core-group status` says what the case owes, from the ledger: each open obligation in words, who owes it, its due
date, and whether it is overdue; people without Slack are never named."""

from __future__ import annotations

from tests.slack.meeting_steps import local
from tests.slack.receipt_steps import CHAIR, blocks_text, case_meeting_at, command_reply, record_meeting

MEETING = local(2027, 5, 24, 10, 0)  # Mon 24 May 2027: the CP9 due Fri 28 May, plan copies Tue 1 Jun


def owed_part(bot, user: str = CHAIR) -> str:
    shown = blocks_text(command_reply(bot, "status", user=user))
    return shown[shown.index("*What the case owes*") :]


def test_status_lists_what_the_case_owes_by_whom_and_by_when(bot):
    case_meeting_at(bot, MEETING)
    assert "• The record of the meeting of Mon 24 May 2027 — <@U0CHAIR> (chair) — due Mon 24 May 2027" in owed_part(bot)
    record_meeting(bot, at=local(2027, 5, 24, 11, 30))
    owed = owed_part(bot, "U0HV")
    assert "record of the meeting" not in owed  # recorded: no longer owed
    assert "• The CP9 sent to the coordinator — <@U0CHAIR> (chair) — due Fri 28 May 2027\n" in owed + "\n"
    assert "• A copy of the plan sent to <@U0HV> — <@U0CHAIR> (chair) — due Tue 1 Jun 2027" in owed
    assert "• A copy of the plan sent to a participant without Slack — <@U0CHAIR> (chair)" in owed
    assert "overdue" not in owed and "Mother" not in owed and "Father" not in owed


def test_status_marks_what_is_overdue(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=local(2027, 5, 24, 11, 30))
    bot.sweep(local(2027, 6, 1, 9, 0))  # Tue 1 Jun (31 May a Scottish holiday): the CP9's overdue rung has come
    owed = owed_part(bot)
    assert "• The CP9 sent to the coordinator — <@U0CHAIR> (chair) — due Fri 28 May 2027 — *overdue*" in owed
    assert owed.count("*overdue*") == 1
    assert owed.splitlines()[0].endswith(", 1 overdue)")
