"""`/core-group deregister` end to end: the review conference's agreement, the core group stopping, and the
post-deregistration meeting's window tracked with reminders to the convener and the meeting's chair."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.requests import SYSTEM_ACTOR
from bot.services.meetings import schedule_meeting
from tests.slack.deregistration_steps import (
    AGREED,
    CASE_CHANNEL,
    CHAIR,
    CONVENER,
    COORDINATOR,
    FIFE,
    MEETING_CHAIR,
    REVIEWING_OFFICER,
    audit_actions,
    buttons,
    case_row,
    click,
    click_and_open,
    click_answer,
    command,
    deregister,
    deregistration_row,
    dm,
    ephemeral_answer,
    ephemeral_to,
    local,
    modal_errors,
    open_deregistration,
    posts,
    record_outcome,
    submit,
    text_of,
)

UTC = timezone.utc
NEXT_MEETING = local(2027, 7, 6, 10, 0)  # a core group meeting already booked after the review conference


@pytest.fixture
def case_bot(bot):
    bot.import_organisation(FIFE)
    bot.sweep(local(2027, 5, 17, 10, 0))  # the first meeting's announcement, out of the way
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        schedule_meeting(uow=uow, case=case, starts_at=NEXT_MEETING, actor=CHAIR, now=local(2027, 6, 1, 9, 0))
        uow.commit()
    bot.at(local(2027, 6, 1, 9, 0)).dispatch()
    return bot


def test_the_modal_asks_for_the_conference_the_convener_and_chair_how_it_was_agreed_and_the_date(case_bot):
    view = open_deregistration(case_bot)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["title"]["text"] == "Deregistration"
    assert blocks["deregistration.conference_on"]["element"]["initial_date"] == "2027-06-22"
    assert blocks["deregistration.convener"]["element"]["type"] == "users_select"
    assert blocks["deregistration.meeting_chair"]["element"]["type"] == "users_select"
    assert [o["value"] for o in blocks["deregistration.agreed_by"]["element"]["options"]] == [
        "consensus",
        "reviewing_officer",
    ]
    assert blocks["deregistration.reviewing_officer"]["optional"] is True
    assert blocks["deregistration.target_on"]["hint"]["text"] == "Between 6 and 8 weeks after the review conference."


def test_a_consensus_deregistration_stops_the_core_group_and_asks_the_convener_and_chair(case_bot):
    mark = case_bot.fake.mark()
    said = deregister(case_bot)
    assert said.startswith(
        "Recorded: CP-2027-0142 is off the register. Core group meetings and reminders stop "
        "(1 upcoming meeting cancelled). <@U0LP> is asked to arrange the post-deregistration "
        "Child's Plan meeting between Tue 3 Aug 2027 and Tue 17 Aug 2027"
    )
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    shown = text_of(post)
    assert post["text"] == "CP-2027-0142 is off the child protection register: core group meetings stop"
    assert "The review conference on Tue 22 Jun 2027 agreed that risks have reduced enough." in shown
    assert (
        "between Tue 3 Aug 2027 and Tue 17 Aug 2027 (6 to 8 weeks after the review conference), "
        "target Tue 10 Aug 2027" in shown
    )
    assert "*Convener:* <@U0LP> · *Chair:* <@U0NP> (agreed by consensus)" in shown
    assert "*Cancelled:* Tue 6 Jul 2027, 10:00" in shown
    for person, role in ((CONVENER, "convene"), (MEETING_CHAIR, "chair")):
        message = dm(case_bot, person)
        assert message["text"].startswith(
            "Please arrange the post-deregistration Child's Plan meeting for CP-2027-0142"
        )
        assert f"You are to *{role}* it" in text_of(message)
        assert "if risks remain reduced, it reviews the Child's Plan" in text_of(message)
        assert list(buttons(message)) == ["Set the date", "Record the outcome"]
    row = case_row(case_bot)
    assert row.status == "deregistered"
    assert audit_actions(case_bot, "case.") == [("case.registered", "cli", None), ("case.deregistered", CHAIR, None)]
    # The meeting that was booked is cancelled, and nobody is reminded of it.
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 7, 2, 9, 0))
    case_bot.sweep(local(2027, 7, 6, 9, 0))
    group = {CASE_CHANNEL, CHAIR, "U0TL", "U0HV", "U0TEACH", "U0POL"}
    assert [
        c.params["text"] for c in case_bot.fake.calls_to("chat.postMessage", since=mark) if c.params["channel"] in group
    ] == []


def test_status_shows_the_case_as_deregistered_with_the_window_and_who_runs_the_meeting(case_bot):
    deregister(case_bot)
    response = command(case_bot, "status", user="U0HV")
    case_bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    (reply,) = [c.params for c in case_bot.fake.calls_to("response_url") if c.params["_key"] == response.trigger_id]
    shown = text_of(reply)
    assert "This case is deregistered." in shown
    assert "*Deregistered* at the review conference of Tue 22 Jun 2027" in shown
    assert "*Meeting:* not set yet" in shown


def test_with_no_consensus_the_reviewing_officers_decision_is_recorded_and_named(case_bot):
    view = open_deregistration(case_bot)
    missing = submit(case_bot, view, {**AGREED, "deregistration.agreed_by": "reviewing_officer"}, user=CHAIR)
    assert modal_errors(missing) == {
        "deregistration.reviewing_officer": "The reviewing officer decided: choose who the reviewing officer was."
    }
    mark = case_bot.fake.mark()
    response = submit(
        case_bot,
        view,
        {
            **AGREED,
            "deregistration.agreed_by": "reviewing_officer",
            "deregistration.reviewing_officer": REVIEWING_OFFICER,
        },
        user=CHAIR,
    )
    assert modal_errors(response) == {}
    ephemeral_to(case_bot, CHAIR, since=mark)
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert "(decided by the reviewing officer, <@U0RO>, as there was no consensus)" in text_of(post)
    assert "decided by the reviewing officer, <@U0RO>" in text_of(dm(case_bot, CONVENER))
    row = deregistration_row(case_bot)
    assert (row.agreed_by, row.reviewing_officer) == ("reviewing_officer", REVIEWING_OFFICER)


def test_a_target_outside_the_window_keeps_the_modal_open_naming_the_windows_dates(case_bot):
    view = open_deregistration(case_bot)
    response = submit(case_bot, view, {**AGREED, "deregistration.target_on": "2027-07-27"}, user=CHAIR)
    assert modal_errors(response) == {
        "deregistration.target_on": (
            "The meeting must be between Tue 3 Aug 2027 and Tue 17 Aug 2027 (6 to 8 weeks after the review conference): "
            "choose a date in that window."
        )
    }
    assert case_row(case_bot).status == "open"
    case_bot.fake.assert_no_call("chat.postEphemeral")


def test_the_coordinator_may_deregister_but_a_member_is_told_who_can(case_bot):
    refused = command(case_bot, "deregister", user="U0HV")
    assert ephemeral_answer(case_bot, refused) == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or the coordinator or their delegate can record its "
        "deregistration. Nothing was changed."
    )
    case_bot.fake.assert_no_call("views.open")
    assert "Recorded: CP-2027-0142 is off the register." in deregister(case_bot, user=COORDINATOR)
    again = command(case_bot, "deregister", user=CHAIR)
    assert ephemeral_answer(case_bot, again) == "Case CP-2027-0142 is already deregistered."


def test_the_convener_and_chair_are_reminded_through_the_window_and_a_missed_window_is_kept_for_the_digest(case_bot):
    deregister(case_bot)
    seen = {CONVENER: len(case_bot.fake.messages(CONVENER)), MEETING_CHAIR: len(case_bot.fake.messages(MEETING_CHAIR))}

    def reminders_at(moment: datetime) -> list[str]:
        case_bot.sweep(moment)
        case_bot.sweep(moment)  # a second pass sends nothing twice
        out = []
        for person in (CONVENER, MEETING_CHAIR):
            new = case_bot.fake.messages(person)[seen[person] :]
            seen[person] += len(new)
            out += [f"{person}: {m['text'].split(':')[0]}" for m in new]
        return out

    assert reminders_at(local(2027, 8, 3, 8, 59)) == []
    assert reminders_at(local(2027, 8, 3, 9, 0)) == ["U0LP: The window opens today", "U0NP: The window opens today"]
    assert reminders_at(local(2027, 8, 10, 9, 0)) == ["U0LP: One week left", "U0NP: One week left"]
    last = reminders_at(local(2027, 8, 17, 9, 0))
    assert last == ["U0LP: Last day", "U0NP: Last day"]
    assert list(buttons(dm(case_bot, CONVENER))) == ["Set the date", "Record the outcome"]
    with case_bot.services.uow_factory() as uow:
        assert uow.deregistrations.missed_windows() == []
    assert reminders_at(local(2027, 8, 18, 9, 0)) == []  # missed: no one is messaged, the digest will list it
    with case_bot.services.uow_factory() as uow:
        (missed,) = uow.deregistrations.missed_windows(organisation_id=case_row(case_bot).organisation_id)
        owed = uow.obligations.open_for_subject("deregistration", missed.id)
        assert missed.window_closes_on.isoformat() == "2027-08-17"
        assert {(o.recipient, o.owner, o.stage, o.next_step_at) for o in owed} == {
            ("convener", CONVENER, "overdue", None),
            ("meeting_chair", MEETING_CHAIR, "overdue", None),
        }
    assert ("deregistration.window_missed", SYSTEM_ACTOR, None) in audit_actions(case_bot, "deregistration.")


def test_the_convener_sets_the_date_and_the_case_channel_is_told(case_bot):
    deregister(case_bot)
    view = click_and_open(
        case_bot, user=CONVENER, message=dm(case_bot, CONVENER), label="Set the date", at=local(2027, 7, 1, 11, 0)
    )
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["deregistration.date"]["element"]["initial_date"] == "2027-08-10"
    mark = case_bot.fake.mark()
    submit(case_bot, view, {"deregistration.date": "2027-08-10", "deregistration.time": "14:00"}, user=CONVENER)
    assert ephemeral_to(case_bot, CONVENER, since=mark) == (
        "Saved: the post-deregistration meeting of CP-2027-0142 is on Tue 10 Aug 2027, 14:00. The case channel is told."
    )
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert (
        post["text"] == "The post-deregistration Child's Plan meeting for CP-2027-0142 is set: Tue 10 Aug 2027, 14:00"
    )
    assert deregistration_row(case_bot).meeting_at == datetime(2027, 8, 10, 13, 0, tzinfo=UTC)
    case_bot.sweep(local(2027, 8, 3, 9, 0))
    assert "*Meeting:* Tue 10 Aug 2027, 14:00" in text_of(dm(case_bot, CONVENER))


def test_someone_else_clicking_the_conveners_button_is_told_who_can_and_nothing_opens(case_bot):
    deregister(case_bot)
    mark = case_bot.fake.mark()
    response = click(case_bot, user="U0HV", message=dm(case_bot, CONVENER), label="Record the outcome")
    assert click_answer(case_bot, response) == (
        "Only the convener (<@U0LP>) or chair of the post-deregistration meeting of CP-2027-0142 or their delegate "
        "can record this meeting's outcome. Nothing was changed."
    )
    case_bot.fake.assert_no_call("views.open", since=mark)
    assert deregistration_row(case_bot).status == "tracking"


def test_the_chairs_delegate_may_deregister_and_the_conveners_delegate_gets_the_request(case_bot):
    from datetime import date

    from store.models import Delegate

    with case_bot.services.uow_factory() as uow:
        organisation_id = case_row(case_bot).organisation_id
        for principal, stand_in in ((CHAIR, "U0DEP"), (CONVENER, "U0LPDEP")):
            uow.delegates.add(
                Delegate(
                    organisation_id=organisation_id,
                    principal=principal,
                    delegate=stand_in,
                    until=date(2027, 6, 30),
                    scope="chairing",
                    created_at=local(2027, 6, 1, 9, 0),
                )
            )
        uow.commit()
    deregister(case_bot, user="U0DEP")
    assert audit_actions(case_bot, "case.deregistered") == [("case.deregistered", "U0DEP", CHAIR)]
    request = dm(case_bot, "U0LPDEP")
    assert "You are standing in for <@U0LP>." in text_of(request)
    assert list(buttons(request)) == ["Set the date", "Record the outcome"]
    assert case_bot.fake.messages(CONVENER) == []


def test_a_week_left_falling_on_a_bank_holiday_comes_the_working_day_before_and_the_window_is_missed_at_midnight(
    case_bot,
):
    # Conference Mon 14 Jun 2027: the window is Mon 26 Jul to Mon 9 Aug; a week left would be Mon 2 Aug, Scotland's
    # summer bank holiday, so it comes on Fri 30 Jul (not Tue 3 Aug); missed at midnight after Mon 9 Aug.
    deregister(case_bot, {"deregistration.conference_on": "2027-06-14", "deregistration.target_on": "2027-08-02"})
    seen = len(case_bot.fake.messages(CONVENER))

    def told_at(moment: datetime) -> list[str]:
        nonlocal seen
        case_bot.sweep(moment)
        case_bot.sweep(moment)
        new = case_bot.fake.messages(CONVENER)[seen:]
        seen += len(new)
        return [m["text"].split(":")[0] for m in new]

    assert told_at(local(2027, 7, 26, 9, 0)) == ["The window opens today"]
    assert told_at(local(2027, 7, 29, 9, 0)) == []
    assert told_at(local(2027, 7, 30, 9, 0)) == ["One week left"]
    assert told_at(local(2027, 8, 3, 9, 0)) == []
    assert told_at(local(2027, 8, 9, 9, 0)) == ["Last day"]
    assert told_at(local(2027, 8, 9, 23, 59)) == []
    with case_bot.services.uow_factory() as uow:
        assert uow.deregistrations.missed_windows() == []
    assert told_at(local(2027, 8, 10, 0, 0)) == []  # missed: nobody is messaged
    with case_bot.services.uow_factory() as uow:
        (missed,) = uow.deregistrations.missed_windows()
    assert missed.window_closes_on.isoformat() == "2027-08-09"
    response = command(case_bot, "status", user="U0HV")
    (reply,) = case_bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    assert "The window closed on Mon 9 Aug 2027 with no outcome recorded." in text_of(reply.params)


def test_an_outcome_discharges_the_window_nothing_more_is_sent_and_an_escalation_owes_the_outcome_again(case_bot):
    deregister(case_bot)
    case_bot.sweep(local(2027, 8, 3, 9, 0))
    record_outcome(
        case_bot,
        {"deregistration.held_on": "2027-08-04", "deregistration.risk": "yes"},
        user=CONVENER,
        at=local(2027, 8, 4, 16, 0),
    )
    with case_bot.services.uow_factory() as uow:
        owed = [o for o in uow.obligations.for_case(case_row(case_bot).id) if o.subject_type == "deregistration"]
    assert {(o.kind, o.recipient, o.status, o.discharged_by) for o in owed} == {
        ("post_dereg_meeting", "convener", "discharged", CONVENER),
        ("post_dereg_meeting", "meeting_chair", "discharged", CONVENER),
        ("post_dereg_outcome", "", "open", None),
    }
    mark = case_bot.fake.mark()
    for day in (10, 17, 18):
        case_bot.sweep(local(2027, 8, day, 9, 0))
    assert [
        c
        for c in case_bot.fake.calls_to("chat.postMessage", since=mark)
        if c.params["channel"] in (CONVENER, MEETING_CHAIR)
    ] == []
