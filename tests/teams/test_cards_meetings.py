"""The case channel's meeting cards in Teams say what the Slack messages say: when, where, why, who."""

from __future__ import annotations

from teams.cards.meetings import (
    build_meeting_cancelled_card,
    build_meeting_recorded_card,
    build_meeting_reminder_card,
    build_meeting_rescheduled_card,
    build_meeting_scheduled_card,
)
from tests.teams.test_cards_every_builder import CHAIR, LEADER, MEMBER, at, meeting, recorded


def texts(card) -> list[str]:
    found = []
    for element in card["body"]:
        found += [i["text"] for i in element.get("items", [])] if element["type"] == "Container" else [element["text"]]
    return found


def test_a_reminder_says_how_many_working_days_and_when_and_where():
    card = build_meeting_reminder_card(payload={**meeting(note=None), "working_days_before": 2})
    assert card["fallbackText"] == (
        "Reminder: core group meeting for CP-2027-0142 in 2 working days \u2014 Mon 24 May 2027, 10:00 (in person)"
    )
    assert texts(card)[:2] == [
        "Reminder: core group meeting in 2 working days \u2014 CP-2027-0142",
        "**When:** Mon 24 May 2027, 10:00 (in person)",
    ]
    today = build_meeting_reminder_card(payload={**meeting(kind="additional"), "working_days_before": 0})
    assert texts(today)[0] == "Reminder: additional core group meeting today \u2014 CP-2027-0142"


def test_a_scheduled_meeting_names_who_scheduled_it_or_that_the_date_came_from_the_conference():
    card = build_meeting_scheduled_card(payload=meeting(mode="online", note="Bring the *plan*"), names={CHAIR: "Sam"})
    assert texts(card) == [
        "Core group meeting scheduled \u2014 CP-2027-0142",
        "**When:** Mon 24 May 2027, 10:00 (online)",
        "**Note:**",
        "Bring the \u2217plan\u2217",
        "Scheduled by <at>Sam</at>",
    ]
    assert card["msteams"]["entities"][0]["mentioned"] == {"id": CHAIR, "name": "Sam"}
    imported = build_meeting_scheduled_card(payload=meeting(kind="first", scheduled_by="cli", note=None))
    assert texts(imported)[-1] == "Date from the initial child protection conference's minute"
    assert "entities" not in imported["msteams"]


def test_a_moved_meeting_says_from_when_to_when_and_why():
    card = build_meeting_rescheduled_card(
        payload=meeting(previous_starts_at=at(20), reason="Room *flooded*", note=None, changed_by=CHAIR)
    )
    assert card["fallbackText"] == (
        "Core group meeting for CP-2027-0142 moved to Mon 24 May 2027, 10:00 (was Thu 20 May 2027, 10:00)"
    )
    assert texts(card) == [
        "Core group meeting moved \u2014 CP-2027-0142",
        "**Now:** Mon 24 May 2027, 10:00 (in person)",
        "**Was:** Thu 20 May 2027, 10:00",
        "**Why:**",
        "Room \u2217flooded\u2217",
        "Changed by <at>chair</at>",
    ]


def test_a_meeting_changed_but_not_moved_says_changed():
    card = build_meeting_rescheduled_card(payload=meeting(previous_starts_at=at(24), reason="Online now", note=None))
    assert texts(card)[:2] == [
        "Core group meeting changed \u2014 CP-2027-0142",
        "**When:** Mon 24 May 2027, 10:00 (in person)",
    ]


def test_a_cancelled_meeting_says_which_and_why():
    card = build_meeting_cancelled_card(payload=meeting(reason="Family moved away", changed_by=CHAIR))
    assert card["fallbackText"] == "Core group meeting for CP-2027-0142 on Mon 24 May 2027, 10:00 is cancelled"
    assert texts(card) == [
        "Core group meeting cancelled \u2014 CP-2027-0142",
        "**Was:** Mon 24 May 2027, 10:00",
        "**Why:**",
        "Family moved away",
        "Cancelled by <at>chair</at>",
    ]


def test_a_recorded_meeting_says_who_attended_the_actions_and_the_next_due_date():
    card = build_meeting_recorded_card(payload=recorded(), names={CHAIR: "Sam", LEADER: "Alex"})
    assert card["fallbackText"] == (
        "Core group meeting of Mon 24 May 2027, 10:00 for CP-2027-0142 recorded; the next is due by Mon 21 Jun 2027"
    )
    assert texts(card) == [
        "Core group meeting recorded \u2014 CP-2027-0142, Mon 24 May 2027, 10:00",
        "**Attended:** <at>Sam</at>, <at>Alex</at>, Police \u2217officer\u2217 \uff1cat\uff1ex\uff1c/at\uff1e",
        "**Invited, could not attend:** <at>member</at>",
        "**New actions:** 3 (ask me for **status**)",
        "**Next meeting due by:** Mon 21 Jun 2027",
        "Recorded by <at>Sam</at>",
    ]
    assert [e["mentioned"]["id"] for e in card["msteams"]["entities"]] == [CHAIR, LEADER, MEMBER]
