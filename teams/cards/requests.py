"""Teams cards for the person asking for an additional meeting: the start card and its dialog, and what they hear
back (approved, refused with Ask the coordinator, the coordinator's outcome). handlers/blocks/requests.py is the
Slack side; the words are the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teams.cards.dialogs import DialogCard
from teams.cards.elements import (
    Element,
    card,
    choices,
    execute,
    heading,
    label,
    labelled,
    open_dialog,
    submit,
    text,
    text_input,
)
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.request_parts import CONCERNS, COORDINATOR, NO_NAMES, URGENCIES, by
from teams.cards.text import People, inline, local_datetime, quoted

DETAILS_LIMIT = 2000


def build_request_start_card(*, reference: str, case_id: int) -> Element:
    """The answer to `request`: what it is for, and Request an additional meeting (opens the dialog)."""
    body = [
        heading(f"Additional core group meeting \u2014 {inline(reference)}"),
        text(
            "Ask the team leader for an additional core group meeting for this case when something has changed. "
            "The team leader decides; you'll get a message with the decision."
        ),
    ]
    actions = [open_dialog("Request an additional meeting", Dialog.REQUEST_NEW, style="positive", case_id=case_id)]
    return card(body, summary=f"Ask for an additional core group meeting for {reference}", actions=actions)


def build_request_dialog(*, reference: str, case_id: int, details: str = "") -> DialogCard:
    """The dialog a member fills in: the concern, what has changed, how urgent it is."""
    body = [
        text(f"Ask the team leader for an additional core group meeting for **{inline(reference)}**."),
        choices(
            Field.CONCERN,
            "What is the concern?",
            CONCERNS.items(),
            required="Choose what the concern is.",
        ),
        text_input(
            Field.DETAILS,
            "What has changed?",
            required="Say what has changed.",
            multiline=True,
            max_length=DETAILS_LIMIT,
            value=details.strip(),
        ),
        text(NO_NAMES, subtle=True, spacing="None"),
        choices(
            Field.URGENCY, "How urgent is it?", URGENCIES.items(), value="routine", required="Choose how urgent it is."
        ),
    ]
    actions = [submit("Send request", Submit.REQUEST_NEW, case_id=case_id)]
    shown = card(body, summary=f"Ask for an additional core group meeting for {reference}", actions=actions)
    return DialogCard(title="Additional meeting", card=shown)


def request_sent_text(
    *, reference: str, routed_to: str, decider: str, decider_role: str, names: Mapping[str, str] | None = None
) -> str:
    """The requester's own confirmation after sending (a dialog's closing message: plain text, no mentions)."""
    people = People(names)
    decider_name = people.name(decider, "")
    if routed_to != decider:
        the_role = f"the {decider_role} {decider_name}".rstrip()
        who = f"{people.name(routed_to, 'their delegate')}, standing in for {the_role},"
    else:
        who = f"{decider_name}, the {decider_role}," if decider_name else f"the {decider_role},"
    return (
        f"Your request for an additional core group meeting for {reference} has gone to {who} "
        "who decides whether to hold it. You'll get a message with the decision."
    )


def build_approved_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The requester hears that the meeting will be held, and when."""
    p, people = payload, People(names)
    d, tz = p["decision"], p["timezone"]
    role = p.get("decider_role") or "team leader"
    when = local_datetime(d["meeting_starts_at"], tz)
    body = [
        heading(f"Your request for an additional core group meeting was approved \u2014 {inline(p['reference'])}"),
        label("Meeting", f"{when} (posted in the case channel)"),
        text(f"Approved by {by(d, people, f'the {role}')} on {local_datetime(d['at'], tz)}.", spacing="Small"),
    ]
    if d.get("reason"):
        body += labelled("Note", quoted(d["reason"]))
    summary = f"Your request for an additional core group meeting for {p['reference']} was approved: {when}"
    return card(body, summary=summary, people=people)


def build_refused_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The requester hears the refusal and its reason, names the coordinator, and can Ask the coordinator."""
    p, people = payload, People(names)
    d, tz = p["decision"], p["timezone"]
    role = p.get("decider_role") or "team leader"
    coordinator = people(p.get("coordinator"), "the coordinator")
    body = [
        heading(f"Your request for an additional core group meeting was refused \u2014 {inline(p['reference'])}"),
        text(f"Refused by {by(d, people, f'the {role}')} on {local_datetime(d['at'], tz)}."),
        *labelled("Reason", quoted(d.get("reason"))),
    ]
    summary = f"Your request for an additional core group meeting for {p['reference']} was refused"
    if role == "coordinator":  # the coordinator decided: there is nobody further to ask
        body.append(text(f"This was the decision of the {COORDINATOR}, {coordinator}."))
        return card(body, summary=summary, people=people)
    body.append(text(f"You can discuss this with the {COORDINATOR}, {coordinator}."))
    closed = p.get("closed")
    if closed:
        to = closed.get("to") or p.get("coordinator")
        asked = people(to, "the coordinator" if to == p.get("coordinator") else "the coordinator's delegate")
        body.append(text(f"You asked the coordinator {asked} on {local_datetime(closed['at'], tz)}.", subtle=True))
        return card(body, summary=summary, people=people)
    actions = [
        execute("Ask the coordinator", Verb.REQUEST_ASK_COORDINATOR, style="positive", request_id=p["request_id"])
    ]
    return card(body, summary=summary, people=people, actions=actions)


def build_outcome_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The requester and the team leader hear what the coordinator decided."""
    p, people = payload, People(names)
    o, tz, ref = p["outcome"], p["timezone"], inline(p["reference"])
    coordinator = by(o, people, "the coordinator")
    requester = people(p["requested_by"], "the requester")
    if o["outcome"] == "convened":
        when = local_datetime(o["meeting_starts_at"], tz)
        summary = f"The coordinator convened the additional core group meeting for {p['reference']}: {when}"
        body = [
            heading(f"The coordinator convened the additional meeting \u2014 {ref}"),
            text(f"{coordinator} convened the meeting {requester} asked for, after it was refused."),
            label("Meeting", f"{when} (posted in the case channel)"),
        ]
    else:
        summary = f"The coordinator upheld the refusal of the additional meeting for {p['reference']}"
        body = [
            heading(f"The coordinator upheld the refusal \u2014 {ref}"),
            text(f"{coordinator} upheld the refusal of the additional meeting {requester} asked for."),
        ]
    if o.get("reason"):
        body += labelled("Reason", quoted(o["reason"]))
    body.append(text(f"Decided on {local_datetime(o['at'], tz)}.", spacing="Small"))
    return card(body, summary=summary, people=people)
