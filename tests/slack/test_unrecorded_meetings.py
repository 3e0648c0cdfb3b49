"""A meeting whose time has come with no record (issue 13, point 3), through Slack: the chair's DM at 09:00 on the
next working day, again every 2 working days, the coordinator's digest after 5 working days (the case no longer
on time); Record the meeting opens the form on that meeting; It did not take place needs a reason and leaves the
next meeting owed, overdue when its date has passed."""

from __future__ import annotations

import pytest

from sandbox.slack_sender import state_from_view
from tests.slack.coordinator_steps import digests
from tests.slack.meeting_steps import CASE_CHANNEL, CHAIR, CHECKLIST_ANSWERS, dues, local, meetings, modal_errors, save
from tests.slack.request_steps import click, click_and_open, text_of

NOT_RECORDED = "has no record yet"
REASON = "The chair was taken ill"


@pytest.fixture
def case_bot(bot):
    bot.at(local(2027, 5, 14, 12, 0))  # the case's first meeting is Mon 24 May 2027, 10:00
    bot.import_organisation()
    bot.dispatch()
    return bot


def chases(bot, user: str = CHAIR) -> list[dict]:
    """The "meeting not recorded" DMs `user` has, oldest first."""
    return [m for m in bot.fake.messages(user) if NOT_RECORDED in m.get("text", "")]


def about_the_meeting(bot, user: str = CHAIR) -> list[dict]:
    """Every DM `user` has about the meeting of Mon 24 May, chases and chases updated since."""
    about = "core group meeting of Mon 24 May 2027, 10:00 for"
    return [m for m in bot.fake.messages(user) if about in m.get("text", "")]


def now_reads(bot, message: dict, user: str = CHAIR) -> dict:
    """`message` as it reads now (after any update in place)."""
    (current,) = [m for m in bot.fake.messages(user) if m["ts"] == message["ts"]]
    return current


def test_an_unrecorded_meeting_is_chased_next_working_day_again_every_two_and_is_in_the_digest_after_five(case_bot):
    case_bot.sweep(local(2027, 5, 24, 12, 0))
    case_bot.sweep(local(2027, 5, 25, 8, 59))
    assert chases(case_bot) == []
    case_bot.sweep(local(2027, 5, 25, 9, 0))  # Tue 25 May, 09:00: the next working day
    (first,) = chases(case_bot)
    assert "Mon 24 May 2027, 10:00" in first["text"] and "CP-2027-0142" in first["text"]
    assert [e["text"]["text"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "Record the meeting",
        "It did not take place",
    ]
    assert "If it is still not recorded on Tue 1 Jun 2027, the coordinator's digest lists it." in text_of(first)
    case_bot.sweep(local(2027, 5, 26, 9, 0))
    assert len(chases(case_bot)) == 1
    case_bot.sweep(local(2027, 5, 27, 9, 0))  # two working days on
    assert len(chases(case_bot)) == 2
    case_bot.sweep(local(2027, 5, 28, 9, 0))
    assert "Meetings held but not recorded" not in text_of(digests(case_bot)[-1])
    case_bot.sweep(local(2027, 6, 1, 9, 0))  # 5 working days on (Mon 31 May is a bank holiday in Scotland)
    digest = digests(case_bot)[-1]
    assert "Tue 1 Jun 2027" in digest["text"] and "0 cases on time" in digest["text"]
    assert "*Meetings held but not recorded* (1)" in text_of(digest)
    assert "Meeting of Mon 24 May 2027 not recorded (8 days ago)" in text_of(digest)
    assert len(chases(case_bot)) == 3
    assert "now listed in the coordinator's digest" in text_of(chases(case_bot)[-1])
    with case_bot.services.uow_factory() as uow:
        events = [(e.actor, e.detail["stage"], e.detail["repeat"]) for e in uow.audit.list(action="obligation.stepped")]
    assert events == [("coregroup", "overdue", False), ("coregroup", "overdue", True), ("coregroup", "breached", False)]


def test_record_the_meeting_from_the_dm_opens_the_form_on_that_meeting_and_ends_the_chase(case_bot):
    case_bot.sweep(local(2027, 5, 25, 9, 0))
    (chase,) = chases(case_bot)
    view = click_and_open(case_bot, user=CHAIR, message=chase, label="Record the meeting", at=local(2027, 5, 25, 9, 30))
    assert view["callback_id"] == "meeting.record_modal"
    assert "Recording the meeting of *Mon 24 May 2027, 10:00*" in text_of(view)
    saved = save(case_bot, view, CHECKLIST_ANSWERS)
    assert saved.startswith("Recorded the meeting of Mon 24 May 2027, 10:00")
    case_bot.dispatch()
    updated = now_reads(case_bot, chase)
    assert updated["text"] == "The core group meeting of Mon 24 May 2027, 10:00 for CP-2027-0142 was recorded"
    assert "By <@U0CHAIR>." in text_of(updated) and not [b for b in updated["blocks"] if b["type"] == "actions"]
    for day in (27, 28):
        case_bot.sweep(local(2027, 5, day, 9, 0))
    case_bot.sweep(local(2027, 6, 1, 9, 0))
    assert chases(case_bot) == [] and len(about_the_meeting(case_bot)) == 1
    assert "Meetings held but not recorded" not in text_of(digests(case_bot)[-1])


def test_only_the_chair_or_their_delegate_can_act_on_the_chase(case_bot):
    case_bot.sweep(local(2027, 5, 25, 9, 0))
    (chase,) = chases(case_bot)
    mark = case_bot.fake.mark()
    for label in ("Record the meeting", "It did not take place"):
        click(case_bot, user="U0HV", message=chase, label=label)
    answers = sorted(c.params["text"] for c in case_bot.fake.wait_for("response_url", since=mark, count=2))
    assert answers == [
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can record its meetings. "
        "Nothing was changed.",
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can say whether its meetings took "
        "place. Nothing was changed.",
    ]
    assert case_bot.fake.calls_to("views.open", since=mark) == []
    assert [m.status for m in meetings(case_bot)] == ["scheduled"]


def test_it_did_not_take_place_needs_a_reason_then_the_meeting_is_owed_again_and_overdue(case_bot):
    case_bot.sweep(local(2027, 5, 25, 9, 0))
    (chase,) = chases(case_bot)
    view = click_and_open(
        case_bot, user=CHAIR, message=chase, label="It did not take place", at=local(2027, 5, 25, 10, 0)
    )
    assert view["callback_id"] == "obligation.not_held_modal"
    blank = case_bot.slack.view_submission(
        user_id=CHAIR, view=view, values=state_from_view(view, {"obligation.reason": "   "})
    )
    assert modal_errors(blank) == {"obligation.reason": "Say why the meeting did not take place."}
    assert [m.status for m in meetings(case_bot)] == ["scheduled"]
    mark = case_bot.fake.mark()
    done = case_bot.slack.view_submission(
        user_id=CHAIR, view=view, values=state_from_view(view, {"obligation.reason": REASON})
    )
    assert modal_errors(done) == {}
    (saved,) = case_bot.fake.wait_for("chat.postMessage", since=mark, where=lambda c: c.params["channel"] == CHAIR)
    assert "did not take place" in saved.params["text"] and "schedule it" in saved.params["text"]
    (meeting,) = meetings(case_bot)
    assert (meeting.status, meeting.cancel_reason) == ("not_held", REASON)
    case_bot.dispatch()
    assert now_reads(case_bot, chase)["text"].endswith("for CP-2027-0142 was marked as not held")
    # The first meeting was due by Mon 24 May: with none held, it is overdue, told to the chair and the coordinator.
    case_bot.sweep(local(2027, 5, 25, 10, 5))
    assert [d.status for d in dues(case_bot)] == ["flagged"]
    assert any("is due by Mon 24 May 2027 and none is scheduled" in m["text"] for m in case_bot.fake.messages(CHAIR))
    case_bot.sweep(local(2027, 5, 26, 9, 0))
    assert "Meeting overdue: due by Mon 24 May 2027, nothing scheduled" in text_of(digests(case_bot)[-1])
    case_bot.sweep(local(2027, 5, 27, 9, 0))
    assert chases(case_bot) == [] and len(about_the_meeting(case_bot)) == 1  # its record is no longer owed
    with case_bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="meeting.not_held")
    assert (event.actor, event.detail["reason_length"]) == (CHAIR, len(REASON))
    response = case_bot.slack.slash_command(
        command="/core-group", text="record", user_id=CHAIR, channel_id=CASE_CHANNEL
    )
    assert response.status == 200
    assert "There is no meeting of CP-2027-0142 to record yet" in case_bot.wait_for_reply()["text"]
