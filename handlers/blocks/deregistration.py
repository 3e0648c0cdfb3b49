"""Block Kit for deregistration: the three modals, the notices about the post-deregistration meeting, closure
and re-opening, and the deregistration part of `/core-group status`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.deregistration import DeregisterForm, DeregistrationStatusView, PostDeregView
from handlers.format import local_date, local_datetime
from handlers.ids import DeregistrationIds as Ids
from handlers.render import actions, button, context, inline, mention, section

MEETING = "post-deregistration Child's Plan meeting"
PURPOSE = (
    "The meeting confirms that risk has not escalated since deregistration. If it has, social work assesses "
    "the situation; if risks remain reduced, it reviews the Child's Plan and decides whether the plan "
    "continues as single-agency or multi-agency."
)
# Looked up with a payload's or a row's value, which may be None (no plan type yet; no role given).
PLAN_WORDS: dict[str | None, str] = {"single_agency": "a single-agency plan", "multi_agency": "a multi-agency plan"}
STEP_WORDS = {
    "opens": "The window opens today",
    "week_left": "One week left",
    "last_day": "Last day",
}
ROLE_WORDS: dict[str | None, str] = {"convener": "convene", "chair": "chair", "both": "convene and chair"}


# --- modals -----------------------------------------------------------------------------------


def build_deregister_modal(form: DeregisterForm) -> dict[str, Any]:
    """What the review conference agreed: its date, who convenes and chairs the meeting, how, and when; or, where
    the procedure has no post-deregistration meeting, how the plan continues (and the case closes)."""
    if not form.meeting:
        return _modal(
            Ids.DEREGISTER_MODAL,
            "Deregistration",
            "Save and close",
            [
                section(
                    f"*{form.reference}* — the review conference removed the child's name from the register. Record "
                    "how the Child's Plan continues: core group meetings and reminders stop and the case closes."
                ),
                _input(
                    Ids.CONFERENCE_ON,
                    "Date of the review conference",
                    {"type": "datepicker", "initial_date": form.today.isoformat()},
                ),
                *_plan_inputs(optional=False),
            ],
            {"channel": form.channel},
        )
    agreed = [
        _option("consensus", "Agreed by consensus"),
        _option("reviewing_officer", "No consensus: the reviewing officer decided"),
    ]
    blocks = [
        section(
            f"*{form.reference}* — the review conference removed the child's name from the register. Record "
            f"what it agreed: core group meetings and reminders stop, and the {MEETING} is tracked instead."
        ),
        _input(
            Ids.CONFERENCE_ON,
            "Date of the review conference",
            {"type": "datepicker", "initial_date": form.today.isoformat()},
        ),
        _input(Ids.CONVENER, "Who convenes the meeting", {"type": "users_select"}),
        _input(
            Ids.MEETING_CHAIR,
            "Who chairs the meeting",
            {"type": "users_select"},
            hint="The most appropriate person: possibly the lead professional or named person.",
        ),
        _input(Ids.AGREED_BY, "How was this agreed", {"type": "radio_buttons", "options": agreed}),
        _input(
            Ids.REVIEWING_OFFICER,
            "Reviewing officer",
            {"type": "users_select"},
            optional=True,
            hint="Required when the reviewing officer decided.",
        ),
        _input(
            Ids.TARGET_ON,
            "Date agreed for the meeting",
            {"type": "datepicker"},
            hint=f"Between {form.start_weeks} and {form.end_weeks} weeks after the review conference.",
        ),
    ]
    return _modal(Ids.DEREGISTER_MODAL, "Deregistration", "Save", blocks, {"channel": form.channel})


def build_date_modal(view: PostDeregView, *, metadata: dict[str, Any]) -> dict[str, Any]:
    """When the post-deregistration meeting is held."""
    date_element: dict[str, Any] = {"type": "datepicker", "initial_date": view.target_on.isoformat()}
    time_element: dict[str, Any] = {"type": "timepicker"}
    if view.meeting_at is not None:
        local = view.meeting_at.astimezone(ZoneInfo(view.timezone))
        date_element["initial_date"], time_element["initial_time"] = local.date().isoformat(), local.strftime("%H:%M")
    blocks = [
        section(
            f"*{view.reference}* — the {MEETING}, {view.window.words()}; the date agreed at the conference was "
            f"{local_date(view.target_on)}. The case channel is told the date."
        ),
        _input(Ids.DATE, "Date", date_element),
        _input(Ids.TIME, "Time", time_element),
    ]
    return _modal(Ids.DATE_MODAL, "Meeting date", "Save", blocks, metadata)


def build_outcome_modal(view: PostDeregView, *, metadata: dict[str, Any]) -> dict[str, Any]:
    """Has risk escalated since deregistration; if not, how the Child's Plan continues (and the case closes)."""
    held = view.meeting_at.astimezone(ZoneInfo(view.timezone)).date() if view.meeting_at else view.today
    risk = [
        _option(
            "yes",
            "Yes: risk has escalated since deregistration",
            "Social work assesses; the chair and team leader are asked",
        ),
        _option("no", "No: risks remain reduced", "The plan continues and the case closes"),
    ]
    intro = f"*{view.reference}* — the outcome of the {MEETING} ({view.window.words()})."
    blocks: list[dict[str, Any]] = [section(intro)]
    if view.status == "escalated":
        blocks.append(
            context("Risk had escalated at this meeting. Once social work has assessed, record the outcome again here.")
        )
    blocks += [
        _input(
            Ids.HELD_ON,
            "Date the meeting was held",
            {"type": "datepicker", "initial_date": min(held, view.today).isoformat()},
        ),
        _input(Ids.RISK, "Has risk escalated since deregistration?", {"type": "radio_buttons", "options": risk}),
    ]
    if view.review_activity:
        reviewed = [_option("yes", "The meeting reviewed the activity outlined in the Child's Plan")]
        blocks.append(
            _input(
                Ids.ACTIVITY,
                "If risks remain reduced, first",
                {"type": "checkboxes", "options": reviewed},
                optional=True,
            )
        )
    blocks += _plan_inputs(optional=True)
    return _modal(Ids.OUTCOME_MODAL, "Meeting outcome", "Save outcome", blocks, metadata)


def _plan_inputs(*, optional: bool) -> list[dict[str, Any]]:
    plans = [_option("single_agency", "Single-agency plan"), _option("multi_agency", "Multi-agency plan")]
    label = "If risks remain reduced, the Child's Plan continues as" if optional else "The Child's Plan continues as"
    return [
        _input(Ids.PLAN, label, {"type": "radio_buttons", "options": plans}, optional=optional),
        _input(
            Ids.LEAD_AGENCY,
            "Lead agency",
            {"type": "plain_text_input", "max_length": 100},
            optional=optional,
            hint="An agency (for example Health, Education or Social Work), not a person's name.",
        ),
    ]


# --- messages -----------------------------------------------------------------------------------


def build_deregistered_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The case channel: off the register, the core group stops, the meeting's window and who runs it."""
    text = f"{p['reference']} is off the child protection register: core group meetings stop"
    lines = [
        f"*Removed from the child protection register* — {p['reference']}",
        f"The review conference on {_day(p['conference_on'])} agreed that risks have reduced enough. "
        "Core group meetings and their reminders stop.",
        f"*{MEETING[0].upper()}{MEETING[1:]}:* {_window(p)}, target {_day(p['target_on'])}",
        f"*Convener:* {mention(p['convener'])} · *Chair:* {mention(p['meeting_chair'])} ({_agreed(p)})",
    ]
    if p.get("cancelled"):
        lines.append(
            "*Cancelled:* "
            + ", ".join(local_datetime(datetime.fromisoformat(c), p["timezone"]) for c in p["cancelled"])
        )
    return text, [section("\n".join(lines)), context(f"Recorded by {mention(p.get('recorded_by'))}")]


def build_organiser_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The convener's (and the meeting chair's) request to hold the meeting, or a reminder; buttons until decided."""
    step = p.get("step")
    if step:
        heading = f"{STEP_WORDS.get(step, 'Reminder')}: the {MEETING}"
        text = f"{STEP_WORDS.get(step, 'Reminder')}: the {MEETING} for {p['reference']} ({_window(p)})"
    else:
        heading = f"Please arrange the {MEETING}"
        text = f"Please arrange the {MEETING} for {p['reference']} ({_window(p)})"
    lines = [
        f"*{heading}* — {p['reference']}",
        f"You are to *{ROLE_WORDS.get(p.get('role'), 'convene')}* it, as agreed at the review conference on "
        f"{_day(p['conference_on'])} ({_agreed(p)}).",
        f"*When:* {_window(p)}; the date agreed was *{_day(p['target_on'])}*.",
        "*Meeting:* "
        + (
            local_datetime(datetime.fromisoformat(p["meeting_at"]), p["timezone"])
            if p.get("meeting_at")
            else "not set yet — use *Set the date* once it is arranged."
        ),
        PURPOSE,
    ]
    blocks = [section("\n".join(lines)), context(f"Case channel: <#{p['channel']}>"), *_on_behalf(p)]
    if p.get("closed"):
        return text, [*blocks, section(_closed_words(p["closed"]))]
    return text, [
        *blocks,
        actions(
            button("Set the date", action_id=Ids.SET_DATE, value=str(p["deregistration_id"])),
            button(
                "Record the outcome", action_id=Ids.RECORD_OUTCOME, value=str(p["deregistration_id"]), style="primary"
            ),
            block_id=Ids.BUTTONS,
        ),
    ]


def build_scheduled_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The case channel: the date of the post-deregistration meeting."""
    when = local_datetime(datetime.fromisoformat(p["meeting_at"]), p["timezone"])
    text = f"The {MEETING} for {p['reference']} is set: {when}"
    lines = [
        f"*{MEETING[0].upper()}{MEETING[1:]} set* — {p['reference']}",
        f"*When:* {when}",
        f"*Convener:* {mention(p['convener'])} · *Chair:* {mention(p['meeting_chair'])}",
    ]
    return text, [section("\n".join(lines)), context(f"Set by {mention(p.get('set_by'))}")]


def build_assessment_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The chair's and the team leader's task: social work assesses, because risk escalated."""
    text = f"Social work assessment needed for {p['reference']}: risk has escalated since deregistration"
    lines = [
        f":warning: *Social work assessment needed* — {p['reference']}",
        f"The {MEETING} held on {_day(p['held_on'])} found that risk has escalated since the child's name was "
        "removed from the register. Social work assesses the situation; you are asked as the case's "
        f"{p.get('role', 'chair')}. The coordinator has been told.",
        "If the child is registered again, the coordinator re-opens the case with `/core-group reopen`. If the "
        "assessment finds risks reduced again, record the outcome here: the plan continues and the case closes.",
    ]
    blocks = [
        section("\n".join(lines)),
        context(f"Outcome recorded by {mention(p.get('outcome_by'))}. Case channel: <#{p['channel']}>"),
        *_on_behalf(p),
    ]
    if p.get("closed"):
        return text, [*blocks, section(_closed_words(p["closed"]))]
    return text, [
        *blocks,
        actions(
            button(
                "Record the outcome", action_id=Ids.RECORD_OUTCOME, value=str(p["deregistration_id"]), style="primary"
            ),
            block_id=Ids.BUTTONS,
        ),
    ]


def build_escalated_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The coordinator: risk escalated after deregistration, and social work has been asked to assess."""
    text = f"{p['reference']}: risk has escalated since deregistration"
    lines = [
        f":warning: *Risk escalated after deregistration* — {p['reference']}",
        f"The {MEETING} held on {_day(p['held_on'])} found that risk has escalated since the review conference "
        f"of {_day(p['conference_on'])}. Social work has been asked to assess: the chair "
        f"{mention(p.get('chair'))} and the team leader {mention(p.get('team_leader'))}.",
        f"If the child is registered again, re-open the case with `/core-group reopen YYYY-MM-DD` in <#{p['channel']}>.",
    ]
    return text, [section("\n".join(lines)), *_on_behalf(p)]


def build_closed_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The case channel: risks remain reduced, how the plan continues, and that the case is closed."""
    plan = PLAN_WORDS.get(p.get("plan_type"), "a plan")
    text = f"Case {p['reference']} is closed: risks remain reduced and the Child's Plan continues as {plan}"
    held = (
        f"The {MEETING} held on {_day(p['held_on'])} confirmed that risks remain reduced."
        + (" It reviewed the activity outlined in the Child's Plan." if p.get("activity_reviewed") else "")
        if p.get("held_on")
        else f"The review conference on {_day(p['conference_on'])} removed the child's name from the register."
    )
    lines = [
        f"*Case closed* — {p['reference']}",
        held,
        f"The Child's Plan continues as *{plan}*; lead agency: {inline(p.get('lead_agency') or '—', limit=100)}.",
        "Core group reminders have stopped.",
    ]
    years = p.get("retention_years")
    note = f"Recorded by {mention(p.get('closed_by'))}."
    if years:
        note += f" The case's records are kept for {years} years after closing, then removed."
    return text, [section("\n".join(lines)), context(note)]


def build_reopened_message(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The case channel: the child is registered again and the core group restarts."""
    text = f"Case {p['reference']} is re-opened: the core group restarts"
    lines = [
        f"*Case re-opened* — {p['reference']}",
        f"The child was registered again on {_day(p['registered_on'])}. The core group restarts: the first "
        f"meeting is due by *{_day(p['due_on'])}*, and the chair {mention(p.get('chair'))} is asked to schedule it.",
        "The case's history (meetings, records, the deregistration) is kept.",
    ]
    return text, [section("\n".join(lines)), context(f"Re-opened by {mention(p.get('reopened_by'))}")]


def build_deregistration_status_section(view: DeregistrationStatusView) -> list[dict[str, Any]]:
    """Deregistered: the window, who convenes and chairs, the date, a missed window. Closed: how and when."""
    p = view.payload
    if view.case_status == "closed":
        closed = local_datetime(view.closed_at, view.timezone)
        plan = PLAN_WORDS.get(view.plan_type, "a plan")
        why = (
            f"risks remained reduced at the {MEETING} of {local_date(view.held_on)}"
            if view.held_on
            else f"the review conference of {_day(p['conference_on'])} removed the child's name from the register"
        )
        return [
            section(
                f"*Closed* on {closed}: {why}. The Child's Plan continues as {plan}; lead agency: "
                f"{inline(view.lead_agency or '—', limit=100)}. No reminders are sent."
            )
        ]
    lines = [
        f"*Deregistered* at the review conference of {_day(p['conference_on'])}: core group meetings have stopped.",
        f"*{MEETING[0].upper()}{MEETING[1:]}:* {_window(p)}, target {_day(p['target_on'])}",
        f"*Convener:* {mention(p['convener'])} · *Chair:* {mention(p['meeting_chair'])} ({_agreed(p)})",
        "*Meeting:* "
        + (
            local_datetime(datetime.fromisoformat(p["meeting_at"]), view.timezone)
            if p.get("meeting_at")
            else "not set yet"
        ),
    ]
    if view.status == "escalated":
        lines.append(
            f":warning: The meeting of {local_date(view.held_on)} found risk had escalated: social work is assessing."
        )
    elif view.missed:
        lines.append(f":warning: The window closed on {_day(p['closes_on'])} with no outcome recorded.")
    return [section("\n".join(lines))]


# --- helpers ------------------------------------------------------------------------------------


def _closed_words(closed: dict[str, Any]) -> str:
    if closed.get("reopened"):
        return "The case was re-opened (the child was registered again): nothing more is needed here."
    when = local_date(datetime.fromisoformat(closed["at"]).date())
    by = mention(closed.get("by"))
    if closed.get("on_behalf_of"):
        by += f" (for {mention(closed['on_behalf_of'])})"
    if closed.get("risk_escalated"):
        return f"*Outcome recorded* by {by} on {when}: risk had escalated, and social work is assessing."
    plan = PLAN_WORDS.get(closed.get("plan_type"), "a plan")
    return (
        f"*Outcome recorded* by {by} on {when}: risks remain reduced; the plan continues as {plan} "
        f"(lead agency: {inline(closed.get('lead_agency') or '—', limit=100)}), and the case is closed."
    )


def _on_behalf(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [context(f"You are standing in for {mention(p['on_behalf_of'])}.")] if p.get("on_behalf_of") else []


def _day(iso: str) -> str:
    return local_date(date.fromisoformat(iso))


def _window(p: dict[str, Any]) -> str:
    return (
        f"between {_day(p['opens_on'])} and {_day(p['closes_on'])} ({p['start_weeks']} to {p['end_weeks']} "
        "weeks after the review conference)"
    )


def _agreed(p: dict[str, Any]) -> str:
    if p.get("agreed_by") == "reviewing_officer":
        return f"decided by the reviewing officer, {mention(p.get('reviewing_officer'))}, as there was no consensus"
    return "agreed by consensus"


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, text: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": _text(text[:75]), "value": value}
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


def _modal(callback: str, title: str, submit: str, blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> dict:
    return {
        "type": "modal",
        "callback_id": str(callback),
        "title": _text(title),
        "submit": _text(submit),
        "close": _text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }
