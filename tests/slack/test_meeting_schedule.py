"""`/core-group schedule` end to end: the chair's modal, the case channel told of every change."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from store.models import Delegate
from tests.slack.meeting_steps import (
    CASE_CHANNEL,
    CHAIR,
    local,
    meetings,
    modal_errors,
    open_modal,
    posts,
    save,
    schedule,
    submit,
    text_of,
)

UTC = timezone.utc


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))  # the first meeting's announcement, out of the way
    return bot


def test_the_modal_offers_the_upcoming_meeting_to_change_with_its_date_and_time(case_bot):
    view = open_modal(case_bot, "schedule")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["title"]["text"] == "Schedule a meeting"
    chooser = blocks["meeting.meeting"]["element"]
    assert [o["text"]["text"] for o in chooser["options"]] == ["A new meeting", "Mon 24 May 2027, 10:00"]
    assert chooser["initial_option"]["text"]["text"] == "Mon 24 May 2027, 10:00"
    assert blocks["meeting.date"]["element"]["initial_date"] == "2027-05-24"
    assert blocks["meeting.time"]["element"]["initial_time"] == "10:00"
    assert "No names" in blocks["meeting.note"]["hint"]["text"]
    assert "CP-2027-0142" in text_of({"blocks": view["blocks"]})


def test_the_chair_schedules_a_new_meeting_and_the_case_channel_is_told(case_bot):
    mark = case_bot.fake.mark()
    # Scottish core groups meet in person: an online meeting gives its reason.
    said = schedule(
        case_bot,
        {
            "meeting.meeting": "new",
            "meeting.date": "2027-06-22",
            "meeting.time": "14:00",
            "meeting.mode": "online",
            "meeting.note": "Link in the calendar invite",
            "meeting.reason": "Half the group is snowed in",
        },
    )
    assert said == "Scheduled: Tue 22 Jun 2027, 14:00. The case channel is told, and reminders will follow."
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert post["text"] == "Core group meeting for CP-2027-0142 scheduled: Tue 22 Jun 2027, 14:00"
    shown = text_of(post)
    assert "(online)" in shown and "Link in the calendar invite" in shown and "Scheduled by <@U0CHAIR>" in shown
    assert [m.starts_at for m in meetings(case_bot)][-1] == datetime(2027, 6, 22, 13, 0, tzinfo=UTC)


def test_moving_a_meeting_needs_a_reason_and_the_channel_sees_from_when_to_when_and_why(case_bot):
    view = open_modal(case_bot, "schedule")
    answers = {"meeting.date": "2027-05-25", "meeting.time": "14:30"}
    refused = submit(case_bot, view, answers)
    assert modal_errors(refused) == {"meeting.reason": "Say why the meeting is moved: the case channel is told."}
    mark = case_bot.fake.mark()
    assert "Moved to Tue 25 May 2027, 14:30" in save(
        case_bot, view, {**answers, "meeting.reason": "Chair at court on Monday"}
    )
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert post["text"] == (
        "First core group meeting for CP-2027-0142 moved to Tue 25 May 2027, 14:30 (was Mon 24 May 2027, 10:00)"
    )
    assert "*Why:*\n> Chair at court on Monday" in text_of(post)
    (first,) = meetings(case_bot)
    assert first.starts_at == datetime(2027, 5, 25, 13, 30, tzinfo=UTC)


def test_cancelling_needs_a_reason_and_the_channel_is_told(case_bot):
    view = open_modal(case_bot, "schedule")
    assert modal_errors(submit(case_bot, view, {"meeting.change": "cancel"})) == {
        "meeting.reason": "Say why the meeting is cancelled: the case channel is told."
    }
    mark = case_bot.fake.mark()
    said = save(case_bot, view, {"meeting.change": "cancel", "meeting.reason": "Family moved out of area"})
    assert said.startswith("Cancelled the meeting of Mon 24 May 2027, 10:00")
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert post["text"] == "First core group meeting for CP-2027-0142 on Mon 24 May 2027, 10:00 is cancelled"
    assert "Family moved out of area" in text_of(post)
    assert [m.status for m in meetings(case_bot)] == ["cancelled"]


def test_cancelling_a_meeting_twice_changes_nothing_the_second_time(case_bot):
    view = open_modal(case_bot, "schedule")
    second_form = open_modal(case_bot, "schedule")  # opened before the first was saved
    save(case_bot, view, {"meeting.change": "cancel", "meeting.reason": "Family moved"})
    again = submit(case_bot, second_form, {"meeting.change": "cancel", "meeting.reason": "Family moved"})
    assert "no longer scheduled" in modal_errors(again)["meeting.meeting"]
    case_bot.dispatch()
    assert len(posts(case_bot, CASE_CHANNEL, kind="cancelled")) == 1


def test_a_time_in_the_past_stays_in_the_modal_with_the_reason(case_bot):
    response = submit(
        case_bot,
        open_modal(case_bot, "schedule"),
        {"meeting.meeting": "new", "meeting.date": "2027-05-14", "meeting.time": "10:00"},
    )
    assert "already passed" in modal_errors(response)["meeting.date"]
    assert len(meetings(case_bot)) == 1


def test_a_meeting_on_a_bank_holiday_is_saved_with_a_warning_to_the_chair(case_bot):
    said = schedule(case_bot, {"meeting.meeting": "new", "meeting.date": "2027-05-31", "meeting.time": "10:00"})
    assert "Scheduled: Mon 31 May 2027, 10:00" in said and "Monday 31 May 2027 is not a working day" in said


def test_only_the_chair_may_schedule_and_nothing_opens_for_anyone_else(case_bot):
    mark = case_bot.fake.mark()
    case_bot.slack.slash_command(command="/core-group", text="schedule", user_id="U0HV", channel_id=CASE_CHANNEL)
    reply = case_bot.wait_for_reply()
    assert reply["text"] == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can schedule its "
        "meetings. Nothing was changed."
    )
    case_bot.fake.assert_no_call("views.open", since=mark)


def test_the_chairs_delegate_may_schedule_on_the_chairs_behalf(case_bot):
    with case_bot.services.uow_factory() as uow:
        organisation = uow.organisations.get_by_name("South Ayrshire Council")
        uow.delegates.add(
            Delegate(
                organisation_id=organisation.id,
                principal=CHAIR,
                delegate="U0DEPUTY",
                until=date(2027, 6, 30),
                scope="chairing",
                created_at=case_bot.clock.now(),
            )
        )
        uow.commit()
    schedule(
        case_bot, {"meeting.meeting": "new", "meeting.date": "2027-06-22", "meeting.time": "10:00"}, user="U0DEPUTY"
    )
    with case_bot.services.uow_factory() as uow:
        (event,) = [e for e in uow.audit.list(action="meeting.scheduled") if e.actor == "U0DEPUTY"]
        assert event.on_behalf_of == CHAIR


def test_a_note_cannot_ping_the_whole_channel(case_bot):
    mark = case_bot.fake.mark()
    schedule(
        case_bot,
        {
            "meeting.meeting": "new",
            "meeting.date": "2027-06-22",
            "meeting.time": "10:00",
            "meeting.note": "<!channel> bring the file",
        },
    )
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert "&lt;!channel&gt; bring the file" in text_of(post) and "<!channel>" not in text_of(post)


def test_a_meeting_scheduled_after_its_due_date_warns_the_chair_it_will_be_late(bot):
    from tests.harness import CASE, organisation_file

    bot.import_organisation(organisation_file(cases=[dict(CASE, first_meeting=None)]))
    # Registered Mon 10 May 2027: the first meeting is due by Tue 25 May (15 days after the CPPM, para 3.137).
    said = schedule(bot, {"meeting.date": "2027-06-08", "meeting.time": "10:00"})
    assert "Scheduled: Tue 8 Jun 2027, 10:00" in said and "due by Tue 25 May 2027" in said and "late" in said


def test_in_scotland_the_form_defaults_to_in_person_and_an_online_meeting_needs_a_reason(case_bot):
    view = open_modal(case_bot, "schedule")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["meeting.mode"]["element"]["initial_option"]["value"] == "in_person"
    assert "or to hold it online: core groups meet in person" in blocks["meeting.reason"]["label"]["text"]
    answers = {
        "meeting.meeting": "new",
        "meeting.date": "2027-06-22",
        "meeting.time": "14:00",
        "meeting.mode": "online",
    }
    refused = submit(case_bot, view, answers)
    assert modal_errors(refused) == {
        "meeting.reason": "Core groups meet in person: say why this meeting is online (the reason is kept)."
    }
    assert len(meetings(case_bot)) == 1
    save(case_bot, view, {**answers, "meeting.reason": "Father is working offshore"})
    with case_bot.services.uow_factory() as uow:
        scheduled = [e for e in uow.audit.list() if e.action == "meeting.scheduled" and e.detail.get("reason")]
    assert [e.detail["reason"] for e in scheduled] == ["Father is working offshore"]
    assert meetings(case_bot)[-1].mode == "online"


def test_in_england_an_online_meeting_needs_no_reason(bot):
    from tests.harness import organisation_file

    bot.import_organisation(
        organisation_file(
            organisation={"name": "Kent County Council", "profile": "england", "nation": "england", "closure_days": []}
        )
    )
    view = open_modal(bot, "schedule")
    assert "in person" not in {b.get("block_id"): b for b in view["blocks"]}["meeting.reason"]["label"]["text"]
    said = save(
        bot,
        view,
        {"meeting.meeting": "new", "meeting.date": "2027-06-22", "meeting.time": "14:00", "meeting.mode": "online"},
    )
    assert said.startswith("Scheduled: Tue 22 Jun 2027, 14:00.")
