"""Wales: the next core group is due a month after the last (the chair is told then, as everywhere), and 6 weeks
after the last meeting with none held is a breach that tells the coordinator and stays in the digest."""

from __future__ import annotations

from tests.slack.coordinator_steps import digests
from tests.slack.meeting_steps import local, posts, schedule, text_of
from tests.slack.receipt_steps import CHAIR, COORDINATOR, ENGLAND, case_meeting_at, record_meeting

WALES = {"name": "Cardiff Council", "profile": "wales", "nation": "wales", "closure_days": []}
MEETING = local(2027, 6, 7, 10, 0)  # Mon 7 Jun 2027: next due Wed 7 Jul, breach after Mon 19 Jul (6 weeks)
RECORDED = local(2027, 6, 7, 12, 0)


def breaches(bot, *, since: int = 0) -> list[dict]:
    return posts(bot, COORDINATOR, kind="Breach: no core group meeting", since=since)


def test_in_wales_a_month_tells_the_chair_and_six_weeks_tells_the_coordinator_of_a_breach(bot):
    case_meeting_at(bot, MEETING, organisation=WALES)
    record_meeting(bot, at=RECORDED)
    mark = bot.fake.mark()
    bot.sweep(local(2027, 7, 7, 9, 0))  # a month: due, nothing scheduled
    assert len(posts(bot, CHAIR, kind="none is scheduled", since=mark)) == 1
    assert breaches(bot) == []
    bot.sweep(local(2027, 7, 19, 9, 0))  # the 6 weeks' last day: still no breach
    assert breaches(bot) == []
    bot.sweep(local(2027, 7, 20, 9, 0))
    bot.sweep(local(2027, 7, 20, 9, 5))  # a second sweep sends nothing twice
    (breach,) = breaches(bot)
    assert breach["text"] == "Breach: no core group meeting for CP-2027-0142 within 6 weeks of the last"
    shown = text_of(breach)
    assert "The last core group meeting was on Mon 7 Jun 2027; none was held by *Mon 19 Jul 2027*." in shown
    assert "The chair is <@U0CHAIR>." in shown
    digest = text_of(digests(bot)[-1])
    assert "Breach: no meeting held by Mon 19 Jul 2027, the limit since the last meeting; tell the chair" in digest
    assert "Meeting overdue: due by Wed 7 Jul 2027" not in digest  # listed once, as the breach
    with bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="meeting.breach")
    assert (event.detail["breach_on"], event.detail["to"]) == ("2027-07-19", COORDINATOR)


def test_in_wales_a_meeting_held_within_six_weeks_is_no_breach(bot):
    case_meeting_at(bot, MEETING, organisation=WALES)
    record_meeting(bot, at=RECORDED)
    schedule(bot, {"meeting.date": "2027-07-15", "meeting.time": "10:00"}, at=local(2027, 7, 8, 10, 0))
    bot.sweep(local(2027, 7, 20, 9, 0))  # held on the 15th, not yet recorded: the record is late, not the meeting
    assert breaches(bot) == []


def test_in_england_no_breach_follows_however_long_the_gap(bot):
    case_meeting_at(bot, MEETING, organisation=ENGLAND)
    record_meeting(bot, at=RECORDED)
    bot.sweep(local(2027, 7, 7, 9, 0))
    bot.sweep(local(2027, 9, 1, 9, 0))
    assert breaches(bot) == []
    with bot.services.uow_factory() as uow:
        assert uow.audit.list(action="meeting.breach") == []
