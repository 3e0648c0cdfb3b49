"""Block Kit for the meetings' notices: scheduled, moved, cancelled, reminders, recorded, and what is owed.

Pure functions of the notice's typed payload (bot/notice_payloads/meetings.py), registered by `slack_renderers()`.
"""

from __future__ import annotations

from typing import Any

from bot.notice_payloads.meetings import (
    FirstMeetingToSchedule,
    MeetingBreach,
    MeetingCancelled,
    MeetingHeldLate,
    MeetingNotice,
    MeetingNotScheduled,
    MeetingRecorded,
    MeetingReminder,
    MeetingRescheduled,
    MeetingScheduled,
)
from handlers.format import local_date, local_datetime
from handlers.render import Rendered, context, inline, mention, quote, section

KIND_WORDS = {
    "first": "First core group meeting",
    "regular": "Core group meeting",
    "additional": "Additional core group meeting",
}
MODE_WORDS = {"in_person": "in person", "online": "online"}


def _title(p: MeetingNotice) -> str:
    return KIND_WORDS.get(p.kind or "", "Core group meeting")


def _mode(p: MeetingNotice) -> str:
    mode = p.mode or ""
    return MODE_WORDS.get(mode, mode)


def _on_behalf(on_behalf_of: str | None) -> list[dict[str, Any]]:
    return [context(f"You are standing in for {mention(on_behalf_of)}.")] if on_behalf_of else []


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def render_meeting_scheduled(p: MeetingScheduled) -> Rendered:
    """The case channel is told a meeting was scheduled."""
    when, title = local_datetime(p.starts_at, p.timezone), _title(p)
    text = f"{title} for {p.reference} scheduled: {when}"
    lines = [f"*{title} scheduled* — {p.reference}", f"*When:* {when} ({_mode(p)})"]
    if p.note:
        lines.append(f"*Note:*\n{quote(p.note)}")
    blocks = [section("\n".join(lines))]
    by = p.scheduled_by or ""
    if by[:1] in ("U", "W"):
        blocks.append(context(f"Scheduled by {mention(by)}"))
    elif p.kind == "first":
        # Imported from the case record (`coregroup cases import`): the date is the conference's, not a person's.
        blocks.append(context("Date from the initial child protection conference's minute"))
    return Rendered(text=text, blocks=blocks)


def render_meeting_rescheduled(p: MeetingRescheduled) -> Rendered:
    """The case channel is told a meeting moved: from when, to when, and why."""
    when, before, title = (
        local_datetime(p.starts_at, p.timezone),
        local_datetime(p.previous_starts_at, p.timezone),
        _title(p),
    )
    if when == before:
        text = f"{title} for {p.reference} changed: {when}"
        lines = [f"*{title} changed* — {p.reference}", f"*When:* {when} ({_mode(p)})"]
    else:
        text = f"{title} for {p.reference} moved to {when} (was {before})"
        lines = [f"*{title} moved* — {p.reference}", f"*Now:* {when} ({_mode(p)})", f"*Was:* ~{before}~"]
    if p.reason:
        lines.append(f"*Why:*\n{quote(p.reason)}")
    if p.note:
        lines.append(f"*Note:*\n{quote(p.note)}")
    blocks = [section("\n".join(lines))]
    if p.changed_by:
        blocks.append(context(f"Changed by {mention(p.changed_by)}"))
    return Rendered(text=text, blocks=blocks)


def render_meeting_cancelled(p: MeetingCancelled) -> Rendered:
    """The case channel is told a meeting is cancelled, and why."""
    when, title = local_datetime(p.starts_at, p.timezone), _title(p)
    text = f"{title} for {p.reference} on {when} is cancelled"
    lines = [f"*{title} cancelled* — {p.reference}", f"*Was:* ~{when}~"]
    if p.reason:
        lines.append(f"*Why:*\n{quote(p.reason)}")
    blocks = [section("\n".join(lines))]
    if p.changed_by:
        blocks.append(context(f"Cancelled by {mention(p.changed_by)}"))
    return Rendered(text=text, blocks=blocks)


def render_meeting_reminder(p: MeetingReminder) -> Rendered:
    """A reminder, in the case channel and by DM: when the meeting is, and where."""
    when, title = local_datetime(p.starts_at, p.timezone), _title(p)
    days = p.working_days_before or 0
    soon = "today" if days == 0 else f"in {_plural(days, 'working day')}"
    text = f"Reminder: {title.lower()} for {p.reference} {soon} — {when} ({_mode(p)})"
    lines = [f"*Reminder: {title.lower()} {soon}* — {p.reference}", f"*When:* {when} ({_mode(p)})"]
    if p.note:
        lines.append(f"*Note:*\n{quote(p.note)}")
    blocks = [section("\n".join(lines))]
    if p.channel:
        blocks.append(context(f"Case channel: <#{p.channel}>"))
    return Rendered(text=text, blocks=blocks)


def render_first_meeting_to_schedule(p: FirstMeetingToSchedule) -> Rendered:
    """The chair is asked to schedule a first meeting the case record did not give."""
    due = local_date(p.due_on)
    text = f"Please schedule the first core group meeting for {p.reference} by {due}"
    lines = [
        f"*Please schedule the first core group meeting* — {p.reference}",
        f"The case record has no date for it. It is due by *{due}*, the default after registration "
        f"on {local_date(p.registered_on)}.",
        f"Use `/core-group schedule` in <#{p.channel}>.",
    ]
    return Rendered(text=text, blocks=[section("\n".join(lines)), *_on_behalf(p.on_behalf_of)])


def render_meeting_not_scheduled(p: MeetingNotScheduled) -> Rendered:
    """The chair is told the meeting is due today and none is scheduled by then (kept for the coordinator's digest)."""
    due = local_date(p.due_on)
    which = "first core group meeting" if p.basis == "first" else "next core group meeting"
    text = f"The {which} for {p.reference} is due by {due} and none is scheduled"
    lines = [
        f":warning: *The {which} is due and not scheduled* — {p.reference}",
        f"It is due by *{due}*. Schedule it with `/core-group schedule` in <#{p.channel}>.",
    ]
    return Rendered(
        text=text,
        blocks=[
            section("\n".join(lines)),
            context("The coordinator's digest lists meetings that are overdue."),
            *_on_behalf(p.on_behalf_of),
        ],
    )


def render_meeting_breach(p: MeetingBreach) -> Rendered:
    """The coordinator is told no meeting was held within the profile's limit after the last one (kept in the digest)."""
    held, limit = local_date(p.held_on), local_date(p.breach_on)
    text = f"Breach: no core group meeting for {p.reference} within {p.weeks} weeks of the last"
    chair = f" The chair is {mention(p.chair)}." if p.chair else ""
    lines = [
        f":rotating_light: *No meeting within {p.weeks} weeks* — {p.reference}",
        f"The last core group meeting was on {held}; none was held by *{limit}*.{chair} See <#{p.channel}>.",
    ]
    return Rendered(
        text=text,
        blocks=[
            section("\n".join(lines)),
            context("The digest lists this case until a meeting is recorded."),
            *_on_behalf(p.on_behalf_of),
        ],
    )


def _people(users: tuple[str, ...], labels: tuple[str, ...]) -> str:
    shown = [mention(u) for u in users] + [inline(label, limit=60) for label in labels]
    return ", ".join(shown) if shown else "—"


def render_meeting_recorded(p: MeetingRecorded) -> Rendered:
    """The case channel is told the meeting was recorded: who attended, actions, when the next is due."""
    when, due = local_datetime(p.held_at, p.timezone), local_date(p.next_due_on)
    text = f"Core group meeting of {when} for {p.reference} recorded; the next is due by {due}"
    lines = [
        f"*Core group meeting recorded* — {p.reference}, {when}",
        f"*Attended:* {_people(p.attended_users, p.attended_labels)}",
        f"*Invited, could not attend:* {_people(p.absent_users, p.absent_labels)}",
        f"*New actions:* {p.actions} (see `/core-group status`)",
        f"*Next meeting due by:* {due}",
    ]
    return Rendered(text=text, blocks=[section("\n".join(lines)), context(f"Recorded by {mention(p.recorded_by)}")])


def render_meeting_held_late(p: MeetingHeldLate) -> Rendered:
    """The chair is told a recorded meeting came after its due date (kept for the coordinator's digest)."""
    held, due, late = local_date(p.held_on), local_date(p.due_on), _plural(p.days_late, "day")
    text = f"The core group meeting for {p.reference} was held {late} late"
    lines = [
        f":warning: *Meeting held late* — {p.reference}",
        f"Held on {held}; it was due by {due} ({late} late).",
        f"Meetings are held {p.cadence or 'monthly'}: please schedule the next one in good time.",
    ]
    return Rendered(
        text=text, blocks=[section("\n".join(lines)), context("The coordinator's digest lists meetings held late.")]
    )
