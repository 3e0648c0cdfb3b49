"""Every Teams card builder, fed outbox-shaped payloads full of hostile typed text: each card is one Teams accepts
(schema 1.5, inputs with ids, verb == data.action, refresh within 60 users), carries only ids on its buttons,
shows no Slack markup, and lets no typed markdown, link or mention through."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

import pytest

from bot.services.cases import CaseStatusView
from bot.services.cp9 import Cp9SentForm
from bot.services.receipts import PlanSentForm
from teams.cards import case_notices, decisions, digest, meetings, receipts, requests, status
from teams.cards.check import problems
from teams.cards.dialogs import DialogCard

CHAIR = "aaaaaaaa-0000-4000-8000-000000000001"
LEADER = "aaaaaaaa-0000-4000-8000-000000000002"
MEMBER = "aaaaaaaa-0000-4000-8000-000000000003"
COORDINATOR = "aaaaaaaa-0000-4000-8000-000000000004"
DELEGATE = "aaaaaaaa-0000-4000-8000-000000000005"
#: Typed text that would bold, link, mention, list, head, date-format and reverse itself if shown raw.
HOSTILE = (
    "*bold* __strong__ _it_ ~gone~ `code` [click here](https://evil.example/x) <at>Boss</at> <@U0BOSS> <!channel>\n"
    "# Heading\n- item\n+ item\n1. first\n{{DATE(2027-01-01T00:00:00Z, SHORT)}} \\*escaped\\* "
    "\u202eevil\u202c zero\u200bwidth see https://records.example.org/a_b?x=1&y=2."
)
#: What no card may show, once typed text has been made inert.
RAW = ["*bold*", "__strong__", "_it_", "~gone~", "`code`", "[click here]", "<at>Boss", "<@U0BOSS>", "<!channel>",
       "{{DATE", "\u202e", "\u200b", "\\*"]  # fmt: skip
TZ = "Europe/London"


def at(day: int, hour: int = 9) -> str:
    return datetime(2027, 5, day, hour, 0, tzinfo=timezone.utc).isoformat()


def meeting(**over: Any) -> dict[str, Any]:
    base = {
        "reference": "CP-2027-0142",
        "channel": "19:case0142@thread.tacv2",
        "meeting_id": 7,
        "kind": "regular",
        "starts_at": at(24),
        "timezone": TZ,
        "mode": "in_person",
        "note": HOSTILE,
        "scheduled_by": CHAIR,
    }
    return {**base, **over}


def recorded(**over: Any) -> dict[str, Any]:
    base = {
        "reference": "CP-2027-0142",
        "channel": "19:case0142@thread.tacv2",
        "timezone": TZ,
        "held_at": at(24),
        "recorded_by": CHAIR,
        "attended_users": [CHAIR, LEADER],
        "attended_labels": ["Police *officer* <at>x</at>"],
        "absent_users": [MEMBER],
        "absent_labels": [],
        "actions": 3,
        "next_due_on": "2027-06-21",
        "significant_amendment": False,
    }
    return {**base, **over}


def request(**over: Any) -> dict[str, Any]:
    base = {
        "request_id": 12,
        "reference": "CP-2027-0142",
        "timezone": TZ,
        "concern": "new",
        "urgency": "urgent",
        "details": HOSTILE,
        "requested_by": MEMBER,
        "requested_at": at(3),
        "decider": LEADER,
        "decider_role": "team leader",
        "coordinator": COORDINATOR,
    }
    return {**base, **over}


def decision(outcome: str = "refused", **over: Any) -> dict[str, Any]:
    base = {
        "outcome": outcome,
        "by": LEADER,
        "on_behalf_of": None,
        "at": at(4),
        "reason": HOSTILE,
        "meeting_starts_at": at(10) if outcome in ("approved", "convened") else None,
    }
    return {**base, **over}


def copies() -> list[dict[str, Any]]:
    return [
        {"id": 1, "user_id": MEMBER, "label": None, "attended": True, "status": "pending", "sent_on": None,
         "sent_how": None, "received_at": None},
        {"id": 2, "user_id": None, "label": "Mother *x*", "attended": False, "status": "sent", "sent_on": "2027-05-25",
         "sent_how": "post", "received_at": None},
        {"id": 3, "user_id": LEADER, "label": None, "attended": True, "status": "received", "sent_on": "2027-05-25",
         "sent_how": None, "received_at": at(26)},
    ]  # fmt: skip


def plan(**over: Any) -> dict[str, Any]:
    base = {
        "receipt_id": 5,
        "reference": "CP-2027-0142",
        "channel": "19:case0142@thread.tacv2",
        "timezone": TZ,
        "chair": CHAIR,
        "held_on": "2027-05-24",
        "due_on": "2027-05-31",
        "due_at": at(31, 17),
        "working_days": 5,
        "copies": copies(),
        "all_sent": False,
        "occasion": "recorded",
        "on_behalf_of": None,
    }
    return {**base, **over}


def plan_copy(**over: Any) -> dict[str, Any]:
    base = {
        "copy_id": 1,
        "reference": "CP-2027-0142",
        "timezone": TZ,
        "held_on": "2027-05-24",
        "due_on": "2027-05-31",
        "chair": CHAIR,
        "attended": True,
        "occasion": "sent",
        "confirmed_at": None,
    }
    return {**base, **over}


def cp9(**over: Any) -> dict[str, Any]:
    base = {
        "cp9_id": 9,
        "reference": "CP-2027-0142",
        "channel": "19:case0142@thread.tacv2",
        "timezone": TZ,
        "form_name": "CP9",
        "days": 7,
        "held_on": "2027-05-24",
        "nominal_due_on": "2027-05-31",
        "due_on": "2027-06-01",
        "chair": CHAIR,
        "coordinator": COORDINATOR,
        "status": "pending",
        "sent_on": None,
        "sent_by": None,
        "sent_note": None,
        "received_at": None,
        "received_by": None,
    }
    return {**base, **over}


def digest_payload(items: int = 3, **over: Any) -> dict[str, Any]:
    item = {"reference": "CP-2027-0142", "channel": "19:c@thread.tacv2", "summary": "CP9 overdue by 3 days",
            "since": "2027-05-01", "people": [CHAIR]}  # fmt: skip
    base = {
        "organisation": "Northshire",
        "day": "2027-05-26",
        "open_cases": 14,
        "on_time": 12,
        "sections": [{"key": "cp9", "title": "CP9s due and overdue", "items": [item] * items}],
        "on_behalf_of": None,
    }
    return {**base, **over}


def status_view(**over: Any) -> CaseStatusView:
    base: dict[str, Any] = dict(
        reference="CP-2027-0142",
        channel="19:case0142@thread.tacv2",
        status="open",
        chair=CHAIR,
        team_leader=LEADER,
        member_count=6,
        participants_without_slack=("Police *officer*", "GP <at>x</at>"),
        first_meeting_at=None,
        timezone=TZ,
        next_meeting_at=datetime(2027, 5, 24, 9, tzinfo=timezone.utc),
    )
    return CaseStatusView(**{**base, **over})


def plan_sent_form() -> PlanSentForm:
    return PlanSentForm(
        receipt_id=5,
        reference="CP-2027-0142",
        channel="19:case0142@thread.tacv2",
        timezone=TZ,
        held_on=date(2027, 5, 24),
        due_on=date(2027, 5, 31),
        today=date(2027, 5, 25),
        slack_to_send=(MEMBER, LEADER),
        slack_already=(),
        labels=((2, "Mother *x* [a](https://e.x)", False), (4, "GP", True)),
    )


def cp9_sent_form() -> Cp9SentForm:
    return Cp9SentForm(
        cp9_id=9,
        reference="CP-2027-0142",
        form_name="CP9",
        coordinator=COORDINATOR,
        held_on=date(2027, 5, 24),
        due_on=date(2027, 6, 1),
        today=date(2027, 5, 25),
    )


def every_card() -> dict[str, dict[str, Any]]:
    """One of every card and dialog the builders make, in each of their states."""
    deciders = [LEADER, DELEGATE]
    refused = {**request(), "decision": decision()}
    built: dict[str, dict[str, Any] | DialogCard] = {
        "reminder": meetings.build_meeting_reminder_card(payload={**meeting(), "working_days_before": 2}),
        "reminder today": meetings.build_meeting_reminder_card(payload={**meeting(), "working_days_before": 0}),
        "scheduled": meetings.build_meeting_scheduled_card(payload=meeting()),
        "scheduled first, imported": meetings.build_meeting_scheduled_card(
            payload=meeting(kind="first", scheduled_by="cli")
        ),
        "moved": meetings.build_meeting_rescheduled_card(
            payload=meeting(previous_starts_at=at(20), reason=HOSTILE, changed_by=CHAIR)
        ),
        "changed": meetings.build_meeting_rescheduled_card(
            payload=meeting(previous_starts_at=at(24), reason=HOSTILE, changed_by=CHAIR, mode="online")
        ),
        "cancelled": meetings.build_meeting_cancelled_card(payload=meeting(reason=HOSTILE, changed_by=DELEGATE)),
        "recorded": meetings.build_meeting_recorded_card(payload=recorded()),
        "request start": requests.build_request_start_card(reference="CP-2027-0142", case_id=3),
        "request dialog": requests.build_request_dialog(reference="CP-2027-0142", case_id=3, details=HOSTILE),
        "decision live": decisions.build_decision_card(
            payload={**request(), "occasion": "routed", "delegate": DELEGATE}, decider_ids=deciders
        ),
        "decision read-only": decisions.build_decision_card(
            payload={**request(), "occasion": "escalated"}, decider_ids=deciders, live=False
        ),
        "decision by a delegate": decisions.build_decision_card(
            payload={**request(), "occasion": "reminder", "on_behalf_of": LEADER}, decider_ids=[DELEGATE]
        ),
        "decision decided": decisions.build_decision_card(
            payload={**request(), "closed": decision("approved", on_behalf_of=LEADER, by=DELEGATE)},
            decider_ids=deciders,
        ),
        "approve dialog": decisions.build_schedule_dialog(
            convene=False, reference="CP-2027-0142", request_id=12, initial_day=date(2027, 5, 5)
        ),
        "convene dialog": decisions.build_schedule_dialog(
            convene=True, reference="CP-2027-0142", request_id=12, initial_day=date(2027, 5, 5)
        ),
        "approved": requests.build_approved_card(payload={**request(), "decision": decision("approved")}),
        "refused": requests.build_refused_card(payload=refused),
        "refused, coordinator asked": requests.build_refused_card(
            payload={**refused, "closed": {"outcome": "asked", "by": MEMBER, "at": at(5), "to": DELEGATE}}
        ),
        "refused by the coordinator": requests.build_refused_card(payload={**refused, "decider_role": "coordinator"}),
        "review live": decisions.build_review_card(payload=refused, reviewer_ids=[COORDINATOR]),
        "review read-only": decisions.build_review_card(payload=refused, reviewer_ids=[COORDINATOR], live=False),
        "review decided": decisions.build_review_card(
            payload={**refused, "occasion": "reminder", "on_behalf_of": COORDINATOR, "closed": decision("upheld")},
            reviewer_ids=[DELEGATE],
        ),
        "outcome convened": requests.build_outcome_card(
            payload={**request(), "outcome": decision("convened", by=COORDINATOR)}
        ),
        "outcome upheld": requests.build_outcome_card(payload={**request(), "outcome": decision("upheld")}),
        "plan to send": receipts.build_plan_to_send_card(payload=plan(delegate=DELEGATE)),
        "plan reminder": receipts.build_plan_to_send_card(payload=plan(occasion="reminder", on_behalf_of=CHAIR)),
        "plan overdue": receipts.build_plan_to_send_card(payload=plan(occasion="overdue", overdue=[1, 2])),
        "plan all sent": receipts.build_plan_to_send_card(payload=plan(all_sent=True)),
        "plan sent dialog": receipts.build_plan_sent_dialog(form=plan_sent_form()),
        "plan copy": receipts.build_plan_copy_card(payload=plan_copy()),
        "plan copy deadline": receipts.build_plan_copy_card(payload=plan_copy(occasion="deadline")),
        "plan copy received": receipts.build_plan_copy_card(payload=plan_copy(confirmed_at=at(26))),
        "cp9 to send": receipts.build_cp9_to_send_card(payload=cp9()),
        "cp9 overdue": receipts.build_cp9_to_send_card(payload=cp9(occasion="overdue", on_behalf_of=CHAIR)),
        "cp9 sent": receipts.build_cp9_to_send_card(
            payload=cp9(status="sent", sent_on="2027-05-27", sent_by=CHAIR, sent_note=HOSTILE)
        ),
        "cp9 sent dialog": receipts.build_cp9_sent_dialog(form=cp9_sent_form()),
        "cp9 due": receipts.build_cp9_due_card(payload=cp9(delegate=DELEGATE)),
        "cp9 received": receipts.build_cp9_due_card(
            payload=cp9(status="received", received_at=at(28), received_by=COORDINATOR)
        ),
        "digest": digest.build_digest_card(payload=digest_payload(on_behalf_of=COORDINATOR)),
        "digest empty": digest.build_digest_card(payload=digest_payload(items=0)),
        "status": status.build_status_card(view=status_view(status="closed")),
        "help": status.build_help_card(),
        "help, unknown command": status.build_help_card(unknown=HOSTILE),
        "error": status.build_error_card(message="Only the chair can do that. Nothing was changed."),
        "member added": case_notices.build_member_added_card(
            payload={"reference": "CP-2027-0142", "member": MEMBER, "role": HOSTILE, "added_by": CHAIR}
        ),
        "deregistered": case_notices.build_case_deregistered_card(
            payload={
                "reference": "CP-2027-0142",
                "conference_on": "2027-05-20",
                "opens_on": "2027-08-12",
                "closes_on": "2027-11-18",
                "convener": CHAIR,
            }
        ),
        "closed": case_notices.build_case_closed_card(
            payload={
                "reference": "CP-2027-0142",
                "held_on": "2027-09-01",
                "closed_by": CHAIR,
                "plan_type": "multi_agency",
                "lead_agency": HOSTILE,
            }
        ),
        "reopened": case_notices.build_case_reopened_card(
            payload={"reference": "CP-2027-0142", "registered_on": "2027-12-01", "due_on": "2027-12-15", "chair": CHAIR}
        ),
    }
    return {name: shown.card if isinstance(shown, DialogCard) else shown for name, shown in built.items()}


CARDS = every_card()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_is_one_teams_accepts_and_routes(name):
    assert problems(CARDS[name]) == []


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_is_json_with_adaptive_card_1_5_at_its_top(name):
    shown = json.loads(json.dumps(CARDS[name]))
    assert shown["type"] == "AdaptiveCard"
    assert shown["version"] == "1.5"
    assert shown["fallbackText"]


def walk(node: Any) -> list[dict[str, Any]]:
    """Every object in a card."""
    if isinstance(node, dict):
        return [node, *(found for v in node.values() for found in walk(v))]
    if isinstance(node, list):
        return [found for v in node for found in walk(v)]
    return []


def shown_words(node: Any) -> Any:
    """The card without what a text box holds for editing (its `value` is never rendered as markdown)."""
    if isinstance(node, dict):
        editable = str(node.get("type", "")).startswith("Input.")
        return {k: shown_words(v) for k, v in node.items() if not (editable and k == "value")}
    if isinstance(node, list):
        return [shown_words(v) for v in node]
    return node


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_typed_markdown_link_or_mention_comes_through_on_any_card(name):
    shown = json.dumps(shown_words(CARDS[name]), ensure_ascii=False)
    assert [raw for raw in RAW if raw in shown] == []


def test_what_someone_typed_comes_back_to_edit_as_they_typed_it():
    (details,) = [e for e in CARDS["request dialog"]["body"] if e.get("id") == "details"]
    assert details["value"].startswith("*bold* __strong__")


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_typed_words_reach_a_cards_notification_line_or_its_buttons(name):
    shown = CARDS[name]
    typed = ["bold", "evil", "Heading", "Mother", "Police", "GP"]
    assert [word for word in typed if word in shown["fallbackText"]] == []
    data = [node["data"] for node in walk(shown) if "data" in node]
    assert all(type(v) is int for d in data for k, v in d.items() if k not in ("action", "dialog_id", "msteams"))


def test_a_typed_web_address_stays_a_working_link_with_inert_words():
    shown = json.dumps(CARDS["scheduled"], ensure_ascii=False)
    assert "(https://records.example.org/a_b?x=1&y=2)" in shown  # the link's target, exactly as typed
    assert "[https://records.example.org/a\uff3fb?x=1&y=2]" in shown  # its words, with nothing to italicise
    assert "(https://evil.example/x)" in shown and "[click here](" not in shown  # a disguised link shows its address


def test_the_check_catches_what_teams_would_reject():
    bad = {
        "type": "AdaptiveCard",
        "version": "1.6",
        "body": [{"type": "Input.Txt"}, {"type": "Input.Text"}, {"type": "TextBlock", "text": "*hi* <@U1> :warning:"}],
        "actions": [{"type": "Action.Execute", "verb": "a", "data": {"action": "b", "name": "Sam"}}],
        "refresh": {"action": {"type": "Action.Execute", "verb": "r", "data": {"action": "r"}}, "userIds": ["x"] * 61},
    }
    found = "\n".join(problems(bad))
    for expected in [
        "version 1.6",
        "unknown type Input.Txt",
        "Input.Text without an id",
        "verb 'a' != data.action 'b'",
        "'name' is not an opaque id",
        "61 users",
        "Slack mention",
        "Slack emoji",
        "single *",
    ]:
        assert expected in found
