"""Block Kit for the Home tab: what waits on the person (with the same buttons as their DMs), the coordinator's
digest live, their cases with the next meeting, and their delegate setting — within Slack's 100 blocks — and the
delegate modal."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.authority import COVERS_IN_WORDS, SCOPE_NAMES, Scope
from bot.digest import Digest, words
from bot.services.home import HomeView, WaitingItem
from handlers.blocks.digest import build_digest_sections, counts_line
from handlers.format import local_date, local_datetime
from handlers.ids import ActionIds, HomeIds, LetterIds, ReceiptIds, RequestIds
from handlers.render import actions, button, context, escape, header, inline, mention, section

Blocks = list[dict[str, Any]]
VIEW_BLOCKS = 100
DIGEST_BLOCKS = 30  # the coordinator's live digest gets at most this many
WAITING_ITEMS = 20  # each takes two blocks (the item and its buttons)


def item_buttons(item: WaitingItem) -> list[dict[str, Any]]:
    """The item's buttons: the features' own action ids and values, so a click works as in the DM."""
    value = str(item.item_id)
    return {
        "decision": [
            button("Approve", action_id=RequestIds.APPROVE, value=value, style="primary"),
            button("Refuse", action_id=RequestIds.REFUSE, value=value, style="danger"),
        ],
        "review": [
            button("Convene the meeting", action_id=RequestIds.CONVENE, value=value, style="primary"),
            button("Uphold the refusal", action_id=RequestIds.UPHOLD, value=value, style="danger"),
        ],
        "plan_confirm": [
            button("I have received the plan", action_id=ReceiptIds.CONFIRM, value=value, style="primary")
        ],
        "plan_send": [button("Plan sent", action_id=ReceiptIds.PLAN_SENT, value=value, style="primary")],
        "cp9_send": [
            button(f"Mark {item.form_name} sent", action_id=ReceiptIds.CP9_SENT, value=value, style="primary")
        ],
        "cp9_receive": [
            button(f"Mark {item.form_name} received", action_id=ReceiptIds.CP9_RECEIVED, value=value, style="primary")
        ],
        "letter_details": [button("Give the details", action_id=LetterIds.GIVE_DETAILS, value=value, style="primary")],
        "letter_send": [button("Letter sent", action_id=LetterIds.SENT, value=value, style="primary")],
        "action": [button("Mark done", action_id=ActionIds.DONE, value=value, style="primary")],
    }.get(item.kind, [])


def _item_text(item: WaitingItem) -> str:
    text = f"*{escape(item.reference)}* <#{item.channel}> — {inline(item.summary)}"
    if item.people:
        text += " — from " + ", ".join(mention(p) for p in item.people)
    if item.on_behalf_of:
        text += f"\n_You have this as delegate for {mention(item.on_behalf_of)}._"
    return text


def build_home_view(home: HomeView) -> dict[str, Any]:
    """The person's Home tab, at most 100 blocks."""
    blocks: Blocks = [
        header("Core group"),
        context(
            f"Updated {local_datetime(home.updated_at, home.timezone)}. "
            "Each case's channel and messages carry its reference only."
        ),
    ]
    if home.standing_in_for:
        blocks.append(
            context(
                "You are standing in for "
                + ", ".join(mention(p) for p in home.standing_in_for)
                + " today: what waits on them is here too."
            )
        )
    tail = _cases(home) + _delegate(home)
    blocks += _waiting(home)
    if home.digest is not None:
        room = min(DIGEST_BLOCKS, VIEW_BLOCKS - len(blocks) - len(tail) - 2)
        blocks += _digest(home.digest, room)
    blocks += tail
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}


def _waiting(home: HomeView) -> Blocks:
    items = home.waiting
    if not items:
        return [section("*What waits on you*\nNothing waits on you. :tada:")]
    blocks = [section(f"*What waits on you* ({len(items)}) — oldest first")]
    for n, item in enumerate(items[:WAITING_ITEMS], start=1):
        blocks.append(section(_item_text(item)))
        shown = item_buttons(item)
        if shown:
            blocks.append(actions(*shown, block_id=f"{HomeIds.ITEM}{n}"))
    if len(items) > WAITING_ITEMS:
        blocks.append(
            context(
                f"…and {len(items) - WAITING_ITEMS} more: the oldest are shown first; the rest are in "
                "your messages from the app."
            )
        )
    return blocks


def _digest(digest: Digest, room: int) -> Blocks:
    blocks = [
        {"type": "divider"},
        section(
            f"*Today's digest, live* — {escape(digest.headline())}"
            + (f"\n{counts_line(digest)}" if not digest.empty else "")
        ),
    ]
    return blocks + build_digest_sections(digest, blocks=max(room - len(blocks), 8))


def _cases(home: HomeView) -> Blocks:
    blocks: Blocks = [{"type": "divider"}]
    if not home.cases and home.digest is not None:
        cases = home.digest.open_cases
        return blocks + [
            section(
                f"*Cases*\nAs the coordinator you oversee {cases} open case{'s' if cases != 1 else ''}: "
                "the digest above lists those that need you."
            )
        ]
    if not home.cases:
        return blocks + [section("*Your cases*\nYou are not in any case's core group.")]
    lines = [f"*Your cases* ({len(home.cases)})"]
    for case in home.cases:
        roles = ", ".join(case.roles) or "—"
        if case.status != "open":
            when = f"{case.status}: the core group no longer meets"
        elif case.next_meeting_at:
            when = f"next meeting {local_datetime(case.next_meeting_at, home.timezone)}"
        elif case.due_on:
            when = f"no meeting scheduled; the next is due by {local_date(case.due_on)}"
        else:
            when = "no meeting scheduled"
        lines.append(f"• *{escape(case.reference)}* <#{case.channel}> — {roles} — {when}")
    text, shown = lines[0], 0
    for line in lines[1:]:
        if len(text) + len(line) + 60 > 3000:
            break
        text, shown = f"{text}\n{line}", shown + 1
    if shown < len(home.cases):
        text += f"\n_…and {len(home.cases) - shown} more_"
    return blocks + [section(text)]


def _delegate(home: HomeView) -> Blocks:
    view = home.delegate
    if not view.can_set:
        return []
    blocks: Blocks = [{"type": "divider"}]
    if view.delegations:
        lines = [
            f"{mention(d)} stands in for you until {local_date(until)} (inclusive), for "
            f"{COVERS_IN_WORDS[Scope(scope)]}."
            for d, until, scope in view.delegations
        ]
        blocks.append(section("*Your delegate*\n" + "\n".join(lines)))
        buttons = [
            button("Change delegate", action_id=HomeIds.CHANGE_DELEGATE, value="change"),
            button("Turn off", action_id=HomeIds.END_DELEGATE, value="off", style="danger"),
        ]
    else:
        blocks.append(
            section(
                "*Your delegate*\nNobody stands in for you. While you are away, a delegate can decide "
                "what would wait on you."
            )
        )
        buttons = [button("Set a delegate", action_id=HomeIds.CHANGE_DELEGATE, value="set", style="primary")]
    return blocks + [actions(*buttons, block_id="home.delegate_buttons")]


def build_delegate_modal(
    *, delegate: str | None, until: date | None, today: date, scopes: tuple[str, ...] = (Scope.REQUEST_DECISIONS,)
) -> dict[str, Any]:
    """Choose who stands in for you, until when, and for what (the existing delegate service saves it)."""
    options = [
        {"text": {"type": "plain_text", "text": SCOPE_NAMES[Scope(s)].capitalize()}, "value": str(s)} for s in scopes
    ]
    covers = "\n".join(f"*{SCOPE_NAMES[Scope(s)].capitalize()}*: {COVERS_IN_WORDS[Scope(s)]}" for s in scopes)
    user_element: dict[str, Any] = {
        "type": "users_select",
        "action_id": HomeIds.DELEGATE,
        "placeholder": {"type": "plain_text", "text": "Choose a colleague"},
    }
    if delegate:
        user_element["initial_user"] = delegate
    return {
        "type": "modal",
        "callback_id": str(HomeIds.DELEGATE_MODAL),
        "title": {"type": "plain_text", "text": "Your delegate"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                "While you are away, your delegate gets what needs you for the work you choose, and either of "
                "you can act: the first to act, acts. Nothing else of yours is theirs to do."
            ),
            {
                "type": "input",
                "block_id": str(HomeIds.DELEGATE),
                "label": {"type": "plain_text", "text": "Delegate"},
                "element": user_element,
            },
            {
                "type": "input",
                "block_id": str(HomeIds.UNTIL),
                "label": {"type": "plain_text", "text": "Until (inclusive)"},
                "element": {
                    "type": "datepicker",
                    "action_id": HomeIds.UNTIL,
                    "initial_date": (until or today).isoformat(),
                },
            },
            {
                "type": "input",
                "block_id": str(HomeIds.SCOPE),
                "label": {"type": "plain_text", "text": "For"},
                "element": {
                    "type": "static_select",
                    "action_id": HomeIds.SCOPE,
                    "options": options,
                    "initial_option": options[0],
                },
            },
            context(covers),
            context(f"Today is {words(today)}."),
        ],
    }
