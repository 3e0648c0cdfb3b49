"""Meeting services on both engines: reminders and due periods follow every schedule change; a record ends
them, opens the next period and hands itself to later features."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.errors import InvalidInputError, NotAllowedError
from bot.meetings import RecordDraft
from bot.orgfile import parse_organisation_file
from bot.services import meeting_records
from bot.services.cases import import_organisation
from bot.services.meeting_records import record_meeting
from bot.services.meetings import cancel_meeting, reschedule_meeting, schedule_meeting
from bot.sweep import sweep
from store.models import MeetingKind
from tests.harness import CASE, organisation_file

UTC = timezone.utc
NOW = datetime(2027, 5, 17, 9, 0, tzinfo=UTC)  # Mon 17 May 2027, 10:00 BST
FIRST = datetime(2027, 5, 24, 9, 0, tzinfo=UTC)  # the case record's first meeting, 10:00 BST
ANSWERS = {"supports": "s", "monitoring": "m", "outcomes": "o", "contingency": "c"}


def imported(uow_factory, **case):
    with uow_factory() as uow:
        import_organisation(parse_organisation_file(organisation_file(cases=[dict(CASE, **case)])), uow=uow, now=NOW)
        uow.commit()
    with uow_factory() as uow:
        return uow.cases.get_by_reference("CP-2027-0142").id


def state(uow_factory, case_id):
    with uow_factory() as uow:
        meetings = list(uow.meetings.for_case(case_id))
        return {
            "meetings": [(m.kind, m.status, m.starts_at) for m in meetings],
            "reminders": [
                (r.working_days_before, r.due_at, r.status) for m in meetings for r in uow.meetings.reminders_for(m.id)
            ],
            "dues": [(d.basis, d.due_on, d.status) for d in uow.meetings.dues_for(case_id)],
        }


def test_import_schedules_the_first_meeting_with_its_reminders_and_due_period(uow_factory):
    case_id = imported(uow_factory)
    assert state(uow_factory, case_id) == {
        "meetings": [("first", "scheduled", FIRST)],
        "reminders": [
            (2, datetime(2027, 5, 20, 8, 0, tzinfo=UTC), "pending"),
            (0, datetime(2027, 5, 24, 8, 0, tzinfo=UTC), "pending"),
        ],
        "dues": [("first", date(2027, 5, 24), "scheduled")],
    }


def test_moving_a_meeting_replaces_its_pending_reminders_and_moving_it_back_revives_them(uow_factory):
    case_id = imported(uow_factory)
    moved = datetime(2027, 5, 26, 13, 0, tzinfo=UTC)
    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        (meeting,) = uow.meetings.for_case(case_id)
        reschedule_meeting(uow=uow, case=case, meeting=meeting, starts_at=moved, actor="U0CHAIR", now=NOW, reason="r")
        uow.commit()
    assert [r for r in state(uow_factory, case_id)["reminders"] if r[2] == "pending"] == [
        (2, datetime(2027, 5, 24, 8, 0, tzinfo=UTC), "pending"),
        (0, datetime(2027, 5, 26, 8, 0, tzinfo=UTC), "pending"),
    ]
    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        (meeting,) = uow.meetings.for_case(case_id)
        reschedule_meeting(uow=uow, case=case, meeting=meeting, starts_at=FIRST, actor="U0CHAIR", now=NOW, reason="r")
        uow.commit()
    reminders = state(uow_factory, case_id)["reminders"]
    assert len(reminders) == 4  # one row per meeting time and offset, never two
    assert sorted(r[1] for r in reminders if r[2] == "pending") == [
        datetime(2027, 5, 20, 8, 0, tzinfo=UTC),
        datetime(2027, 5, 24, 8, 0, tzinfo=UTC),
    ]


def test_cancelling_the_meeting_that_met_the_due_date_reopens_it_and_stops_its_reminders(uow_factory):
    case_id = imported(uow_factory)
    with uow_factory() as uow:
        (meeting,) = uow.meetings.for_case(case_id)
        cancel_meeting(uow=uow, case=uow.cases.get(case_id), meeting=meeting, actor="U0CHAIR", now=NOW, reason="r")
        uow.commit()
    now = state(uow_factory, case_id)
    assert {r[2] for r in now["reminders"]} == {"cancelled"}
    assert now["dues"] == [("first", date(2027, 5, 24), "open")]
    with uow_factory() as uow, pytest.raises(InvalidInputError, match="already cancelled"):
        (meeting,) = uow.meetings.for_case(case_id)
        cancel_meeting(uow=uow, case=uow.cases.get(case_id), meeting=meeting, actor="U0CHAIR", now=NOW, reason="r")


def test_an_additional_meeting_scheduled_by_another_feature_gets_reminders_too(uow_factory):
    case_id = imported(uow_factory)
    with uow_factory() as uow:
        meeting = schedule_meeting(
            uow=uow,
            case=uow.cases.get(case_id),
            starts_at=datetime(2027, 6, 8, 13, 0, tzinfo=UTC),
            actor="U0TL",
            now=NOW,
            kind=MeetingKind.ADDITIONAL,
            reason="request 1",
        )
        uow.commit()
        assert [r.due_at for r in uow.meetings.reminders_for(meeting.id)] == [
            datetime(2027, 6, 4, 8, 0, tzinfo=UTC),
            datetime(2027, 6, 8, 8, 0, tzinfo=UTC),
        ]


def test_a_saved_record_is_handed_to_every_hook_in_its_transaction(uow_factory, monkeypatch):
    case_id = imported(uow_factory)
    seen = []
    monkeypatch.setattr(
        meeting_records,
        "MEETING_RECORDED_HOOKS",
        [
            lambda *, uow, case, record, now: seen.append(
                (
                    case.reference,
                    record.id,
                    [a.user_id for a in record.attendees()],
                    [a.user_id or a.label for a in record.invited_absentees()],
                    now,
                )
            )
        ],
    )
    with uow_factory() as uow:
        (meeting,) = uow.meetings.for_case(case_id)
        draft = RecordDraft(meeting_id=meeting.id, attended_users=("U0CHAIR", "U0HV"), checklist=dict(ANSWERS))
        saved = record_meeting(
            draft, channel="C0CASE142", user="U0CHAIR", uow=uow, now=datetime(2027, 5, 24, 12, tzinfo=UTC)
        )
        uow.commit()
    assert seen == [
        (
            "CP-2027-0142",
            saved.id,
            ["U0CHAIR", "U0HV"],
            ["U0TL", "U0TEACH", "U0POL", "Mother", "Father"],
            datetime(2027, 5, 24, 12, tzinfo=UTC),
        )
    ]
    assert saved.held_at == FIRST


def test_recording_closes_the_due_period_and_opens_the_next_a_month_on(uow_factory):
    case_id = imported(uow_factory)
    with uow_factory() as uow:
        (meeting,) = uow.meetings.for_case(case_id)
        record_meeting(
            RecordDraft(meeting_id=meeting.id, attended_users=("U0CHAIR",), checklist=dict(ANSWERS)),
            channel="C0CASE142",
            user="U0CHAIR",
            uow=uow,
            now=datetime(2027, 5, 24, 12, tzinfo=UTC),
        )
        uow.commit()
    assert state(uow_factory, case_id)["dues"] == [
        ("first", date(2027, 5, 24), "met"),
        ("after_meeting", date(2027, 6, 24), "open"),
    ]


def test_only_the_chair_may_record_and_only_once_the_meeting_has_begun(uow_factory):
    case_id = imported(uow_factory)
    with uow_factory() as uow:
        (meeting,) = uow.meetings.for_case(case_id)
        draft = RecordDraft(meeting_id=meeting.id, attended_users=("U0CHAIR",), checklist=dict(ANSWERS))
        with pytest.raises(NotAllowedError):
            record_meeting(draft, channel="C0CASE142", user="U0HV", uow=uow, now=datetime(2027, 5, 24, 12, tzinfo=UTC))
        with pytest.raises(meeting_records.RecordInvalidError, match="has not happened yet"):
            record_meeting(draft, channel="C0CASE142", user="U0CHAIR", uow=uow, now=NOW)


def test_the_sweep_reads_only_due_rows_and_a_second_run_finds_nothing(uow_factory):
    imported(uow_factory)
    first = sweep(uow_factory=uow_factory, now=datetime(2027, 5, 20, 8, 0, tzinfo=UTC))
    again = sweep(uow_factory=uow_factory, now=datetime(2027, 5, 20, 8, 0, tzinfo=UTC))
    assert first.enqueued["meeting reminders"] == 6  # the channel and five people with Slack
    assert again.total == 0
    with uow_factory() as uow:
        (reminded,) = uow.audit.list(action="meeting.reminded")
    assert reminded.detail["working_days_before"] == 2 and len(reminded.detail["to"]) == 6
