"""Teams cards for plan copies and the CP9: the chair's Plan sent (card and dialog), each recipient's I have received
the plan, the chair's Mark CP9 sent (card and dialog) and the coordinator's Mark CP9 received, each with the version
shown once done. handlers/blocks/receipts.py is the Slack side; the form's name comes from the payload (the profile).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.cp9 import NOTE_LIMIT
from bot.receipts import SENT_HOW
from bot.services.cp9 import Cp9SentForm
from bot.services.receipts import PlanSentForm
from teams.cards.dialogs import DialogCard
from teams.cards.elements import (
    Element,
    card,
    choices,
    date_input,
    execute,
    heading,
    labelled,
    open_dialog,
    submit,
    text,
    text_input,
)
from teams.cards.ids import Dialog, Field, Submit, Verb
from teams.cards.request_parts import COORDINATOR
from teams.cards.text import People, inline, local_date, local_datetime, quoted

#: The most copies a chair's card lists (a core group is rarely half this size).
MAX_COPIES = 40


def _delegate_note(p: Mapping[str, Any], role: str, people: People) -> list[Element]:
    notes = []
    if p.get("on_behalf_of"):
        notes.append(f"You have this as delegate for {people(p['on_behalf_of'], f'the {role}')} ({role}).")
    if p.get("delegate"):
        notes.append(
            f"Your delegate {people(p['delegate'], 'your delegate')} has this too: either of you can act on it."
        )
    return [text(" ".join(notes), subtle=True)] if notes else []


# --- plan copies --------------------------------------------------------------------------------------------


def _who(c: Mapping[str, Any], people: People) -> str:
    who = (
        people(c["user_id"], "a recipient")
        if c.get("user_id")
        else f"{inline(c.get('label') or '?', limit=60)} (no Teams)"
    )
    return f"{who}, {'attended' if c.get('attended') else 'invited, absent'}"


def _copy_words(c: Mapping[str, Any], tz: str) -> str:
    if c["status"] == "received":
        return f"received {local_datetime(c['received_at'], tz)}"
    if c["status"] == "sent":
        if c.get("user_id"):
            return f"sent {local_date(c['sent_on'])}, awaiting confirmation"
        return f"sent {SENT_HOW.get(c.get('sent_how') or '', '')} on {local_date(c['sent_on'])}".replace("  ", " ")
    return "not sent"


def build_plan_to_send_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The chair's card: who must have the plan by when, with Plan sent while anyone's copy is unsent."""
    p, people = payload, People(names)
    ref, tz, occasion = p["reference"], p["timezone"], p.get("occasion", "recorded")
    due, held, copies = local_date(p["due_on"]), local_date(p["held_on"]), p["copies"]
    if occasion == "overdue":
        title, summary = "Overdue: copies of the plan", f"Copies of the plan for {ref} are overdue (due {due})"
        intro = (
            f"The deadline for the plan from the meeting on {held} was **{due}**. Still owed \u2014 this is kept for "
            "the coordinator's digest:"
        )
        overdue = set(p.get("overdue") or ())
        shown = [c for c in copies if c["id"] in overdue]
    elif occasion == "reminder":
        unsent = sum(1 for c in copies if c["status"] == "pending")
        title, summary = "Reminder: the plan is not marked sent", f"Plan for {ref}: not marked sent yet, due by {due}"
        intro = (
            f"Everyone must have the plan from the meeting on {held} by **{due}**; {unsent} of {len(copies)} "
            "copies are not marked sent."
        )
        shown = copies
    else:
        title, summary = "Send the plan", f"Send the plan for {ref} by {due}"
        intro = (
            f"Everyone who attended the core group meeting on {held}, and everyone invited but unable to attend, "
            f"must have a copy of the child protection plan by **{due}** ({p.get('working_days', 5)} working days)."
        )
        shown = copies
    body = [heading(f"{title} \u2014 {inline(ref)}"), text(intro)]
    body += [text(f"\u2022 {_who(c, people)} \u2014 {_copy_words(c, tz)}", spacing="None") for c in shown[:MAX_COPIES]]
    if len(shown) > MAX_COPIES:
        body.append(text(f"\u2026and {len(shown) - MAX_COPIES} more", subtle=True, spacing="None"))
    actions = []
    if p.get("all_sent"):
        body.append(text("Marked sent to everyone. Ask me for **status** to see who has confirmed.", subtle=True))
    else:
        body.append(
            text(
                "When you have sent it, click **Plan sent**: everyone with Teams is asked to confirm they have "
                "received it; tick the people without Teams in the form (how and when).",
                subtle=True,
            )
        )
        actions.append(open_dialog("Plan sent", Dialog.PLAN_SENT, style="positive", receipt_id=int(p["receipt_id"])))
    body += _delegate_note(p, "chair", people)
    return card(body, summary=summary, people=people, actions=actions)


def build_plan_copy_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """A recipient's card: the plan is on its way, with I have received the plan until they confirm."""
    p, people = payload, People(names)
    ref, occasion = p["reference"], p.get("occasion", "sent")
    title = {
        "reminder": "Reminder: please confirm you have the plan",
        "deadline": "Today is the deadline: please confirm you have the plan",
    }.get(occasion, "Child protection plan")
    summary = {
        "reminder": f"Plan for {ref}: please confirm you have it",
        "deadline": f"Plan for {ref}: please confirm you have it, today is the deadline",
    }.get(occasion, f"Plan for {ref}: please confirm when you have it")
    body = [
        heading(f"{title} \u2014 {inline(ref)}"),
        text(
            f"The chair ({people(p.get('chair'), 'the chair')}) has sent you a copy of the child protection plan from "
            f"the core group meeting on {local_date(p['held_on'])}. Everyone at the meeting or invited to it should "
            f"have it by **{local_date(p['due_on'])}**."
        ),
    ]
    if p.get("confirmed_at"):
        body.append(
            text(f"\u2705 You confirmed you received the plan on {local_datetime(p['confirmed_at'], p['timezone'])}.")
        )
        return card(body, summary=f"{summary}: confirmed", people=people)
    body.append(text("When it has reached you, let the chair know. If it has not, ask the chair.", subtle=True))
    actions = [execute("I have received the plan", Verb.PLAN_RECEIVED, style="positive", copy_id=int(p["copy_id"]))]
    return card(body, summary=summary, people=people, actions=actions)


def _headcount(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def build_plan_sent_dialog(*, form: PlanSentForm) -> DialogCard:
    """The chair marks the plan sent: people with Teams are asked to confirm; people without Teams are ticked."""
    lines = [
        f"**{inline(form.reference)}** \u2014 core group meeting on {local_date(form.held_on)}. "
        f"Everyone must have the plan by **{local_date(form.due_on)}**."
    ]
    if form.slack_to_send:
        lines.append(
            f"{_headcount(len(form.slack_to_send))} with Teams will be asked to confirm they have received it."
        )
    if form.slack_already:
        lines.append(f"Already asked: {_headcount(len(form.slack_already))}.")
    body = [text(line) for line in lines]
    if form.labels:
        options = [
            (str(copy_id), f"{inline(label, limit=60)} ({'attended' if attended else 'invited, absent'})")
            for copy_id, label, attended in form.labels
        ]
        body += [
            choices(Field.LABELS, "Sent to people without Teams", options, multiple=True),
            text("Tick only those you have sent it to; the rest can be ticked later.", subtle=True, spacing="None"),
            choices(Field.HOW, "How", [(k, v.capitalize()) for k, v in SENT_HOW.items()], expanded=False),
            date_input(Field.WHEN, "When", value=form.today.isoformat()),
        ]
    actions = [submit("Plan sent", Submit.PLAN_SENT, receipt_id=form.receipt_id)]
    return DialogCard(title="Plan sent", card=card(body, summary="Plan sent", actions=actions))


# --- the CP9 ------------------------------------------------------------------------------------------------


def _deadline_words(p: Mapping[str, Any]) -> str:
    """'by **Fri 6 Aug 2027** (7 days after the meeting)', or both dates when the last day is not a working day."""
    if p["nominal_due_on"] != p["due_on"]:
        return (
            f"by **{local_date(p['due_on'])}** \u2014 day {p['days']} after the meeting is "
            f"{local_date(p['nominal_due_on'])}, not a working day"
        )
    return f"by **{local_date(p['due_on'])}** ({p['days']} days after the meeting)"


def _cp9_state(p: Mapping[str, Any], form: str, people: People) -> list[Element]:
    tz = p["timezone"]
    if p["status"] == "received":
        who = people(p.get("received_by"), "the coordinator")
        return [text(f"\u2705 Marked received by {who} on {local_datetime(p['received_at'], tz)}.")]
    if p["status"] == "sent":
        shown = [text(f"Sent by {people(p.get('sent_by'), 'the chair')} on {local_date(p['sent_on'])}.")]
        if p.get("sent_note"):
            shown += labelled("Where to find it", quoted(p["sent_note"]))
        return shown
    return [text(f"The {form} has not been marked sent.")] if p.get("occasion") == "overdue" else []


def build_cp9_to_send_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The chair's card: send the CP9 to the coordinator by when, with Mark CP9 sent until it is."""
    p, people = payload, People(names)
    name, form, ref, occasion = p["form_name"], inline(p["form_name"]), p["reference"], p.get("occasion", "recorded")
    due = local_date(p["due_on"])
    title, summary = {
        "reminder": (f"Reminder: the {form} is due", f"{name} for {ref}: due by {due}, not sent yet"),
        "deadline": (f"Today is the deadline for the {form}", f"{name} for {ref}: due today, not sent yet"),
        "overdue": (f"Overdue: the {form}", f"{name} for {ref}: overdue (due {due})"),
    }.get(occasion, (f"Send the {form}", f"Send the {name} for {ref} by {due}"))
    body = [
        heading(f"{title} \u2014 {inline(ref)}"),
        text(
            f"Send the {form} for the core group meeting on {local_date(p['held_on'])} to the {COORDINATOR} "
            f"({people(p.get('coordinator'), 'the coordinator')}) {_deadline_words(p)}."
        ),
    ]
    if occasion == "overdue":
        body.append(text("It is overdue: the coordinator's digest lists it until it is marked sent."))
    body += _cp9_state(p, form, people)
    actions = []
    if p["status"] == "pending":
        body.append(
            text(
                f"When it has gone, click **Mark {form} sent**. You can add a link to where it is kept \u2014 "
                "don't upload the form to Teams.",
                subtle=True,
            )
        )
        actions.append(open_dialog(f"Mark {name} sent", Dialog.CP9_SENT, style="positive", cp9_id=int(p["cp9_id"])))
    body += _delegate_note(p, "chair", people)
    return card(body, summary=summary, people=people, actions=actions)


def build_cp9_due_card(*, payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Element:
    """The coordinator's card: the CP9 is due by when, with Mark CP9 received until it is."""
    p, people = payload, People(names)
    name, form, ref = p["form_name"], inline(p["form_name"]), p["reference"]
    title = f"{form} due"
    summary = f"{name} due for {ref} by {local_date(p['due_on'])}"
    if p.get("occasion") == "overdue":  # the ledger's chase: marked sent, not yet marked received after the deadline
        title = f"Reminder: mark the {form} received"
        summary = f"{name} for {ref}: not marked received (due {local_date(p['due_on'])})"
    body = [
        heading(f"{title} \u2014 {inline(ref)}"),
        text(
            f"The {form} for the core group meeting on {local_date(p['held_on'])} is due with you {_deadline_words(p)}."
        ),
        text(f"**Chair:** {people(p.get('chair'), 'the chair')}", spacing="None"),
        *_cp9_state(p, form, people),
    ]
    actions = []
    if p["status"] != "received":
        actions.append(execute(f"Mark {name} received", Verb.CP9_RECEIVED, style="positive", cp9_id=int(p["cp9_id"])))
    body += _delegate_note(p, COORDINATOR, people)
    return card(body, summary=summary, people=people, actions=actions)


def build_cp9_sent_dialog(*, form: Cp9SentForm) -> DialogCard:
    """The chair marks the CP9 sent: the day it went, and optionally where the coordinator finds it."""
    name = inline(form.form_name)
    body = [
        text(
            f"**{inline(form.reference)}** \u2014 the {name} for the core group meeting on {local_date(form.held_on)}, "
            f"due with the {COORDINATOR} by **{local_date(form.due_on)}**."
        ),
        date_input(Field.WHEN, "Sent on", value=form.today.isoformat(), required="Say the day it was sent."),
        text_input(Field.NOTE, "Where the coordinator can find it", max_length=NOTE_LIMIT),
        text(
            "A link to the document in the case record, or a note such as \u201csecure email\u201d. "
            "Don't upload the form to Teams or write names.",
            subtle=True,
            spacing="None",
        ),
    ]
    actions = [submit("Mark sent", Submit.CP9_SENT, cp9_id=form.cp9_id)]
    return DialogCard(
        title=f"{form.form_name} sent", card=card(body, summary=f"{form.form_name} sent", actions=actions)
    )
