"""The record form's invited list: everyone in the core group starts invited, the chair ticks who attended, and
everyone invited who did not attend is an invited absentee, owed the plan. Taking someone off the list needs a
reason, kept with the record; nobody outside the group can be recorded."""

from __future__ import annotations

import pytest

from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import (
    CHAIR,
    CHECKLIST_ANSWERS,
    local,
    meetings,
    modal_errors,
    open_modal,
    submit,
    text_of,
)
from tests.slack.receipt_steps import case_meeting_at, message_to, record_meeting

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027: the plan is due Mon 9 Aug in Scotland
RECORDED = local(2027, 7, 30, 12, 0)


def audit(bot, prefix: str) -> list:
    with bot.services.uow_factory() as uow:
        return [e for e in uow.audit.list() if e.action.startswith(prefix)]


def record_with(bot, answers: dict) -> str:
    """The chair records the meeting with the four points and exactly `answers` for attendance."""
    bot.at(RECORDED)
    view = open_modal(bot, "record")
    mark = bot.fake.mark()
    response = submit(bot, view, {**CHECKLIST_ANSWERS, **answers})
    assert modal_errors(response) == {}, response.body
    (said,) = bot.fake.wait_for("chat.postEphemeral", since=mark)
    bot.dispatch()
    return said.params["text"]


def test_with_nothing_ticked_by_hand_every_absentee_is_owed_the_plan(bot):
    case_meeting_at(bot, MEETING)
    said = record_with(bot, {})  # the form as it opens: only the chair ticked as attending
    assert said.startswith("Recorded the meeting of Fri 30 Jul 2027, 10:00: 1 attended, 6 invited but absent")
    shown = message_to(bot, CHAIR, "Send the plan")
    for person in ("<@U0TL>", "<@U0HV>", "<@U0TEACH>", "<@U0POL>", "Mother (no Slack)", "Father (no Slack)"):
        assert f"• {person}, invited, absent — not sent" in text_of(shown), person
    (started,) = audit(bot, "plan.clock_started")
    assert started.detail["recipients"] == 6


def test_taking_someone_off_the_invited_list_needs_a_reason_and_nothing_is_saved_without_it(bot):
    case_meeting_at(bot, MEETING)
    bot.at(RECORDED)
    view = open_modal(bot, "record")
    response = submit(bot, view, {**CHECKLIST_ANSWERS, "meeting.not_invited": ["U0TL"]})
    assert modal_errors(response) == {
        "meeting.not_invited_reason": ("Say why they were not invited: it is kept with the record and in the report.")
    }
    assert meetings(bot)[0].status == "scheduled"


def test_someone_taken_off_the_list_with_a_reason_is_not_owed_the_plan_and_the_reason_is_kept(bot):
    case_meeting_at(bot, MEETING)
    said = record_with(
        bot,
        {
            "meeting.attended": [CHAIR, "U0HV"],
            "meeting.not_invited": ["U0TL", "p:Father"],
            "meeting.not_invited_reason": "Father is excluded by the conference's decision.",
        },
    )
    assert said.startswith("Recorded the meeting of Fri 30 Jul 2027, 10:00: 2 attended, 3 invited but absent")
    (started,) = audit(bot, "plan.clock_started")
    assert started.detail["recipients"] == 4  # U0HV attended; U0TEACH, U0POL and Mother invited but absent
    (recorded,) = audit(bot, "meeting.recorded")
    assert recorded.detail["not_invited"] == 2
    assert "excluded" not in str(recorded.detail)  # the reason lives with the record, not in the audit


def test_a_crafted_submission_naming_someone_outside_the_group_saves_nothing(bot):
    from sandbox.view_state import options_value, state_from_view

    case_meeting_at(bot, MEETING)
    bot.at(RECORDED)
    view = open_modal(bot, "record")
    values = state_from_view(view, CHECKLIST_ANSWERS)
    values["meeting.not_invited"]["meeting.not_invited"] = options_value(["U0STRANGER", "p:Uncle"])
    values["meeting.not_invited_reason"]["meeting.not_invited_reason"]["value"] = "Not needed"
    response = bot.slack.view_submission(user_id=CHAIR, view=view, values=values)
    assert modal_errors(response) == {
        "meeting.not_invited": "Only people in this core group can be on (or off) the invited list."
    }
    assert meetings(bot)[0].status == "scheduled"
    assert audit(bot, "meeting.recorded") == []


@pytest.fixture
def big_group(bot):
    members = [f"U0M{n:02d}" for n in range(12)]
    case = {**CASE, "members": members, "registered_on": "2027-07-20", "first_meeting": "2027-07-30T10:00"}
    bot.at(local(2027, 7, 23, 9, 0))
    bot.import_organisation(organisation_file(cases=[case]))
    bot.dispatch()
    return bot, members


def test_a_group_of_more_than_ten_is_listed_ten_to_a_block(big_group):
    bot, members = big_group
    bot.at(RECORDED)
    view = open_modal(bot, "record")
    attended = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("meeting.attended")]
    assert [b["block_id"] for b in attended] == ["meeting.attended", "meeting.attended.2"]
    assert [len(b["element"]["options"]) for b in attended] == [10, 6]  # chair, team leader, 12 members, 2 labels
    mark = bot.fake.mark()
    response = submit(
        bot, view, {**CHECKLIST_ANSWERS, "meeting.attended": [CHAIR], "meeting.attended.2": [members[-1], "p:Mother"]}
    )
    assert modal_errors(response) == {}
    (said,) = bot.fake.wait_for("chat.postEphemeral", since=mark)
    assert said.params["text"].startswith("Recorded the meeting of Fri 30 Jul 2027, 10:00: 3 attended, 13 invited")


def test_the_standard_record_still_counts_as_before(bot):
    case_meeting_at(bot, MEETING)
    said = record_meeting(bot, at=RECORDED)
    assert said.startswith("Recorded the meeting of Fri 30 Jul 2027, 10:00: 4 attended, 2 invited but absent")
