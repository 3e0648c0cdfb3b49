"""The core group's report to the review child protection conference: what it holds, as plain data.

Pure: no database, no chat platform, no clock. `bot/services/report.py` reads a case's history into these
dataclasses; `bot/report_document.py` lays them out as a document. People appear as Slack user ids (the chat
surface looks up their display names when it writes the document) or, without Slack, by role label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLE_WORDS = {
    "chair": "Chair",
    "team_leader": "Team leader",
    "member": "Member",
    "coordinator": "Coordinator",
    "participant": "Participant without Slack",
    "invited": "Invited (not in the core group)",
}


@dataclass(frozen=True)
class Person:
    """Someone at (or invited to) a meeting: a Slack user, or a role label for someone without Slack."""

    role: str  # a ROLE_WORDS key
    user_id: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class DueLine:
    """One period in which a meeting was due, and what became of it."""

    due_on: date
    status: str  # met | late | overdue | due | scheduled | ended
    held_on: date | None = None
    days_late: int = 0


@dataclass(frozen=True)
class PlanLine:
    """The plan copies after one meeting: how many went on time, late, or are still owed."""

    due_on: date
    recipients: int
    on_time: int
    late: int
    outstanding: int


@dataclass(frozen=True)
class Cp9Line:
    """One meeting's CP9: its deadline and when it was sent and received."""

    form_name: str
    due_on: date
    sent_on: date | None
    received_on: date | None


@dataclass(frozen=True)
class ReportMeeting:
    """A meeting held: who was there, the plan's re-evaluation, its flags, and its plan copies and CP9."""

    held_on: date
    kind: str
    attendance: tuple[tuple[Person, str], ...]  # (person, "attended" | "absent" (invited) | "not invited")
    checklist: tuple[tuple[str, str], ...]  # (the point, what the group said)
    actions_added: int
    significant_amendment: bool
    institution: bool
    plan: PlanLine | None = None
    cp9: Cp9Line | None = None
    not_invited_reason: str | None = None  # why the chair took anyone off the invited list


@dataclass(frozen=True)
class ActionLine:
    """An action the group added, and whether it is done."""

    description: str
    owner: Person
    due_on: date
    status: str  # open | overdue | done | closed
    added_on: date
    done_on: date | None = None  # done or closed on
    done_by: Person | None = None
    closed_reason: str | None = None


@dataclass(frozen=True)
class RequestLine:
    """A request for an additional meeting and what was decided."""

    requested_on: date
    requested_by: str
    concern: str
    urgency: str
    details: str
    outcome: str  # in words: "Approved by the team leader on …"


@dataclass(frozen=True)
class LetterLine:
    """A letter to the head of an institution."""

    relationship: str | None
    kind: str | None
    institution_name: str | None
    requested_on: date
    status: str  # details_needed | to_send | sent
    sent_on: date | None


@dataclass(frozen=True)
class ReviewReport:
    """Everything the core group reports to the review conference about one case."""

    organisation: str
    reference: str
    registered_on: date
    case_status: str
    generated_on: str  # local date and time, in words
    generated_by: str
    on_behalf_of: str | None
    today: date
    dues: tuple[DueLine, ...] = ()
    meetings: tuple[ReportMeeting, ...] = ()
    actions: tuple[ActionLine, ...] = ()
    requests: tuple[RequestLine, ...] = ()
    letters: tuple[LetterLine, ...] = ()
    people: tuple[str, ...] = field(default=())  # every Slack user named, for display names
    cp9_form: str | None = None  # the CP9's name where the procedure has one (South Ayrshire); None: no CP9 column
    owed_to: date | None = None  # the review conference whose owed report this one is (its obligation discharged)

    def summary(self) -> str:
        """'3 meetings held against 3 due: 2 on time, 1 late.'"""
        held = len(self.meetings)
        counted = [d for d in self.dues if d.status in ("met", "late", "overdue")]
        late = sum(1 for d in counted if d.status == "late")
        missed = sum(1 for d in counted if d.status == "overdue")
        words = f"{held} meeting{'s' if held != 1 else ''} held against {len(counted)} due"
        parts = [f"{len(counted) - late - missed} on time"]
        if late:
            parts.append(f"{late} late")
        if missed:
            parts.append(f"{missed} overdue with none held")
        return f"{words}: {', '.join(parts)}."


def timeliness(done_on: date | None, due_on: date, *, today: date) -> str:
    """'on time' / 'late by 2 days' / 'not yet, due Fri 6 Aug 2027' / 'not done, 3 days overdue'."""
    if done_on is not None:
        late = (done_on - due_on).days
        return "on time" if late <= 0 else f"late by {late} day{'s' if late != 1 else ''}"
    overdue = (today - due_on).days
    if overdue > 0:
        return f"not done, {overdue} day{'s' if overdue != 1 else ''} overdue"
    return f"not yet, due {due_on.strftime('%a %-d %b %Y')}"
