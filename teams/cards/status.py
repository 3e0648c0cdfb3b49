"""Teams answers to `status` and `help`, and the explanation a person gets when a step is not theirs (or was
already taken): the same words as handlers/blocks/status.py and handlers/errors.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.authority import AlreadyDoneError, NotYoursError
from bot.errors import CoreGroupError
from bot.services.cases import CaseStatusView
from teams.cards.elements import Element, card, heading, label, text
from teams.cards.text import People, inline, local_datetime

#: The commands Teams has today (bot command list, @mention, slash where the tenant has it): name -> what it does.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "this list"),
    ("request", "ask the team leader for an additional core group meeting for this case"),
    ("status", "this case's chair, team leader, members and next meeting"),
)


def build_status_card(
    *, view: CaseStatusView, extra: Sequence[Element] = (), names: Mapping[str, str] | None = None
) -> Element:
    """The case's status: reference, chair, team leader, how many members, next meeting (`extra`: more sections)."""
    people = People(names)
    members = str(view.member_count)
    if view.participants_without_slack:
        others = ", ".join(inline(p, limit=60) for p in view.participants_without_slack)
        members += f" (plus {len(view.participants_without_slack)} without Teams: {others})"
    body = [
        heading(f"Core group {inline(view.reference)}"),
        label("Chair", people(view.chair, "the chair")),
        label("Team leader", people(view.team_leader, "the team leader")),
        label("Members", members),
        label("Next meeting", local_datetime(view.next_meeting_at, view.timezone)),
    ]
    if view.status != "open":
        body.append(text(f"This case is {inline(view.status)}.", subtle=True))
    body += list(extra)
    return card(body, summary=f"Core group status for {view.reference}", people=people)


def build_help_card(*, unknown: str | None = None) -> Element:
    """Every command with what it does; `unknown` is what the person typed when it was not a command."""
    body = []
    summary = "Core group commands"
    if unknown is not None:
        said = f"I don't know \u201c{inline(unknown, limit=40)}\u201d."
        body.append(text(said))
        summary = f"I don't know that command. {summary}"
    body.append(heading("Core group commands"))
    body += [text(f"**{name}** \u2014 {what}", spacing="None") for name, what in COMMANDS]
    body.append(
        text(
            "Mention me in the case channel with a command, or send it to me in a chat.", subtle=True, spacing="Medium"
        )
    )
    return card(body, summary=summary)


def explain(error: CoreGroupError, *, names: Mapping[str, str] | None = None) -> str:
    """The one explanation of an expected error, as plain text (an invoke's message: no markdown, no mentions).

    'Only the chair of CP-2027-0142 (Sam Jones) or their chairing delegate can schedule its meetings. Nothing was
    changed.' The person is named when the sender looked their name up, else left out.
    """
    people = People(names)
    if isinstance(error, NotYoursError):
        owner = "nobody" if error.owner is None else people.name(error.owner, "")
        # Someone holds the step but their name was not looked up: leave the brackets out rather than show an id.
        who = error.who.format(owner=owner) if owner else error.who.replace(" ({owner})", "").format(owner="")
        return f"Only {who} can {error.step}. Nothing was changed."
    if isinstance(error, AlreadyDoneError):
        named = people.name(error.by, "")
        by = " by you" if error.yours else (f" by {named}" if named else "")
        when = ""
        if error.at is not None:
            local = error.at.astimezone(ZoneInfo(error.timezone))
            when = f" at {local:%H:%M} on {local:%a %-d %b %Y}"
        return f"Already {error.done}{by}{when}."
    return error.message


def build_error_card(*, message: str) -> Element:
    """A refusal shown only to the person who asked (a targeted message, or their 1:1 chat); nothing changed."""
    return card([text(f"\u26a0\ufe0f {inline(message, limit=1000)}")], summary=message)
