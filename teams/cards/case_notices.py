"""Teams cards for the case channel's other notices: a member added, the case deregistered, closed or re-opened.

The same facts as the Slack messages (handlers/blocks/members.py, deregistration.py); the steps that follow them
(convening the post-deregistration meeting, recording it) are not in Teams yet, so these cards carry no buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teams.cards.elements import Element, card, heading, label, text
from teams.cards.text import People, inline, local_date

#: As handlers/blocks/deregistration.py words the plan that continues after closure.
PLAN_WORDS = {"single_agency": "a single-agency plan", "multi_agency": "a multi-agency plan"}


def build_member_added_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """To the case channel: someone joined the core group, with their role and who added them."""
    p, people = payload, People(names)
    body = [
        heading(f"New core group member \u2014 {inline(p['reference'])}"),
        text(
            f"{people(p['member'], 'a new member')} joined the core group as {inline(p['role'], limit=80)}, "
            f"added by {people(p.get('added_by'), 'the chair')}."
        ),
    ]
    return card(body, summary=f"New core group member for {p['reference']}", people=people)


def build_case_deregistered_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """To the case channel: the core group stops; the post-deregistration meeting's window."""
    p, people = payload, People(names)
    body = [
        heading(f"Deregistered \u2014 {inline(p['reference'])}"),
        text(
            f"The review child protection conference on {local_date(p['conference_on'])} ended the child protection "
            "plan. Core group meetings stop; meetings still scheduled are cancelled."
        ),
    ]
    if p.get("opens_on") and p.get("closes_on"):
        body.append(
            label(
                "Post-deregistration meeting",
                f"between {local_date(p['opens_on'])} and {local_date(p['closes_on'])}, "
                f"convened by {people(p.get('convener'), 'the convener')}",
            )
        )
    body.append(text("Convening and recording it is done in Slack or by the coordinator for now.", subtle=True))
    return card(body, summary=f"{p['reference']} is deregistered", people=people)


def build_case_closed_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """To the case channel: the case is closed (risks remain reduced)."""
    p, people = payload, People(names)
    body = [
        heading(f"Closed \u2014 {inline(p['reference'])}"),
        text(
            "The post-deregistration meeting"
            + (f" on {local_date(p['held_on'])}" if p.get("held_on") else "")
            + " found the risks remain reduced: the case is closed"
            + (f" by {people(p['closed_by'], 'the chair')}." if p.get("closed_by") else ".")
        ),
    ]
    if p.get("plan_type"):
        body.append(label("What continues", PLAN_WORDS.get(p["plan_type"], "a plan")))
    if p.get("lead_agency"):
        body.append(label("Lead agency", inline(p["lead_agency"], limit=80)))
    return card(body, summary=f"{p['reference']} is closed", people=people)


def build_case_reopened_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """To the case channel: the case is registered again; when the first meeting is due."""
    p, people = payload, People(names)
    body = [
        heading(f"Registered again \u2014 {inline(p['reference'])}"),
        text(
            f"The child is registered again from {local_date(p['registered_on'])}. The first core group meeting "
            f"is due by **{local_date(p['due_on'])}**; the chair is {people(p.get('chair'), 'the chair')}."
        ),
    ]
    return card(body, summary=f"{p['reference']} is registered again", people=people)
