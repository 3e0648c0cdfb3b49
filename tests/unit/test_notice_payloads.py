"""Typed notice payloads: each kind has one, it writes the JSON main writes, reads rows older versions wrote, and
every kind has a Slack renderer in the registry the wiring builds."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.notice_payloads import PAYLOADS, PayloadError, payload_type
from bot.notice_payloads.meetings import MeetingRecorded, MeetingRescheduled
from bot.notice_payloads.renderers import Renderers
from bot.notices import NoticeKind
from handlers.blocks.slack import slack_renderers

#: JSON exactly as the services on main write it (bot/services/*.py before typed payloads), one per shape.
MAIN_ROWS: dict[str, dict] = {
    NoticeKind.MEETING_RESCHEDULED: {
        "reference": "CP-2027-0142",
        "channel": "C0CASE142",
        "meeting_id": 7,
        "kind": "regular",
        "starts_at": "2027-06-14T09:00:00+00:00",
        "timezone": "Europe/London",
        "mode": "online",
        "note": None,
        "scheduled_by": "U0CHAIR",
        "previous_starts_at": "2027-06-10T09:00:00+00:00",
        "reason": "Room double-booked",
        "changed_by": "U0CHAIR",
    },
    NoticeKind.MEETING_RECORDED: {
        "reference": "CP-2027-0142",
        "channel": "C0CASE142",
        "timezone": "Europe/London",
        "held_at": "2027-06-14T09:00:00+00:00",
        "recorded_by": "U0CHAIR",
        "attended_users": ["U0CHAIR", "U0HV"],
        "attended_labels": ["Mother"],
        "absent_users": [],
        "absent_labels": ["Father"],
        "actions": 2,
        "next_due_on": "2027-07-14",
        "significant_amendment": False,
    },
    NoticeKind.REQUEST_DECISION: {
        "request_id": 3,
        "reference": "CP-2027-0142",
        "timezone": "Europe/London",
        "concern": "new",
        "urgency": "urgent",
        "details": "typed words",
        "requested_by": "U0HV",
        "requested_at": "2027-08-03T09:00:00+00:00",
        "decider": "U0TL",
        "decider_role": "team leader",
        "coordinator": "U0COORD",
        "occasion": "routed",
        "recipient": "U0TL",
        "on_behalf_of": None,
        "delegate": None,
        "closed": {"outcome": "refused", "by": "U0TL", "at": "2027-08-03T10:15:00+00:00", "reason": "No need"},
    },
    NoticeKind.DELEGATE_APPOINTED: {"principal": "U0TL", "scope": "request_decisions", "until": "2027-08-20"},
    NoticeKind.DELIVERY_FAILED: {
        "kind": "meeting_reminder",
        "recipient": "C0GONE",
        "error": "channel_not_found",
        "reference": None,
    },
    NoticeKind.COORDINATOR_DIGEST: {
        "organisation": "South Ayrshire Council",
        "day": "2027-08-03",
        "open_cases": 3,
        "on_time": 2,
        "sections": [{"key": "cp9", "title": "CP9s due and overdue", "items": []}],
        "recipient": "U0COORD",
        "on_behalf_of": None,
        "coordinator": "U0COORD",
    },
}


def test_every_notice_kind_has_a_typed_payload():
    assert set(PAYLOADS) == {str(k) for k in NoticeKind}


@pytest.mark.parametrize("kind", list(MAIN_ROWS))
def test_a_row_main_writes_today_reads_back_and_writes_the_same_json(kind):
    payload = payload_type(kind).from_json(MAIN_ROWS[kind])
    assert payload.to_json() == MAIN_ROWS[kind]


def test_dates_and_times_come_back_as_dates_and_utc_times_and_lists_as_tuples():
    moved = MeetingRescheduled.from_json(MAIN_ROWS[NoticeKind.MEETING_RESCHEDULED])
    assert moved.starts_at == datetime(2027, 6, 14, 9, tzinfo=timezone.utc)
    assert moved.previous_starts_at.utcoffset() is not None
    recorded = MeetingRecorded.from_json(MAIN_ROWS[NoticeKind.MEETING_RECORDED])
    assert recorded.next_due_on == date(2027, 7, 14) and recorded.attended_users == ("U0CHAIR", "U0HV")


def test_an_older_row_missing_a_later_field_reads_with_its_default_and_unknown_keys_are_ignored():
    older = {k: v for k, v in MAIN_ROWS[NoticeKind.MEETING_RECORDED].items() if k != "significant_amendment"}
    recorded = MeetingRecorded.from_json({**older, "removed_since": 1})
    assert recorded.significant_amendment is False and "removed_since" not in recorded.to_json()


def test_a_row_without_a_field_it_cannot_do_without_is_refused_naming_the_field():
    broken = {k: v for k, v in MAIN_ROWS[NoticeKind.MEETING_RESCHEDULED].items() if k != "starts_at"}
    with pytest.raises(PayloadError, match="starts_at"):
        MeetingRescheduled.from_json(broken)
    with pytest.raises(PayloadError, match="next_due_on"):
        MeetingRecorded.from_json({**MAIN_ROWS[NoticeKind.MEETING_RECORDED], "next_due_on": "soon"})


def test_a_typed_payload_written_by_a_service_round_trips():
    moved = MeetingRescheduled.from_json(MAIN_ROWS[NoticeKind.MEETING_RESCHEDULED]).but(note="Room 4")
    assert MeetingRescheduled.from_json(moved.to_json()) == moved and moved.to_json()["note"] == "Room 4"


def test_slack_has_a_renderer_for_every_notice_kind():
    assert slack_renderers().kinds() == {str(k) for k in NoticeKind}


def test_each_call_builds_its_own_registry_so_nothing_is_registered_on_import():
    first, second = slack_renderers(), slack_renderers()
    assert first is not second and Renderers("teams").kinds() == frozenset()


def test_a_platform_without_a_renderer_for_a_kind_says_which_and_two_for_one_kind_are_refused():
    teams: Renderers[str] = Renderers("teams")
    teams.add(NoticeKind.MEETING_RECORDED, lambda p: f"recorded {p.reference}")
    assert teams.render(NoticeKind.MEETING_RECORDED, MAIN_ROWS[NoticeKind.MEETING_RECORDED]) == "recorded CP-2027-0142"
    with pytest.raises(LookupError, match="no teams renderer for notice kind 'meeting_reminder'"):
        teams.render(NoticeKind.MEETING_REMINDER, {})
    with pytest.raises(ValueError, match="two teams renderers"):
        teams.add(NoticeKind.MEETING_RECORDED, lambda p: "again")


@pytest.mark.parametrize("kind", list(MAIN_ROWS))
def test_a_row_main_writes_today_renders_in_slack(kind):
    rendered = slack_renderers().render(kind, MAIN_ROWS[kind])
    assert rendered.text
