"""Block Kit for institution letters: the details modal, the chair's and the coordinator's messages, and the draft
letter as a document to upload. Built from outbox payloads only; user-entered words are escaped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.documents import build_letter_docx
from bot.letters import KINDS, LetterDraft
from bot.services.letters import LetterForm
from handlers.format import local_datetime
from handlers.ids import LetterIds
from handlers.render import RenderedFile, actions, button, context, escape, inline, mention, section

Blocks = list[dict[str, Any]]
WHY = (
    "If a parent, relative or other relevant person is in an institution (e.g. prison, hospital), the "
    "Co-ordinator, Children Services writes to the head of the institution with the relevant details, including "
    "who should be contacted if the person absconds or is about to be discharged."
)
NO_NAMES = (
    "Don't write the person's name, date of birth or number here: the draft leaves them blank for the "
    "coordinator to fill in, and the bot never keeps them."
)


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: dict[str, Any], *, hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": str(block_id), "label": _plain(label), "element": element}
    if hint:
        block["hint"] = _plain(hint)
    return block


def build_letter_modal(form: LetterForm) -> dict[str, Any]:
    """The letter's details: the relationship (a role), the kind and name of the institution, whom to contact."""
    suggestions = ", ".join(form.participants[:5])
    return {
        "type": "modal",
        "callback_id": str(LetterIds.DETAILS_MODAL),
        "private_metadata": json.dumps({"channel": form.channel, "letter_id": form.letter_id}),
        "title": _plain("Institution letter"),
        "submit": _plain("Send to coordinator"),
        "close": _plain("Cancel"),
        "blocks": [
            section(
                f"*{escape(form.reference)}* — {WHY} The coordinator ({mention(form.coordinator)}) gets a draft "
                "letter and a task to send it."
            ),
            _input(
                LetterIds.RELATIONSHIP,
                "The person's relationship to the child",
                {
                    "type": "plain_text_input",
                    "action_id": LetterIds.RELATIONSHIP,
                    "max_length": 60,
                    "placeholder": _plain("e.g. Father"),
                },
                hint=f"A role, never a name{f' (this case has: {suggestions})' if suggestions else ''}. {NO_NAMES}",
            ),
            _input(
                LetterIds.KIND,
                "Kind of institution",
                {
                    "type": "radio_buttons",
                    "action_id": LetterIds.KIND,
                    "options": [{"text": _plain(text), "value": value} for value, text in KINDS.items()],
                },
            ),
            _input(
                LetterIds.NAME,
                "The institution's name",
                {
                    "type": "plain_text_input",
                    "action_id": LetterIds.NAME,
                    "max_length": 150,
                    "placeholder": _plain("e.g. HMP Kilmarnock"),
                },
            ),
            _input(
                LetterIds.CONTACT,
                "Who to contact if the person absconds or is about to be discharged",
                {
                    "type": "users_select",
                    "action_id": LetterIds.CONTACT,
                    "placeholder": _plain("Choose a professional"),
                },
                hint="A professional in Slack: the letter gives the institution their name to contact.",
            ),
        ],
    }


def _when(value: str | None, timezone: str) -> str:
    return local_datetime(datetime.fromisoformat(value), timezone) if value else "—"


def _about(p: dict[str, Any]) -> str:
    kind = KINDS.get(p.get("kind") or "", "Institution").lower()
    return f"{inline(p.get('institution_name') or '—', limit=150)} ({kind})"


def build_details_needed_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The chair: a record flagged an institution; give the details (button) until they are given."""
    ref = p["reference"]
    reminder = p.get("occasion") == "reminder"
    title = (
        "Reminder: the coordinator still needs the details for an institution letter"
        if reminder
        else "A parent or relative is in an institution: the coordinator needs the details"
    )
    text = f"{title} — {ref}"
    blocks: Blocks = [
        section(
            f"*{title}* — {escape(ref)}\nThe meeting record says a parent, relative or other relevant "
            f"person is in an institution. {WHY} Give the details so the coordinator can write."
        )
    ]
    if p.get("on_behalf_of"):
        blocks.append(context(f"You have this as delegate for {mention(p['on_behalf_of'])}."))
    if p.get("status") != "details_needed":
        blocks.append(
            section(
                f":white_check_mark: Details given by {mention(p.get('details_by'))} on "
                f"{_when(p.get('details_at'), p['timezone'])}: {_about(p)}."
            )
        )
        return f"{text}: details given", blocks
    blocks.append(
        actions(
            button("Give the details", action_id=LetterIds.GIVE_DETAILS, value=str(p["letter_id"]), style="primary"),
            block_id=LetterIds.BUTTONS,
        )
    )
    return text, blocks


def build_letter_task_message(p: dict[str, Any]) -> tuple[str, Blocks]:
    """The coordinator (or delegate): write to the head of the institution; Letter sent until it is marked sent."""
    ref = p["reference"]
    reminder = p.get("occasion") == "reminder"
    title = (
        "Reminder: a letter to the head of an institution is not sent yet"
        if reminder
        else "Letter to the head of an institution"
    )
    text = f"{title} — {ref}"
    lines = [
        f"*{title}* — {escape(ref)}",
        f"*The person:* the child's {inline(p.get('relationship') or '—', limit=60)}",
        f"*Institution:* {_about(p)}",
        f"*Contact if the person absconds or is about to be discharged:* {mention(p.get('contact'))}",
        f"*Details from:* {mention(p.get('details_by'))}",
    ]
    blocks: Blocks = [
        section("\n".join(lines)),
        context(
            "The draft letter is in a document in this conversation: fill in the marked blanks "
            "(name, date of birth, number, telephone) before sending. The bot never keeps them."
        ),
    ]
    if p.get("on_behalf_of"):
        blocks.append(
            context(f"You have this as delegate for {mention(p['on_behalf_of'])} (Co-ordinator, Children Services).")
        )
    if p.get("status") == "sent":
        blocks.append(
            section(
                f":white_check_mark: Marked sent by {mention(p.get('sent_by'))} on "
                f"{_when(p.get('sent_at'), p['timezone'])}."
            )
        )
        return f"{text}: sent", blocks
    blocks.append(
        actions(
            button("Letter sent", action_id=LetterIds.SENT, value=str(p["letter_id"]), style="primary"),
            block_id=LetterIds.BUTTONS,
        )
    )
    return text, blocks


def letter_draft_file(p: dict[str, Any]) -> tuple[str, RenderedFile]:
    """The draft letter as a DOCX to upload, and the comment that goes with it."""
    ref = p["reference"]

    def write(names: Mapping[str, str]) -> bytes:
        return build_letter_docx(
            LetterDraft(
                organisation=p["organisation"],
                reference=ref,
                dated=date.fromisoformat(p["today"]),
                relationship=p.get("relationship") or "relative",
                kind=p.get("kind") or "other",
                institution_name=p.get("institution_name") or "[institution — fill in]",
                contact_name=names.get(p.get("contact") or ""),
                contact_title=None,
            )
        )

    comment = (
        f"Draft letter to the head of the institution for {ref}: fill in the marked blanks, then send it and "
        "click Letter sent."
    )
    return comment, RenderedFile(
        filename=f"institution-letter-{ref}-{p['letter_id']}.docx",
        title=f"Draft letter to the head of an institution — {ref}",
        write=write,
        people=tuple(u for u in (p.get("contact"),) if u),
    )
