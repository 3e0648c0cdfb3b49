"""Teams cards for the case channel's meeting notices: reminder, scheduled, moved, cancelled, recorded.

Each says what the Slack renderer in handlers/meetings.py (or meeting_records.py) says, from the same payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.requests import SYSTEM_ACTOR
from teams.cards.elements import Element, card, heading, label, labelled, text
from teams.cards.text import People, inline, local_date, local_datetime, plural, quoted

KIND_WORDS = {
    "first": "First core group meeting",
    "regular": "Core group meeting",
    "additional": "Additional core group meeting",
}
MODE_WORDS = {"in_person": "in person", "online": "online"}
#: Who schedules a meeting that no person scheduled: the case import (`coregroup cases import`) and the bot.
_NOT_PEOPLE = {"cli", SYSTEM_ACTOR}


def _title(p: Mapping[str, Any]) -> str:
    return KIND_WORDS.get(p.get("kind") or "", "Core group meeting")


def _mode(p: Mapping[str, Any]) -> str:
    mode = p.get("mode") or ""
    return MODE_WORDS.get(mode, inline(mode))


def _when(p: Mapping[str, Any], key: str = "starts_at") -> str:
    return local_datetime(p[key], p["timezone"])


def _note(p: Mapping[str, Any], key: str = "note", name: str = "Note") -> list[Element]:
    return labelled(name, quoted(p[key])) if p.get(key) else []


def build_meeting_reminder_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """A reminder, in the case channel and 1:1: when the meeting is, and where."""
    p, title = payload, _title(payload)
    days = p.get("working_days_before", 0)
    soon = "today" if days == 0 else f"in {plural(days, 'working day')}"
    when = f"{_when(p)} ({_mode(p)})"
    body = [
        heading(f"Reminder: {title.lower()} {soon} \u2014 {inline(p['reference'])}"),
        label("When", when),
        *_note(p),
    ]
    return card(body, summary=f"Reminder: {title.lower()} for {p['reference']} {soon} \u2014 {when}")


def build_meeting_scheduled_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The case channel is told a meeting was scheduled."""
    p, title, people = payload, _title(payload), People(names)
    body = [
        heading(f"{title} scheduled \u2014 {inline(p['reference'])}"),
        label("When", f"{_when(p)} ({_mode(p)})"),
        *_note(p),
    ]
    by = p.get("scheduled_by") or ""
    if by and by not in _NOT_PEOPLE:
        body.append(text(f"Scheduled by {people(by, 'the chair')}", subtle=True))
    elif p.get("kind") == "first":
        # Imported from the case record: the date is the conference's, not a person's.
        body.append(text("Date from the initial child protection conference's minute", subtle=True))
    return card(body, summary=f"{title} for {p['reference']} scheduled: {_when(p)}", people=people)


def build_meeting_rescheduled_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The case channel is told a meeting moved: from when, to when, and why."""
    p, title, people = payload, _title(payload), People(names)
    when, before = _when(p), _when(p, "previous_starts_at")
    if when == before:  # the mode or the note changed, not the time
        summary = f"{title} for {p['reference']} changed: {when}"
        body = [heading(f"{title} changed \u2014 {inline(p['reference'])}"), label("When", f"{when} ({_mode(p)})")]
    else:
        summary = f"{title} for {p['reference']} moved to {when} (was {before})"
        body = [
            heading(f"{title} moved \u2014 {inline(p['reference'])}"),
            label("Now", f"{when} ({_mode(p)})"),
            label("Was", before),
        ]
    body += _note(p, "reason", "Why") + _note(p)
    if p.get("changed_by"):
        body.append(text(f"Changed by {people(p['changed_by'], 'the chair')}", subtle=True))
    return card(body, summary=summary, people=people)


def build_meeting_cancelled_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The case channel is told a meeting is cancelled, and why."""
    p, title, people = payload, _title(payload), People(names)
    when = _when(p)
    body = [
        heading(f"{title} cancelled \u2014 {inline(p['reference'])}"),
        label("Was", when),
        *_note(p, "reason", "Why"),
    ]
    if p.get("changed_by"):
        body.append(text(f"Cancelled by {people(p['changed_by'], 'the chair')}", subtle=True))
    return card(body, summary=f"{title} for {p['reference']} on {when} is cancelled", people=people)


def build_meeting_recorded_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The case channel is told the meeting was recorded: who attended, actions, when the next is due."""
    p, people = payload, People(names)
    when, due = local_datetime(p["held_at"], p["timezone"]), local_date(p["next_due_on"])

    def who(users_key: str, labels_key: str) -> str:
        shown = [people(u, "member") for u in p.get(users_key) or []]
        shown += [inline(x, limit=60) for x in p.get(labels_key) or []]
        return ", ".join(shown) if shown else "\u2014"

    body = [
        heading(f"Core group meeting recorded \u2014 {inline(p['reference'])}, {when}"),
        label("Attended", who("attended_users", "attended_labels")),
        label("Invited, could not attend", who("absent_users", "absent_labels")),
        label("New actions", f"{p.get('actions', 0)} (ask me for **status**)"),
        label("Next meeting due by", due),
        text(f"Recorded by {people(p.get('recorded_by'), 'the chair')}", subtle=True),
    ]
    return card(
        body,
        summary=f"Core group meeting of {when} for {p['reference']} recorded; the next is due by {due}",
        people=people,
    )
