"""Teams cards for deciding a request for an additional meeting: the decider's card (team leader or delegate) with
Approve and Refuse, the coordinator's card with Convene the meeting and Uphold the refusal, and the date-and-time
dialog both open.

While a request waits, its card carries a `refresh` listing the deciders' Teams ids: Teams asks the bot again for
each of them and they get the live card (`live=True`); anyone else keeps the read-only one (`live=False`). Once
decided the card is rebuilt from the payload's `closed` and PUT for everyone, without a refresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from teams.cards.dialogs import DialogCard
from teams.cards.elements import (
    Element,
    card,
    date_input,
    execute,
    heading,
    labelled,
    open_dialog,
    refresh,
    show_card,
    submit,
    text,
    text_input,
    time_input,
    toggle,
)
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.request_parts import COORDINATOR, NO_NAMES, by, decided, request_facts
from teams.cards.text import People, inline, local_datetime, quoted

REASON_LIMIT = 1000
_TITLES = {
    "reminder": "Reminder: a request for an additional meeting is waiting for your decision",
    "escalated": "Escalated to you: a request for an additional meeting nobody has decided",
}


def _reason_then(title: str, verb: Verb, *, request_id: int, who_sees: str) -> Element:
    """A button unfolding the required reason and the button that sends it (`associatedInputs: auto`)."""
    body = [
        text_input(
            Field.REASON,
            "Reason",
            required="Give a reason: it is required.",
            multiline=True,
            max_length=REASON_LIMIT,
        ),
        text(f"{who_sees} will see this. {NO_NAMES}", subtle=True, spacing="None"),
    ]
    action = execute(title, verb, style="destructive", inputs="auto", request_id=request_id)
    return show_card(title, body, [action], style="destructive")


def build_decision_card(
    *,
    payload: Mapping[str, Any],
    decider_ids: Sequence[str],
    live: bool = True,
    names: Mapping[str, str] | None = None,
) -> Element:
    """The request with Approve / Refuse for its deciders; read-only for anyone else; once decided, the decision."""
    p, people = payload, People(names)
    role = p.get("decider_role") or "team leader"
    title = _TITLES.get(p.get("occasion") or "", "Request for an additional core group meeting")
    body = [heading(f"{title} \u2014 {inline(p['reference'])}"), *request_facts(p, people)]
    notes = []
    if p.get("on_behalf_of"):
        notes.append(f"You have this as delegate for {people(p['on_behalf_of'], f'the {role}')} ({role}).")
    if p.get("occasion") == "escalated" and not p.get("on_behalf_of"):
        notes.append(f"Waiting on the {role} {people(p.get('decider'), f'the {role}')}; you can decide it instead.")
    if p.get("delegate"):
        notes.append(
            f"Your delegate {people(p['delegate'], 'your delegate')} has this too: whichever of you decides first, "
            "decides."
        )
    if notes:
        body.append(text(" ".join(notes), subtle=True))
    summary = f"{title} \u2014 {p['reference']}"
    closed = p.get("closed")
    if closed:
        body += decided(closed, p["timezone"], people, f"the {role}")
        return card(body, summary=f"{summary}: {closed['outcome']}", people=people)
    request_id = int(p["request_id"])
    again = refresh(Verb.REQUEST_REFRESH, decider_ids, request_id=request_id)
    if not live:
        body.append(text(f"Waiting for the {role}'s decision.", subtle=True))
        return card(body, summary=summary, people=people, refresh=again)
    actions = [
        open_dialog("Approve", Dialog.REQUEST_APPROVE, style="positive", request_id=request_id),
        _reason_then("Refuse", Verb.REQUEST_REFUSE, request_id=request_id, who_sees="The requester"),
    ]
    return card(body, summary=summary, people=people, refresh=again, actions=actions)


def build_review_card(
    *,
    payload: Mapping[str, Any],
    reviewer_ids: Sequence[str],
    live: bool = True,
    names: Mapping[str, str] | None = None,
) -> Element:
    """The coordinator's card: the request, the refusal and its reason, with Convene the meeting / Uphold the refusal."""
    p, people = payload, People(names)
    d, tz, role = p["decision"], p["timezone"], p.get("decider_role") or "team leader"
    reminder = "Reminder: " if p.get("occasion") == "reminder" else ""
    requester = people(p["requested_by"], "the requester")
    body = [
        heading(f"{reminder}A refused request for an additional meeting \u2014 {inline(p['reference'])}"),
        text(f"{requester} asked the {COORDINATOR} to look at it."),
        *request_facts(p, people),
        text(
            f"**Refused by** {by(d, people, f'the {role}')} ({role}) on {local_datetime(d['at'], tz)}", spacing="Medium"
        ),
        *labelled("Reason", quoted(d.get("reason"))),
    ]
    if p.get("on_behalf_of"):
        body.append(
            text(
                f"You have this as delegate for the coordinator {people(p['on_behalf_of'], 'the coordinator')}.",
                subtle=True,
            )
        )
    summary = f"{reminder}A refused request for an additional meeting asks for your decision \u2014 {p['reference']}"
    closed = p.get("closed")
    if closed:
        body += decided(closed, tz, people, "the coordinator")
        return card(body, summary=f"{summary}: {closed['outcome']}", people=people)
    request_id = int(p["request_id"])
    again = refresh(Verb.REVIEW_REFRESH, reviewer_ids, request_id=request_id)
    if not live:
        body.append(text("Waiting for the coordinator's decision.", subtle=True))
        return card(body, summary=summary, people=people, refresh=again)
    actions = [
        open_dialog("Convene the meeting", Dialog.REVIEW_CONVENE, style="positive", request_id=request_id),
        _reason_then(
            "Uphold the refusal",
            Verb.REVIEW_UPHOLD,
            request_id=request_id,
            who_sees="The requester and the team leader",
        ),
    ]
    return card(body, summary=summary, people=people, refresh=again, actions=actions)


def build_schedule_dialog(*, convene: bool, reference: str, request_id: int, initial_day: date) -> DialogCard:
    """Approve (or, for the coordinator, convene): the additional meeting's date and time."""
    body = [
        text(
            f"An additional core group meeting for **{inline(reference)}**, asked for by the requester. "
            "It will be posted in the case channel."
        ),
        date_input(Field.DATE, "Date", value=initial_day.isoformat(), required="Choose a date."),
        time_input(Field.TIME, "Time (local)", value="10:00", required="Choose a time."),
        toggle(Field.NON_WORKING_DAY, "Hold it on a non-working day", name="Weekends and holidays"),
        text(
            "Only if the date is a weekend, bank holiday or closure day and you mean it.", subtle=True, spacing="None"
        ),
    ]
    action = Submit.REVIEW_CONVENE if convene else Submit.REQUEST_APPROVE
    title = "Convene the meeting" if convene else "Approve the request"
    shown = card(body, summary=title, actions=[submit("Schedule meeting", action, request_id=request_id)])
    return DialogCard(title=title, card=shown)
