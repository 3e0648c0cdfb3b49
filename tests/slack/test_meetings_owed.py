"""The meetings a core group owes, on the ledger: one `first_meeting` / `next_meeting` obligation per due period, due
by the profile's deadline or cadence, quiet while a meeting is booked in time, back when that meeting is cancelled,
moved too late or did not take place, and discharged by the record that opens the next one."""

from __future__ import annotations

from datetime import date

import pytest

from tests.harness import CASE, organisation_file
from tests.slack.deregistration_steps import ephemeral_to, modal_errors, open_deregistration, submit
from tests.slack.meeting_steps import CHAIR, local, open_modal, posts, save, schedule
from tests.slack.receipt_steps import ENGLAND, record_meeting

NONE_SCHEDULED = "none is scheduled"


@pytest.fixture
def case_bot(bot):
    """The default case (South Ayrshire) imported on Fri 14 May 2027: its first meeting is Mon 24 May, 10:00."""
    bot.at(local(2027, 5, 14, 12, 0))
    bot.import_organisation()
    bot.dispatch()
    return bot


def owed(bot) -> list[tuple]:
    """The case's meetings owed, oldest first: (kind, status, due date, next step, who discharged it)."""
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return [
            (r.kind, r.status, r.due_local_date, r.next_step_at, r.discharged_by)
            for r in uow.obligations.for_case(case.id)
            if r.kind in ("first_meeting", "next_meeting")
        ]


def without_first_meeting(bot, organisation: dict | None = None) -> None:
    bot.at(local(2027, 5, 10, 12, 0))
    bot.import_organisation(organisation_file(organisation=organisation, cases=[dict(CASE, first_meeting=None)]))
    bot.dispatch()


@pytest.mark.parametrize(
    ("organisation", "due_on"),
    [
        (ENGLAND, date(2027, 5, 24)),  # 10 working days after the conference of Mon 10 May
        (None, date(2027, 5, 25)),  # Scotland (South Ayrshire): 15 calendar days after the CPPM
    ],
)
def test_with_no_first_meeting_in_the_record_the_chair_owes_it_by_the_nations_deadline(bot, organisation, due_on):
    without_first_meeting(bot, organisation)
    assert owed(bot) == [("first_meeting", "open", due_on, local(due_on.year, due_on.month, due_on.day, 9, 0), None)]
    bot.sweep(local(due_on.year, due_on.month, due_on.day, 8, 59))
    assert posts(bot, CHAIR, kind=NONE_SCHEDULED) == []
    bot.sweep(local(due_on.year, due_on.month, due_on.day, 9, 0))
    bot.sweep(local(due_on.year, due_on.month, due_on.day, 9, 5))  # a second sweep sends nothing twice
    (told,) = posts(bot, CHAIR, kind=NONE_SCHEDULED)
    assert told["text"].startswith("The first core group meeting for CP-2027-0142 is due by")
    with bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="meeting.due_not_scheduled")
    assert (event.detail["due_on"], event.detail["to"]) == (due_on.isoformat(), CHAIR)


def test_a_meeting_booked_by_the_due_date_keeps_the_obligation_quiet(bot):
    without_first_meeting(bot, ENGLAND)
    schedule(bot, {"meeting.date": "2027-05-20", "meeting.time": "10:00"}, at=local(2027, 5, 11, 10, 0))
    assert owed(bot) == [("first_meeting", "open", date(2027, 5, 24), None, None)]  # parked: the sweep never reads it
    bot.sweep(local(2027, 5, 24, 9, 0))
    assert posts(bot, CHAIR, kind=NONE_SCHEDULED) == []


def test_moving_the_booked_meeting_past_the_due_date_brings_the_obligation_back(case_bot):
    assert owed(case_bot) == [("first_meeting", "open", date(2027, 5, 24), None, None)]
    view = open_modal(case_bot, "schedule")
    save(case_bot, view, {"meeting.date": "2027-05-26", "meeting.time": "10:00", "meeting.reason": "Chair at court"})
    assert owed(case_bot) == [("first_meeting", "open", date(2027, 5, 24), local(2027, 5, 24, 9, 0), None)]
    case_bot.sweep(local(2027, 5, 24, 9, 0))
    (told,) = posts(case_bot, CHAIR, kind=NONE_SCHEDULED)
    assert told["text"] == (
        "The first core group meeting for CP-2027-0142 is due by Mon 24 May 2027 and none is scheduled"
    )


def test_cancelling_the_booked_meeting_after_the_due_date_tells_the_chair_at_the_next_sweep_once(case_bot):
    view = open_modal(case_bot, "schedule")
    case_bot.at(local(2027, 5, 24, 8, 0))
    save(case_bot, view, {"meeting.change": "cancel", "meeting.reason": "Family moved out of area"})
    case_bot.sweep(local(2027, 5, 24, 9, 0))
    assert len(posts(case_bot, CHAIR, kind=NONE_SCHEDULED)) == 1
    case_bot.sweep(local(2027, 5, 25, 9, 0))
    assert len(posts(case_bot, CHAIR, kind=NONE_SCHEDULED)) == 1


def test_a_recorded_meeting_discharges_what_it_met_and_the_next_is_owed_a_cadence_later(case_bot):
    record_meeting(case_bot, at=local(2027, 5, 24, 12, 0))
    assert owed(case_bot) == [
        ("first_meeting", "discharged", date(2027, 5, 24), None, CHAIR),
        ("next_meeting", "open", date(2027, 6, 24), local(2027, 6, 24, 9, 0), None),  # monthly
    ]
    case_bot.sweep(local(2027, 6, 23, 9, 0))
    assert posts(case_bot, CHAIR, kind=NONE_SCHEDULED) == []
    schedule(case_bot, {"meeting.date": "2027-06-22", "meeting.time": "10:00"}, at=local(2027, 6, 1, 10, 0))
    assert owed(case_bot)[-1][3] is None  # booked in time: quiet again
    case_bot.sweep(local(2027, 6, 24, 9, 0))
    assert posts(case_bot, CHAIR, kind=NONE_SCHEDULED) == []


def test_deregistration_waives_the_meeting_owed(case_bot):
    record_meeting(case_bot, at=local(2027, 5, 24, 12, 0))
    view = open_deregistration(case_bot, at=local(2027, 6, 1, 15, 0))  # South Ayrshire: the case closes at once
    mark = case_bot.fake.mark()
    answers = {
        "deregistration.conference_on": "2027-06-01",
        "deregistration.plan": "single_agency",
        "deregistration.lead_agency": "Health",
    }
    assert modal_errors(submit(case_bot, view, answers, user=CHAIR)) == {}
    ephemeral_to(case_bot, CHAIR, since=mark)
    assert owed(case_bot)[-1][:2] == ("next_meeting", "waived")
    case_bot.sweep(local(2027, 6, 24, 9, 0))
    assert posts(case_bot, CHAIR, kind=NONE_SCHEDULED) == []
