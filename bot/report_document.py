"""The review conference report as a DOCX document: plain data in (`bot.report.ReviewReport`), bytes out.

`names` maps Slack user ids to the display names the chat surface found for them; anyone not found is shown
by their role only. Nothing here is saved: the chat surface uploads the bytes and forgets them.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.documents import add_table, new_document, to_bytes
from bot.letters import KINDS
from bot.report import ROLE_WORDS, ActionLine, Person, ReviewReport, timeliness

CONCERNS = {"new": "New concerns", "deepening": "Deepening concerns", "other": "Something else"}
_DUE = {
    "met": "Held on time",
    "late": "Held late",
    "overdue": "Overdue: none held by the due date",
    "due": "Not yet due",
    "scheduled": "Scheduled",
    "ended": "Ended (deregistered)",
}
_LETTER = {"details_needed": "Details awaited", "to_send": "Not sent yet", "sent": "Sent"}


def _day(value) -> str:
    return value.strftime("%a %-d %b %Y") if value else "—"


def _who(person: Person, names: Mapping[str, str]) -> str:
    role = ROLE_WORDS.get(person.role, person.role)
    if person.user_id is None:
        return person.label or role
    name = names.get(person.user_id)
    return f"{role}: {name}" if name else f"{role} ({person.user_id})"


def _action_status(action: ActionLine, names: Mapping[str, str]) -> str:
    """'overdue', 'done Thu 3 Jun 2027 by Member: Priya Patel', 'closed … (no longer needed: reason)'."""
    if action.status not in ("done", "closed"):
        return action.status
    by = f" by {_who(action.done_by, names)}" if action.done_by else ""
    said = f"{action.status} {_day(action.done_on)}{by}"
    return said if action.status == "done" else f"{said} (no longer needed: {action.closed_reason or '—'})"


def build_report_docx(report: ReviewReport, *, names: Mapping[str, str] | None = None) -> bytes:
    """The core group's report to the review child protection conference, as a Word document."""
    names = names or {}
    document = new_document(
        title=f"Core group report to the review conference — {report.reference}", author=report.organisation
    )
    document.add_heading("Core group report to the review child protection conference", level=0)
    requester = names.get(report.generated_by) or "—"
    facts = [
        ("Case reference", report.reference),
        ("Organisation", report.organisation),
        ("Registered on", _day(report.registered_on)),
        ("Case status", report.case_status),
        (
            "Prepared",
            f"{report.generated_on}, for {requester}"
            + (f" (standing in for {names.get(report.on_behalf_of, 'a colleague')})" if report.on_behalf_of else ""),
        ),
    ]
    add_table(document, ("", ""), facts)
    document.add_paragraph(report.summary())

    document.add_heading("1. Meetings held against those due", level=1)
    add_table(
        document,
        ("Due by", "Outcome", "Held on", "Days late"),
        [
            (_day(d.due_on), _DUE.get(d.status, d.status), _day(d.held_on), str(d.days_late) if d.days_late else "—")
            for d in report.dues
        ],
    )

    document.add_heading("2. Attendance by role", level=1)
    _attendance(document, report, names)

    document.add_heading("3. Re-evaluation of the plan at each meeting", level=1)
    if not report.meetings:
        document.add_paragraph("No meeting has been recorded yet.")
    for meeting in report.meetings:
        document.add_heading(f"Meeting of {_day(meeting.held_on)}", level=2)
        for point, said in meeting.checklist:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{point}: ").bold = True
            paragraph.add_run(said or "—")
        flags = []
        if meeting.significant_amendment:
            flags.append("the group found the plan needs significant amendment (referred to this conference)")
        if meeting.institution:
            flags.append("a parent or relative is in an institution (the coordinator writes to its head)")
        if flags:
            document.add_paragraph("Flagged: " + "; ".join(flags) + ".")

    document.add_heading("4. Actions and their status", level=1)
    add_table(
        document,
        ("Action", "Owner", "Due", "Status", "Added at the meeting of"),
        [
            (a.description, _who(a.owner, names), _day(a.due_on), _action_status(a, names), _day(a.added_on))
            for a in report.actions
        ],
    )

    form = report.cp9_form
    document.add_heading(f"5. Plan copies and the {form}" if form else "5. Plan copies", level=1)
    rows = []
    for m in report.meetings:
        plan = "—"
        if m.plan:
            plan = (
                f"{m.plan.recipients} recipients, due {_day(m.plan.due_on)}: {m.plan.on_time} on time, "
                f"{m.plan.late} late, {m.plan.outstanding} outstanding"
            )
        cp9 = "—"
        if m.cp9:
            sent = (
                f"sent {_day(m.cp9.sent_on)}, {timeliness(m.cp9.sent_on, m.cp9.due_on, today=report.today)}"
                if m.cp9.sent_on
                else timeliness(None, m.cp9.due_on, today=report.today)
                .replace("not done", "not sent")
                .replace("not yet", "not sent yet")
            )
            cp9 = f"{m.cp9.form_name} due {_day(m.cp9.due_on)}: {sent}" + (
                f"; received {_day(m.cp9.received_on)}" if m.cp9.received_on else "; not marked received"
            )
        rows.append((_day(m.held_on), plan, cp9) if form else (_day(m.held_on), plan))
    columns = ("Meeting", "Plan copies (within 5 working days)")
    add_table(document, (*columns, form) if form else columns, rows)

    document.add_heading("6. Requests for an additional meeting, and decisions", level=1)
    add_table(
        document,
        ("Requested", "By", "Concern", "Urgency", "What has changed", "Decision"),
        [
            (
                _day(r.requested_on),
                names.get(r.requested_by) or "a member of the core group",
                CONCERNS.get(r.concern, r.concern),
                r.urgency,
                r.details,
                r.outcome,
            )
            for r in report.requests
        ],
    )

    document.add_heading("7. Referrals and institution letters", level=1)
    referred = [m for m in report.meetings if m.significant_amendment]
    document.add_paragraph(
        "Referred for significant amendment of the plan: "
        + (", ".join(f"the meeting of {_day(m.held_on)}" for m in referred) if referred else "none")
        + "."
    )
    add_table(
        document,
        ("Person (relationship to the child)", "Institution", "Asked on", "Status"),
        [
            (
                x.relationship or "—",
                f"{KINDS.get(x.kind or '', '—')}: {x.institution_name or '—'}",
                _day(x.requested_on),
                _LETTER.get(x.status, x.status) + (f" on {_day(x.sent_on)}" if x.sent_on else ""),
            )
            for x in report.letters
        ],
    )

    document.add_paragraph(
        "Prepared from the core group's records. The bot holds no names, addresses or dates of birth of the child "
        "or family: people without Slack appear by their role."
    )
    return to_bytes(document)


def _attendance(document, report: ReviewReport, names: Mapping[str, str]) -> None:
    """One row per person, one column per meeting: attended, absent (invited), or not invited."""
    if not report.meetings:
        document.add_paragraph("No meeting has been recorded yet.")
        return
    people: dict[tuple, Person] = {}
    for meeting in report.meetings:
        for person, _ in meeting.attendance:
            people.setdefault((person.user_id, person.label), person)
    order = sorted(people.values(), key=lambda p: (list(ROLE_WORDS).index(p.role), _who(p, names)))
    rows = []
    for person in order:
        cells = [_who(person, names)]
        for meeting in report.meetings:
            present = {(p.user_id, p.label): state for p, state in meeting.attendance}
            cells.append(present.get((person.user_id, person.label), "—"))
        rows.append(cells)
    add_table(document, ("Role", *(_day(m.held_on) for m in report.meetings)), rows)
    for meeting in report.meetings:
        left_off = [_who(p, names) for p, state in meeting.attendance if state == "not invited"]
        if left_off:
            document.add_paragraph(
                f"Not invited to the meeting of {_day(meeting.held_on)}: {', '.join(left_off)}. "
                f"Reason given by the chair: {meeting.not_invited_reason or '—'}"
            )
