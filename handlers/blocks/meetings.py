"""Block Kit for meetings: the schedule and record modals, and the meetings part of `/core-group status`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.meetings import ExistingMeeting
from bot.services.meeting_records import Invitee, MeetingStatusView, RecordForm
from bot.services.meetings import ScheduleForm
from handlers.blocks.actions import action_line
from handlers.format import local_date, local_datetime
from handlers.ids import MeetingIds
from handlers.render import context, inline, mention, section

#: How many optional action rows the record modal offers.
ACTION_ROWS = 3
NO_NAMES = "No names, addresses or dates of birth: the case reference is enough."
MODE_OPTIONS = (("in_person", "In person"), ("online", "Online"))


def build_schedule_modal(form: ScheduleForm, *, today: date) -> dict[str, Any]:
    """Schedule a new meeting, or move or cancel an upcoming one (offered first when there is one)."""
    current = form.upcoming[0] if form.upcoming else None
    intro = f"*{form.reference}* — schedule a core group meeting, or move or cancel one."
    if form.due_on:
        intro += f"\nThe next meeting is due by *{local_date(form.due_on)}*."
    blocks: list[dict[str, Any]] = [section(intro)]
    if form.upcoming:
        options = [_option("new", "A new meeting")] + [
            _option(str(m.id), _meeting_words(m, form.timezone)) for m in form.upcoming
        ]
        blocks.append(
            _input(
                MeetingIds.MEETING,
                "Which meeting",
                {
                    "type": "static_select",
                    "options": options,
                    "initial_option": options[1],
                },
            )
        )
        change = [
            _option("schedule", "Schedule it, or move it to the date and time below"),
            _option("cancel", "Cancel it"),
        ]
        blocks.append(
            _input(
                MeetingIds.CHANGE,
                "What to do",
                {
                    "type": "radio_buttons",
                    "options": change,
                    "initial_option": change[0],
                },
            )
        )
    date_element: dict[str, Any] = {"type": "datepicker"}
    time_element: dict[str, Any] = {"type": "timepicker"}
    if current is not None:
        local = current.starts_at.astimezone(ZoneInfo(form.timezone))
        date_element["initial_date"] = local.date().isoformat()
        time_element["initial_time"] = local.strftime("%H:%M")
    elif form.due_on and form.due_on >= today:
        date_element["initial_date"] = form.due_on.isoformat()
    modes = [_option(value, text) for value, text in MODE_OPTIONS]
    mode = next((o for o in modes if current and o["value"] == current.mode), modes[0])
    note: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": 500}
    if current is not None and current.note:
        note["initial_value"] = current.note
    blocks += [
        _input(MeetingIds.DATE, "Date", date_element, optional=True),
        _input(MeetingIds.TIME, "Time", time_element, optional=True),
        _input(MeetingIds.MODE, "Where", {"type": "radio_buttons", "options": modes, "initial_option": mode}),
        _input(MeetingIds.NOTE, "Note for the group", note, optional=True, hint=NO_NAMES),
        _input(
            MeetingIds.REASON,
            "Reason (to move or cancel a meeting"
            + (", or to hold it online: core groups meet in person)" if form.in_person else ")"),
            {"type": "plain_text_input", "max_length": 500},
            optional=True,
            hint="The case channel is told. " + NO_NAMES,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": str(MeetingIds.SCHEDULE_MODAL),
        "title": _text("Schedule a meeting"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps({"channel": form.channel}),
        "blocks": blocks,
    }


def build_record_modal(form: RecordForm) -> dict[str, Any]:
    """The meeting record: attendance, the four-point re-evaluation of the plan, new actions and two flags."""
    chosen = form.meetings[0]
    said = (
        f"Recording the meeting of *{local_datetime(chosen.starts_at, form.timezone)}* "
        f"({form.reference}), the latest whose time has come."
    )
    if len(form.meetings) > 1:
        said += " Choose another below if you are recording an earlier one."
    blocks: list[dict[str, Any]] = [section(said)]
    if len(form.meetings) > 1:
        options = [_option(str(m.id), _meeting_words(m, form.timezone)) for m in form.meetings[:100]]
        blocks.append(
            _input(
                MeetingIds.RECORDED_MEETING,
                "Meeting",
                {
                    "type": "static_select",
                    "options": options,
                    "initial_option": options[0],
                },
            )
        )
    people = [_option(label, label) for label in form.participants]
    blocks.append(
        section(
            "*Attendance.* Everyone in the core group is invited. Tick who attended: everyone invited "
            "who did not attend is an invited absentee and is owed a copy of the plan. Someone who is "
            "not in the group is added first with `/core-group add @name ROLE`."
        )
    )
    invitees = [_invitee_option(i) for i in form.invitees]
    recorder = [o for o in invitees if o["value"] == form.recorder]
    blocks += _checkbox_blocks(MeetingIds.ATTENDED, "Who attended", invitees, initial=recorder)
    blocks += _checkbox_blocks(MeetingIds.NOT_INVITED, "Not invited to this meeting (rarely: say why below)", invitees)
    blocks.append(
        _input(
            MeetingIds.NOT_INVITED_REASON,
            "Not invited: reason",
            {"type": "plain_text_input", "multiline": True, "max_length": 500},
            optional=True,
            hint="Needed when anyone is taken off the list; kept with the record and shown in the "
            "review conference report. " + NO_NAMES,
        )
    )
    blocks.append(section(f"*Re-evaluation of the plan*\nEach point must be considered. {form.amendment_rule}"))
    blocks.append(context(NO_NAMES))
    for item in form.checklist:
        blocks.append(
            _input(
                f"{MeetingIds.CHECKLIST}{item.key}",
                item.label[:2000],
                {"type": "plain_text_input", "multiline": True, "max_length": 3000},
            )
        )
    blocks.append(section("*New actions* (optional): what, who owns it, and by when."))
    for n in range(1, ACTION_ROWS + 1):
        row = f"{MeetingIds.ACTION}{n}"
        blocks.append(
            _input(f"{row}.what", f"Action {n}", {"type": "plain_text_input", "max_length": 300}, optional=True)
        )
        blocks.append(_input(f"{row}.owner", f"Action {n}: owner", {"type": "users_select"}, optional=True))
        if people:
            blocks.append(
                _input(
                    f"{row}.owner_label",
                    f"Action {n}: or owner without Slack",
                    {"type": "static_select", "options": people},
                    optional=True,
                )
            )
        blocks.append(_input(f"{row}.due", f"Action {n}: due", {"type": "datepicker"}, optional=True))
    flags = [
        _option(
            "significant_amendment",
            "The plan needs significant amendment",
            description="Referred to the coordinator for the review conference",
        ),
        _option(
            "institution", "A parent or relative is in an institution", description="For example prison or hospital"
        ),
    ]
    blocks.append(_input(MeetingIds.FLAGS, "Flags", {"type": "checkboxes", "options": flags}, optional=True))
    return {
        "type": "modal",
        "callback_id": str(MeetingIds.RECORD_MODAL),
        "title": _text("Record the meeting"),
        "submit": _text("Save record"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps({"channel": form.channel, "meeting_id": chosen.id}),
        "blocks": blocks,
    }


def build_meeting_status_section(view: MeetingStatusView, *, now: datetime) -> list[dict[str, Any]]:
    """When the next meeting is due, the last record, and every action: open, overdue, done or closed."""
    lines = []
    if view.due_on:
        due = f"*Next meeting due by:* {local_date(view.due_on)}"
        if view.due_status == "flagged":
            due += " — :warning: not scheduled by its due date"
        elif view.due_status == "open":
            due += " — not scheduled yet"
        lines.append(due)
    lines.append(f"*Last meeting recorded:* {local_datetime(view.last_held_at, view.timezone)}")
    blocks = [section("\n".join(lines))]
    if view.actions:
        still = sum(1 for a in view.actions if a.is_open)
        rows = [action_line(action, view.timezone) for action in view.actions[:30]]
        more = f"\n…and {len(view.actions) - 30} more" if len(view.actions) > 30 else ""
        blocks.append(
            section(
                f"*Actions ({still} open of {len(view.actions)})* — `/core-group actions` to mark "
                "one done\n" + "\n".join(rows) + more
            )
        )
    else:
        blocks.append(section("*Actions:* none"))
    return blocks


#: Slack allows at most 10 options in one checkboxes element.
CHECKBOXES_LIMIT = 10


def invitee_value(invitee: Invitee) -> str:
    """A person's value in the attendance checkboxes: the Slack user id, or `p:` and the participant's label."""
    return invitee.user_id or f"{PARTICIPANT_PREFIX}{invitee.label}"


PARTICIPANT_PREFIX = "p:"


def _invitee_option(invitee: Invitee) -> dict[str, Any]:
    words = (
        f"{mention(invitee.user_id)} ({inline(invitee.role)})"
        if invitee.user_id
        else f"{inline(invitee.label or '')} (no Slack)"
    )
    return {"text": {"type": "mrkdwn", "text": words[:150]}, "value": invitee_value(invitee)[:150]}


def _checkbox_blocks(
    block_id: str, label: str, options: list[dict[str, Any]], *, initial: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """One optional checkboxes input per 10 people (`block_id`, then `block_id.2` ...); none for an empty group."""
    blocks = []
    for n, start in enumerate(range(0, len(options), CHECKBOXES_LIMIT), start=1):
        chunk = options[start : start + CHECKBOXES_LIMIT]
        element: dict[str, Any] = {"type": "checkboxes", "options": chunk}
        ticked = [o for o in initial or [] if o in chunk]
        if ticked:
            element["initial_options"] = ticked
        blocks.append(
            _input(
                block_id if n == 1 else f"{block_id}.{n}",
                label if n == 1 else f"{label} (more)",
                element,
                optional=True,
            )
        )
    return blocks


def _meeting_words(meeting: ExistingMeeting, timezone: str) -> str:
    return local_datetime(meeting.starts_at, timezone)[:75]


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, text: str, *, description: str | None = None) -> dict[str, Any]:
    option = {"text": _text(text[:75]), "value": value}
    if description:
        option["description"] = _text(description[:75])
    return option


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),
        "label": _text(label),
        "element": {**element, "action_id": str(block_id)},
        "optional": optional,
    }
    if hint:
        block["hint"] = _text(hint)
    return block
