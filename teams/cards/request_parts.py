"""What every request card shows: the request's facts, who decided and how (shared by the requester's and the
deciders' cards). The request's details are the requester's own words: always quoted, never in the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teams.cards.elements import Element, label, labelled, text
from teams.cards.text import People, local_datetime, quoted

CONCERNS = {"new": "New concerns", "deepening": "Deepening concerns", "other": "Something else"}
URGENCIES = {"routine": "Routine", "urgent": "Urgent"}
COORDINATOR = "Co-ordinator, Children Services"
NO_NAMES = "Don't write names, addresses or dates of birth: use roles (e.g. \u201cMother\u201d) and the case reference."
_OUTCOMES = {
    "approved": "\u2705 **Approved**",
    "refused": "\u274c **Refused**",
    "convened": "\u2705 **Meeting convened**",
    "upheld": "\u274c **Refusal upheld**",
}


def request_facts(p: Mapping[str, Any], people: People) -> list[Element]:
    """Concern, urgency, who asked and when, and what has changed (quoted)."""
    asked = local_datetime(p["requested_at"], p["timezone"])
    urgency = URGENCIES.get(p["urgency"], "Routine")
    return [
        label("Concern", CONCERNS.get(p["concern"], "Something else")),
        label("Urgency", f"\U0001f6a8 {urgency}" if p["urgency"] == "urgent" else urgency),
        label("Asked by", f"{people(p['requested_by'], 'the requester')} on {asked}"),
        *labelled("What has changed", quoted(p.get("details"))),
    ]


def by(d: Mapping[str, Any], people: People, role: str) -> str:
    """'X for Y' when a delegate acted for the person whose step it was."""
    if d.get("on_behalf_of"):
        return f"{people(d['by'], 'their delegate')} for {people(d['on_behalf_of'], role)}"
    return people(d["by"], role)


def decided(d: Mapping[str, Any], tz: str, people: People, role: str) -> list[Element]:
    """'✅ Approved by X on … — meeting …', and the reason (quoted) when one was given."""
    line = f"{_OUTCOMES[d['outcome']]} by {by(d, people, role)} on {local_datetime(d['at'], tz)}"
    if d.get("meeting_starts_at"):
        line += f" \u2014 meeting {local_datetime(d['meeting_starts_at'], tz)}"
    shown = [text(line, spacing="Medium")]
    if d.get("reason"):
        shown += labelled("Reason", quoted(d["reason"]))
    return shown
