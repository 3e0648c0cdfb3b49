"""`/core-group record` end to end: the modal, the saved record and everything that follows from it."""

from __future__ import annotations

import pytest

from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import (
    CASE_CHANNEL,
    CHAIR,
    CHECKLIST_ANSWERS,
    COORDINATOR,
    case_row,
    dues,
    local,
    meetings,
    modal_errors,
    open_modal,
    posts,
    record,
    save,
    schedule,
    status_text,
    submit,
    text_of,
)

AFTER_THE_MEETING = local(2027, 5, 24, 11, 30)  # the first meeting was Mon 24 May 2027, 10:00 BST


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def saved_record(bot):
    with bot.services.uow_factory() as uow:
        return uow.meeting_records.latest_for_case(case_row(bot).id)


def test_the_modal_says_which_meeting_it_records_and_offers_everyone(case_bot):
    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["title"]["text"] == "Record the meeting"
    assert (
        "Recording the meeting of *Mon 24 May 2027, 10:00* (CP-2027-0142), the latest whose time has come."
        in text_of(view)
    )
    everyone = [CHAIR, "U0TL", "U0HV", "U0TEACH", "U0POL", "p:Mother", "p:Father"]
    assert blocks["meeting.attended"]["element"]["type"] == "checkboxes"  # the group only: no free user picker
    assert [o["value"] for o in blocks["meeting.attended"]["element"]["options"]] == everyone
    assert [o["value"] for o in blocks["meeting.attended"]["element"]["initial_options"]] == [CHAIR]
    assert [o["text"]["text"] for o in blocks["meeting.attended"]["element"]["options"]][:2] == [
        "<@U0CHAIR> (chair)",
        "<@U0TL> (team leader)",
    ]
    assert [o["value"] for o in blocks["meeting.not_invited"]["element"]["options"]] == everyone
    assert "initial_options" not in blocks["meeting.not_invited"]["element"]  # everyone starts invited
    assert blocks["meeting.not_invited_reason"]["label"]["text"] == "Not invited: reason"
    assert "Everyone in the core group is invited" in text_of(view)
    labels = [
        blocks[f"meeting.checklist.{key}"]["label"]["text"]
        for key in ("supports", "monitoring", "outcomes", "contingency")
    ]
    assert labels == [
        "Supports and resources required, in particular access to specialist resources",
        "The process of monitoring and reviewing",
        "Outcomes to be achieved",
        "Contingency plan",
    ]
    assert all(not blocks[f"meeting.checklist.{key}"]["optional"] for key in ("supports", "outcomes"))
    assert {f"meeting.action.{n}.{part}" for n in (1, 2, 3) for part in ("what", "owner", "owner_label", "due")} <= set(
        blocks
    )
    assert [o["value"] for o in blocks["meeting.flags"]["element"]["options"]] == [
        "significant_amendment",
        "institution",
    ]


def test_before_the_meeting_the_chair_is_told_there_is_nothing_to_record(case_bot):
    mark = case_bot.fake.mark()
    case_bot.slack.slash_command(command="/core-group", text="record", user_id=CHAIR, channel_id=CASE_CHANNEL)
    reply = case_bot.wait_for_reply()
    assert reply["text"] == (
        "There is no meeting of CP-2027-0142 to record yet: the next is on Mon 24 May 2027, 10:00. "
        "A meeting can be recorded once its time has come."
    )
    case_bot.fake.assert_no_call("views.open", since=mark)


def test_only_the_chair_may_record(case_bot):
    case_bot.at(AFTER_THE_MEETING)
    case_bot.slack.slash_command(command="/core-group", text="record", user_id="U0POL", channel_id=CASE_CHANNEL)
    assert case_bot.wait_for_reply()["text"] == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can record its meetings. "
        "Nothing was changed."
    )


def test_a_record_without_each_of_the_four_points_stays_open_and_says_what_is_missing(case_bot):
    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    response = submit(
        case_bot, view, {"meeting.checklist.supports": "Family support worker", "meeting.checklist.outcomes": "  "}
    )
    errors = modal_errors(response)
    assert set(errors) == {
        "meeting.checklist.monitoring",
        "meeting.checklist.outcomes",
        "meeting.checklist.contingency",
    }
    assert all("must consider this" in message for message in errors.values())
    assert saved_record(case_bot) is None and meetings(case_bot)[0].status == "scheduled"


def test_an_incomplete_action_and_a_person_both_present_and_not_invited_are_refused_in_the_modal(case_bot):
    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    response = submit(
        case_bot,
        view,
        {
            **CHECKLIST_ANSWERS,
            "meeting.not_invited": [CHAIR],
            "meeting.not_invited_reason": "On leave",
            "meeting.action.2.what": "Refer to CAMHS",
        },
    )
    assert modal_errors(response) == {
        "meeting.not_invited": "Someone is both attended and not invited: choose one for each person.",
        "meeting.action.2.owner": "Choose who owns this action.",
        "meeting.action.2.due": "Choose the date this action is due.",
    }


def test_saving_a_record_tells_the_channel_and_sets_the_next_due_date(case_bot):
    mark = case_bot.fake.mark()
    said = record(
        case_bot,
        {
            "meeting.attended": [CHAIR, "U0HV", "U0TEACH", "p:Mother"],
            "meeting.not_invited": ["U0TL"],
            "meeting.not_invited_reason": "Decides requests only",
            "meeting.action.1.what": "Refer to CAMHS",
            "meeting.action.1.owner": "U0HV",
            "meeting.action.1.due": "2027-06-04",
        },
        at=AFTER_THE_MEETING,
    )
    assert said.startswith(
        "Recorded the meeting of Mon 24 May 2027, 10:00: 4 attended, 2 invited but absent, 1 new action."
    )
    assert "The next meeting is due by Thu 24 Jun 2027." in said
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, kind="recorded", since=mark)
    shown = text_of(post)
    assert post["text"] == (
        "Core group meeting of Mon 24 May 2027, 10:00 for CP-2027-0142 recorded; the next is due by Thu 24 Jun 2027"
    )
    assert "*Attended:* <@U0CHAIR>, <@U0HV>, <@U0TEACH>, Mother" in shown
    assert "*Invited, could not attend:* <@U0POL>, Father" in shown
    assert "Family support worker" not in shown  # the re-evaluation stays in the record, not the channel
    assert meetings(case_bot)[0].status == "held"
    assert [(d.status, d.due_on.isoformat()) for d in dues(case_bot)] == [("met", "2027-05-24"), ("open", "2027-06-24")]


def test_the_record_keeps_the_four_points_attendance_actions_and_flags(case_bot):
    record(
        case_bot,
        {
            "meeting.attended": [CHAIR, "U0HV"],
            "meeting.not_invited": ["U0TL", "p:Mother"],
            "meeting.not_invited_reason": "The team leader decides requests; Mother was excluded by the conference.",
            "meeting.action.1.what": "Attend parenting course",
            "meeting.action.1.owner_label": "Mother",
            "meeting.action.1.due": "2027-07-01",
            "meeting.flags": ["institution"],
        },
        at=AFTER_THE_MEETING,
    )
    saved = saved_record(case_bot)
    assert saved.supports == CHECKLIST_ANSWERS["meeting.checklist.supports"]
    assert saved.contingency == CHECKLIST_ANSWERS["meeting.checklist.contingency"]
    assert [(a.user_id or a.label) for a in saved.attendees()] == [CHAIR, "U0HV"]
    assert [(a.user_id or a.label) for a in saved.invited_absentees()] == ["U0TEACH", "U0POL", "Father"]
    assert [(a.user_id or a.label) for a in saved.not_invited()] == ["U0TL", "Mother"]
    assert saved.not_invited_reason == "The team leader decides requests; Mother was excluded by the conference."
    (action,) = saved.actions
    assert (action.description, action.owner_label, action.due_on.isoformat()) == (
        "Attend parenting course",
        "Mother",
        "2027-07-01",
    )
    assert saved.institution and not saved.significant_amendment


def test_open_actions_and_the_next_due_date_show_in_status(case_bot):
    record(
        case_bot,
        {
            "meeting.action.1.what": "Refer to CAMHS",
            "meeting.action.1.owner": "U0HV",
            "meeting.action.1.due": "2027-06-04",
            "meeting.action.2.what": "Attend parenting course",
            "meeting.action.2.owner_label": "Mother",
            "meeting.action.2.due": "2027-05-25",
        },
        at=AFTER_THE_MEETING,
    )
    case_bot.at(local(2027, 5, 27, 10, 0))
    shown = status_text(case_bot)
    assert "*Next meeting due by:* Thu 24 Jun 2027 — not scheduled yet" in shown
    assert "*Last meeting recorded:* Mon 24 May 2027, 10:00" in shown
    assert "• Attend parenting course — Mother — due Tue 25 May 2027 — *overdue*" in shown
    assert "• Refer to CAMHS — <@U0HV> — due Fri 4 Jun 2027" in shown


def test_actions_are_reminded_to_their_owners_on_their_due_date(case_bot):
    record(
        case_bot,
        {
            "meeting.action.1.what": "Refer to CAMHS",
            "meeting.action.1.owner": "U0HV",
            "meeting.action.1.due": "2027-06-04",
            "meeting.action.2.what": "Attend parenting course",
            "meeting.action.2.owner_label": "Mother",
            "meeting.action.2.due": "2027-06-06",  # a Sunday: reminded on Friday
        },
        at=AFTER_THE_MEETING,
    )
    case_bot.sweep(local(2027, 6, 3, 9, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 4, 9, 0))
    case_bot.sweep(local(2027, 6, 4, 9, 5))
    (owner,) = posts(case_bot, "U0HV", kind="Action due", since=mark)
    assert owner["text"] == "Action due Fri 4 Jun 2027 for CP-2027-0142"
    assert "> Refer to CAMHS" in text_of(owner)
    (chair,) = posts(case_bot, CHAIR, kind="Action due", since=mark)
    assert chair["text"] == "Action due Sun 6 Jun 2027 for CP-2027-0142 (owned by Mother, who has no Slack)"


def test_a_significant_change_to_the_plan_is_referred_to_the_coordinator_without_personal_data(case_bot):
    mark = case_bot.fake.mark()
    said = record(
        case_bot,
        {
            "meeting.flags": ["significant_amendment"],
            "meeting.not_invited": ["U0TL", "U0HV", "U0TEACH", "U0POL", "p:Mother"],
            "meeting.not_invited_reason": "A short meeting with the father's probation officer",
        },
        at=AFTER_THE_MEETING,
    )
    assert "referred to the Co-ordinator, Children Services for the review child protection conference" in said
    case_bot.dispatch()
    (referral,) = posts(case_bot, COORDINATOR, kind="significant amendment", since=mark)
    shown = text_of(referral)
    assert referral["text"] == "CP-2027-0142: the core group thinks the plan needs significant amendment"
    assert "*Chair:* <@U0CHAIR> · *Attended:* 1 · *Invited, absent:* 1" in shown
    assert not any(answer in str(referral) for answer in CHECKLIST_ANSWERS.values())
    assert "Father" not in str(referral)


def test_a_meeting_held_after_its_due_date_is_flagged_to_the_chair_and_kept_for_the_digest(bot):
    bot.import_organisation(organisation_file(cases=[dict(CASE, first_meeting=None)]))
    # Registered Mon 10 May: due by Tue 25 May (15 days after the CPPM, para 3.137). Scheduled on Wed 26 May instead.
    bot.at(local(2027, 5, 17, 10, 0))
    schedule(bot, {"meeting.date": "2027-05-26", "meeting.time": "10:00"})
    mark = bot.fake.mark()
    said = record(bot, at=local(2027, 5, 26, 12, 0))
    assert "held 1 day after its due date (Tue 25 May 2027)" in said
    bot.dispatch()
    (flag,) = posts(bot, CHAIR, kind="held 1 day late", since=mark)
    assert flag["text"] == "The core group meeting for CP-2027-0142 was held 1 day late"
    with bot.services.uow_factory() as uow:
        (late,) = uow.meetings.overdue()
    assert (late.status, late.days_late, late.due_on.isoformat()) == ("late", 1, "2027-05-25")


def test_a_due_meeting_with_nothing_scheduled_is_flagged_to_the_chair_at_nine_on_its_due_date(case_bot):
    record(case_bot, at=AFTER_THE_MEETING)  # next due Thu 24 Jun 2027
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 24, 8, 59))
    assert posts(case_bot, CHAIR, kind="none is scheduled", since=mark) == []
    case_bot.sweep(local(2027, 6, 24, 9, 0))
    case_bot.sweep(local(2027, 6, 24, 9, 1))
    (flag,) = posts(case_bot, CHAIR, kind="none is scheduled", since=mark)
    assert (
        flag["text"] == "The next core group meeting for CP-2027-0142 is due by Thu 24 Jun 2027 and none is scheduled"
    )
    with case_bot.services.uow_factory() as uow:
        (overdue,) = uow.meetings.overdue()
        owed = uow.obligations.find_open(kind="next_meeting", subject_type="meeting_due", subject_id=overdue.id)
    assert overdue.status == "flagged" and (owed.stage, owed.last_step_at) == ("overdue", local(2027, 6, 24, 9, 0))
    assert "— :warning: not scheduled by its due date" in status_text(case_bot)


def test_a_meeting_scheduled_by_its_due_date_is_not_flagged(case_bot):
    record(case_bot, at=AFTER_THE_MEETING)
    schedule(case_bot, {"meeting.date": "2027-06-24", "meeting.time": "15:00"}, at=local(2027, 6, 1, 10, 0))
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 24, 9, 0))
    assert posts(case_bot, CHAIR, kind="none is scheduled", since=mark) == []
    assert dues(case_bot)[-1].status == "scheduled"


def test_a_case_with_no_first_meeting_asks_the_chair_to_schedule_it_by_the_nations_deadline(bot):
    bot.import_organisation(organisation_file(cases=[dict(CASE, first_meeting=None)]))
    bot.sweep(local(2027, 5, 17, 10, 0))
    (ask,) = posts(bot, CHAIR, kind="Please schedule")
    # Scotland: within 15 calendar days of the CPPM of Mon 10 May 2027 (para 3.137).
    assert ask["text"] == "Please schedule the first core group meeting for CP-2027-0142 by Tue 25 May 2027"
    assert "`/core-group schedule` in <#C0CASE142>" in text_of(ask)
    assert [(d.basis, d.status, d.due_on.isoformat()) for d in dues(bot)] == [("first", "open", "2027-05-25")]


def test_a_meeting_cannot_be_recorded_twice(case_bot):
    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    second_form = open_modal(case_bot, "record")  # opened before the first was saved
    save(case_bot, view, dict(CHECKLIST_ANSWERS))
    again = submit(case_bot, second_form, dict(CHECKLIST_ANSWERS))
    assert modal_errors(again) == {"meeting.attended": "That meeting is already held."}
    with case_bot.services.uow_factory() as uow:
        assert len(uow.meeting_records.for_case(case_row(case_bot).id)) == 1


def test_a_flag_for_a_chair_who_is_away_goes_to_their_delegate(case_bot):
    from datetime import date

    from store.models import Delegate

    record(case_bot, at=AFTER_THE_MEETING)  # next due Thu 24 Jun 2027
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
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 24, 9, 0))
    (flag,) = posts(case_bot, "U0DEPUTY", kind="none is scheduled", since=mark)
    assert "You are standing in for <@U0CHAIR>." in text_of(flag)
    assert posts(case_bot, CHAIR, kind="none is scheduled", since=mark) == []
