"""Meeting records in Slack: `/core-group record` (the chair's modal) and the meetings part of `/core-group status`.

The recorded meeting's notices are rendered by handlers/blocks/meeting_notices.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.context import Services
from bot.errors import CoreGroupError
from bot.meetings import ActionDraft, RecordDraft
from bot.services.meeting_records import meeting_status, record_form, record_meeting, record_problems
from bot.services.review_conference import referral_words
from handlers import core_group
from handlers.blocks.meetings import (
    ACTION_ROWS,
    PARTICIPANT_PREFIX,
    build_meeting_status_section,
    build_record_modal,
)
from handlers.errors import explain
from handlers.format import local_date, local_datetime
from handlers.ids import MeetingIds
from handlers.once import once_per_view
from store.uow import UnitOfWork


def handle_meeting_record_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """Open the record modal on the latest meeting whose time has come, for the chair (or their delegate)."""
    with services.uow_factory() as uow:
        form = record_form(command["channel_id"], command["user_id"], uow=uow, now=services.clock.now())
    client.views_open(trigger_id=command["trigger_id"], view=build_record_modal(form))


def handle_meeting_record_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Check the record (problems stay in the modal), then save it and tell the chair what follows."""
    services: Services = context["services"]
    user = body["user"]["id"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    channel = metadata.get("channel", "")
    draft = parse_record(view["state"]["values"], default_meeting=int(metadata.get("meeting_id") or 0))
    now = services.clock.now()
    try:
        with services.uow_factory() as uow:
            problems = record_problems(draft, channel=channel, user=user, uow=uow, now=now)
    except CoreGroupError as error:  # e.g. no longer the chair: say so in the modal, which stays open
        problems = {"attended": error.message}
    if problems:
        values = view["state"]["values"]
        ack(response_action="errors", errors=_blocks_for(problems, values))
        return
    ack()
    try:
        with services.uow_factory() as uow:
            record = record_meeting(draft, channel=channel, user=user, uow=uow, now=now)
            due = uow.meetings.current_due(record.case_id)
            late = next(
                (d for d in uow.meetings.dues_for(record.case_id) if d.resolved_by_meeting_id == record.meeting_id),
                None,
            )
            uow.commit()
            case = uow.cases.require(record.case_id)
            tz, referred_to = case.organisation.timezone, referral_words(case)
    except CoreGroupError as error:  # recorded meanwhile by someone else: say so, save nothing
        client.chat_postEphemeral(channel=channel, user=user, text=explain(error))
        return
    lines = [
        f"Recorded the meeting of {local_datetime(record.held_at, tz)}: {len(record.attendees())} attended, "
        f"{len(record.invited_absentees())} invited but absent, {len(record.actions)} new action"
        f"{'s' if len(record.actions) != 1 else ''}."
    ]
    if due is not None:
        lines.append(f"The next meeting is due by {local_date(due.due_on)}. Schedule it with `/core-group schedule`.")
    if late is not None and late.days_late:
        lines.append(
            f":warning: This meeting was held {late.days_late} day{'s' if late.days_late != 1 else ''} "
            f"after its due date ({local_date(late.due_on)}); that is kept for the coordinator's digest."
        )
    if record.significant_amendment:
        lines.append(f"The plan's need for significant amendment is referred to {referred_to}.")
    client.chat_postEphemeral(channel=channel, user=user, text="\n".join(lines))


def parse_record(values: dict, *, default_meeting: int) -> RecordDraft:
    """The submitted modal's state as a plain record draft."""

    def entry(block: str) -> dict:
        return values.get(str(block), {}).get(str(block)) or {}

    def chosen(block: str) -> list[str]:
        return [o["value"] for o in entry(block).get("selected_options") or []]

    picked = (entry(MeetingIds.RECORDED_MEETING).get("selected_option") or {}).get("value")
    checklist = {
        block[len(MeetingIds.CHECKLIST) :]: (actions.get(block) or {}).get("value")
        for block, actions in values.items()
        if block.startswith(str(MeetingIds.CHECKLIST))
    }
    actions = []
    for n in range(1, ACTION_ROWS + 1):
        row = f"{MeetingIds.ACTION}{n}"
        label = (entry(f"{row}.owner_label").get("selected_option") or {}).get("value")
        due = entry(f"{row}.due").get("selected_date")
        actions.append(
            ActionDraft(
                description=entry(f"{row}.what").get("value"),
                owner_user_id=entry(f"{row}.owner").get("selected_user"),
                owner_label=label,
                due_on=date.fromisoformat(due) if due else None,
            )
        )
    flags = set(chosen(MeetingIds.FLAGS))
    attended, not_invited = _ticked(values, MeetingIds.ATTENDED), _ticked(values, MeetingIds.NOT_INVITED)
    return RecordDraft(
        meeting_id=int(picked) if picked else default_meeting,
        attended_users=tuple(v for v in attended if not v.startswith(PARTICIPANT_PREFIX)),
        attended_labels=tuple(v[len(PARTICIPANT_PREFIX) :] for v in attended if v.startswith(PARTICIPANT_PREFIX)),
        not_invited_users=tuple(v for v in not_invited if not v.startswith(PARTICIPANT_PREFIX)),
        not_invited_labels=tuple(v[len(PARTICIPANT_PREFIX) :] for v in not_invited if v.startswith(PARTICIPANT_PREFIX)),
        not_invited_reason=entry(MeetingIds.NOT_INVITED_REASON).get("value"),
        checklist=checklist,
        actions=tuple(actions),
        significant_amendment="significant_amendment" in flags,
        institution="institution" in flags,
    )


def _ticked(values: dict, block_id: str) -> list[str]:
    """The values ticked in a group of checkboxes split over several blocks (`block_id`, `block_id.2` ...)."""
    ticked: list[str] = []
    for block, actions in values.items():
        if block == block_id or block.startswith(f"{block_id}."):
            for entry in actions.values():
                ticked += [o["value"] for o in (entry or {}).get("selected_options") or []]
    return list(dict.fromkeys(ticked))


def _blocks_for(problems: dict[str, str], values: dict) -> dict[str, str]:
    """Each problem on the input block it is about (the modal shows it under that input)."""
    out: dict[str, str] = {}
    for field, message in problems.items():
        if field.startswith("checklist."):
            block = f"{MeetingIds.CHECKLIST}{field.split('.', 1)[1]}"
        elif field.startswith("action."):
            _, index, part = field.split(".")
            block = f"{MeetingIds.ACTION}{int(index) + 1}.{part}"
        else:
            block = {
                "attended": MeetingIds.ATTENDED,
                "not_invited": MeetingIds.NOT_INVITED,
                "not_invited_reason": MeetingIds.NOT_INVITED_REASON,
                "meeting": MeetingIds.RECORDED_MEETING,
            }.get(field, MeetingIds.ATTENDED)
        if str(block) not in values:
            block = MeetingIds.ATTENDED
        out.setdefault(str(block), message)
    return out


def meeting_status_section(*, channel: str, user: str, uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """The meetings part of `/core-group status`: next due date, last record, open actions."""
    return build_meeting_status_section(meeting_status(channel, user, uow=uow, now=now), now=now)


def register(app: App) -> None:
    """`/core-group record`, its modal, and the meetings section of `/core-group status`."""
    core_group.subcommand(
        "record", "record a meeting of this case: attendance, the plan's re-evaluation, actions (the chair)"
    )(handle_meeting_record_command)
    app.view(str(MeetingIds.RECORD_MODAL))(once_per_view(handle_meeting_record_submission))
    if meeting_status_section not in core_group.STATUS_SECTIONS:
        core_group.STATUS_SECTIONS.append(meeting_status_section)
