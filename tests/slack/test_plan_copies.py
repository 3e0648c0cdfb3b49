"""Plan copies end to end: a recorded meeting starts the 5-working-day clock; the chair marks the plan sent;
recipients confirm; reminders and overdue notices come from `sweep(now)`; status shows each copy."""

from __future__ import annotations

from datetime import date

import pytest

from store.models import Delegate
from tests.slack.meeting_steps import CASE_CHANNEL, local, open_modal, posts, text_of
from tests.slack.receipt_steps import (
    CHAIR,
    ENGLAND,
    RECIPIENTS_WITH_SLACK,
    answer_to,
    blocks_text,
    buttons,
    case_meeting_at,
    command_reply,
    message_to,
    messages_to,
    plan_sent_by_command,
    plan_sent_from_message,
    press,
    press_and_open,
    record_meeting,
    submit_form,
    tick,
)

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027; Mon 2 Aug is a Scottish bank holiday
RECORDED = local(2027, 7, 30, 12, 0)
SENT = local(2027, 8, 3, 10, 0)  # Tue 3 Aug
MOTHER_BY_POST = {"receipt.labels": ["Mother"], "receipt.how": "post", "receipt.when": "2027-08-03"}


@pytest.fixture
def held(bot):
    """The harness case (Scotland, South Ayrshire) with its meeting of Fri 30 Jul 2027 recorded at noon."""
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED)
    return bot


def send_plan(bot, *labels_how_when, at=SENT) -> str:
    """Plan sent from the chair's message, ticking `labels` with how and when (or nobody)."""
    return plan_sent_from_message(bot, *labels_how_when, at=at)


def plan_dm(bot, user: str) -> dict:
    return message_to(bot, user, "please confirm when you have it")


def audit(bot, prefix: str) -> list:
    with bot.services.uow_factory() as uow:
        return [e for e in uow.audit.list() if e.action.startswith(prefix)]


# --- the clock starts ------------------------------------------------------------------------


def test_the_chair_is_asked_to_send_the_plan_to_everyone_at_or_invited_to_the_meeting_by_mon_9_aug_in_scotland(held):
    message = message_to(held, CHAIR, "Send the plan")
    assert message["text"] == "Send the plan for CP-2027-0142 by Mon 9 Aug 2027"
    shown = text_of(message)
    assert "must have a copy of the child protection plan by *Mon 9 Aug 2027* (5 working days)" in shown
    assert (
        "• <@U0HV>, attended — not sent\n• <@U0TEACH>, attended — not sent\n"
        "• Mother (no Slack), attended — not sent\n• <@U0POL>, invited, absent — not sent\n"
        "• Father (no Slack), invited, absent — not sent"
    ) in shown
    assert "<@U0CHAIR>, attended" not in shown  # the chair sends the plan; nobody asks them to confirm it
    assert buttons(message) == {"Plan sent": "receipt.plan_sent"}
    (started,) = audit(held, "plan.clock_started")
    assert (started.detail["recipients"], started.detail["due_on"]) == (5, "2027-08-09")


def test_in_england_the_same_meeting_makes_the_plan_due_on_fri_6_aug(bot):
    case_meeting_at(bot, MEETING, organisation=ENGLAND)
    record_meeting(bot, at=RECORDED)
    assert message_to(bot, CHAIR, "Send the plan")["text"] == "Send the plan for CP-2027-0142 by Fri 6 Aug 2027"


def test_an_english_bank_holiday_moves_the_deadline_of_a_thursday_meeting_to_the_next_friday(bot):
    case_meeting_at(bot, local(2027, 8, 26, 10, 0), organisation=ENGLAND)  # Mon 30 Aug: late summer bank holiday
    record_meeting(bot, at=local(2027, 8, 26, 12, 0))
    assert message_to(bot, CHAIR, "Send the plan")["text"] == "Send the plan for CP-2027-0142 by Fri 3 Sep 2027"
    bot.sweep(local(2027, 8, 31, 9, 0))  # working day 2
    assert messages_to(bot, CHAIR, "not marked sent yet") == []
    bot.sweep(local(2027, 9, 1, 9, 0))  # Wed 1 Sep: working day 3
    assert [m["text"] for m in messages_to(bot, CHAIR, "not marked sent yet")] == [
        "Plan for CP-2027-0142: not marked sent yet, due by Fri 3 Sep 2027"
    ]


def test_the_organisations_closure_day_does_not_count_so_a_meeting_before_christmas_is_due_on_30_december(bot):
    case_meeting_at(bot, local(2027, 12, 20, 10, 0))  # Scotland; 29 Dec 2027 is a closure day
    record_meeting(bot, at=local(2027, 12, 20, 12, 0))
    assert message_to(bot, CHAIR, "Send the plan")["text"] == "Send the plan for CP-2027-0142 by Thu 30 Dec 2027"


# --- the chair marks it sent -----------------------------------------------------------------


def test_plan_sent_asks_everyone_with_slack_to_confirm_and_ticks_mother_as_sent_by_post(held):
    view = press_and_open(held, CHAIR, message_to(held, CHAIR, "Send the plan"), "Plan sent")
    shown = text_of({"blocks": view["blocks"]})
    assert "asked to confirm they have received it: <@U0HV>, <@U0TEACH>, <@U0POL>." in shown
    held.at(SENT)
    errors, said = submit_form(
        held, view, {"receipt.labels": tick(view, "Mother"), "receipt.how": "post", "receipt.when": "2027-08-03"}
    )
    assert said == (
        "Done: <@U0HV>, <@U0TEACH>, <@U0POL> are asked to confirm they have received the plan. "
        "Marked sent by post: Mother. Still to send: Father — tick them with `/core-group plan-sent` "
        "once it has gone."
    )
    for user in RECIPIENTS_WITH_SLACK:
        message = plan_dm(held, user)
        assert "from the core group meeting on Fri 30 Jul 2027" in text_of(message)
        assert "should have it by *Mon 9 Aug 2027*" in text_of(message)
        assert buttons(message) == {"I have received the plan": "receipt.confirm"}
    chair_view = text_of(message_to(held, CHAIR, "Send the plan"))  # updated in place
    assert "• <@U0HV>, attended — sent Tue 3 Aug 2027, awaiting confirmation" in chair_view
    assert "• Mother (no Slack), attended — sent by post on Tue 3 Aug 2027" in chair_view
    assert "• Father (no Slack), invited, absent — not sent" in chair_view
    assert "Plan sent" in buttons(message_to(held, CHAIR, "Send the plan"))  # Father is still to send
    assert sorted(e.detail["recipient"] for e in audit(held, "plan.sent")) == ["Mother", "U0HV", "U0POL", "U0TEACH"]


def test_ticking_the_last_person_without_slack_takes_the_button_away_and_a_second_try_says_it_is_done(held):
    send_plan(held, ("Mother",), "post", "2027-08-03")
    held.at(local(2027, 8, 4, 15, 0))
    view = open_modal(held, "plan-sent")
    assert "Already asked: <@U0HV>, <@U0TEACH>, <@U0POL>." in text_of({"blocks": view["blocks"]})
    errors, said = submit_form(
        held, view, {"receipt.labels": tick(view, "Father"), "receipt.how": "email", "receipt.when": "2027-08-04"}
    )
    assert said == "Marked sent by email: Father."
    message = message_to(held, CHAIR, "Send the plan")
    assert buttons(message) == {} and "Marked sent to everyone." in text_of(message)
    assert "• Father (no Slack), invited, absent — sent by email on Wed 4 Aug 2027" in text_of(message)
    assert command_reply(held, "plan-sent", user=CHAIR)["text"] == (
        "Already marked sent to everyone by you at 15:00 on Wed 4 Aug 2027."
    )


def test_ticking_someone_without_saying_how_or_with_a_day_to_come_keeps_the_form_open(held):
    view = press_and_open(held, CHAIR, message_to(held, CHAIR, "Send the plan"), "Plan sent")
    held.at(SENT)
    errors, _ = submit_form(held, view, {"receipt.labels": tick(view, "Mother"), "receipt.when": "2027-08-05"})
    assert errors == {
        "receipt.how": "Say how you sent it: post, email or by hand.",
        "receipt.when": "That day has not come yet: choose the day you sent it.",
    }
    assert messages_to(held, "U0HV", "please confirm") == []  # nothing was sent


def test_only_the_chair_or_their_delegate_may_mark_the_plan_sent(held):
    mark = held.fake.mark()
    assert command_reply(held, "plan-sent", user="U0HV")["text"] == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can mark the plan sent. "
        "Nothing was changed."
    )
    said = answer_to(held, press(held, "U0HV", message_to(held, CHAIR, "Send the plan"), "Plan sent"))
    assert said.startswith("Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate")
    held.fake.assert_no_call("views.open", since=mark)
    with held.services.uow_factory() as uow:
        organisation = uow.organisations.get_by_name("South Ayrshire Council")
        uow.delegates.add(
            Delegate(
                organisation_id=organisation.id,
                principal=CHAIR,
                delegate="U0DEPUTY",
                until=date(2027, 8, 31),
                scope="chairing",
                created_at=SENT,
            )
        )
        uow.commit()
    held.at(SENT)
    errors, said = plan_sent_by_command(held, user="U0DEPUTY")
    assert said.startswith("Done: <@U0HV>, <@U0TEACH>, <@U0POL> are asked")
    assert {(e.actor, e.on_behalf_of) for e in audit(held, "plan.sent")} == {("U0DEPUTY", CHAIR)}


# --- recipients confirm ----------------------------------------------------------------------


def test_only_the_recipient_can_confirm_once_and_a_second_click_says_when_they_did(held):
    send_plan(held)
    held.at(local(2027, 8, 3, 11, 15))
    original = plan_dm(held, "U0HV")
    assert answer_to(held, press(held, "U0HV", original, "I have received the plan")) == (
        "Thank you: the chair can see you have received the plan."
    )
    assert answer_to(held, press(held, "U0TEACH", original, "I have received the plan")) == (
        "Only the person it was sent to (<@U0HV>) can confirm receiving this copy of the plan. Nothing was changed."
    )
    held.at(local(2027, 8, 4, 9, 0))
    assert answer_to(held, press(held, "U0HV", original, "I have received the plan")) == (
        "Already confirmed by you at 11:15 on Tue 3 Aug 2027."
    )
    held.dispatch()
    updated = plan_dm(held, "U0HV")
    assert buttons(updated) == {}
    assert "You confirmed you received the plan on Tue 3 Aug 2027, 11:15." in text_of(updated)
    assert [(e.actor, e.detail["late"]) for e in audit(held, "plan.received")] == [("U0HV", False)]
    assert "• <@U0HV>, attended — received Tue 3 Aug 2027, 11:15" in text_of(message_to(held, CHAIR, "Send the plan"))
    assert buttons(plan_dm(held, "U0TEACH")) == {"I have received the plan": "receipt.confirm"}


# --- reminders, the deadline and after -------------------------------------------------------


def test_the_chair_is_reminded_on_thu_5_aug_the_third_working_day_after_the_bank_holiday_once(held):
    held.sweep(local(2027, 8, 4, 9, 0))
    held.sweep(local(2027, 8, 5, 8, 59))
    assert messages_to(held, CHAIR, "not marked sent yet") == []
    held.sweep(local(2027, 8, 5, 9, 0))
    held.sweep(local(2027, 8, 5, 9, 1))
    (reminder,) = messages_to(held, CHAIR, "not marked sent yet")
    assert reminder["text"] == "Plan for CP-2027-0142: not marked sent yet, due by Mon 9 Aug 2027"
    assert "5 of 5 copies are not marked sent" in text_of(reminder) and "Plan sent" in buttons(reminder)
    assert [e.detail["to"] for e in audit(held, "plan.reminded")] == [CHAIR]


def test_a_chair_who_has_sent_every_copy_is_not_reminded(held):
    send_plan(held, ("Mother", "Father"), "by_hand", "2027-08-03")
    held.sweep(local(2027, 8, 5, 9, 0))
    assert messages_to(held, CHAIR, "not marked sent yet") == []


def test_recipients_are_reminded_on_the_third_working_day_and_the_deadline_day_until_they_confirm(held):
    send_plan(held, ("Mother", "Father"), "post", "2027-08-03")
    held.at(local(2027, 8, 4, 16, 0))
    answer_to(held, press(held, "U0HV", plan_dm(held, "U0HV"), "I have received the plan"))
    held.sweep(local(2027, 8, 5, 9, 0))
    held.sweep(local(2027, 8, 5, 9, 0))  # a second sweep at the same moment sends nothing twice
    reminded = {
        u: [m["text"] for m in messages_to(held, u, "please confirm you have it")] for u in RECIPIENTS_WITH_SLACK
    }
    assert reminded == {
        "U0HV": [],
        "U0TEACH": ["Plan for CP-2027-0142: please confirm you have it"],
        "U0POL": ["Plan for CP-2027-0142: please confirm you have it"],
    }
    held.at(local(2027, 8, 6, 10, 0))
    reminder = messages_to(held, "U0POL", "please confirm you have it")[0]
    answer_to(held, press(held, "U0POL", reminder, "I have received the plan"))
    held.sweep(local(2027, 8, 9, 9, 0))  # Mon 9 Aug: the deadline
    held.sweep(local(2027, 8, 10, 9, 0))
    held.sweep(local(2027, 8, 11, 9, 0))
    assert [m["text"] for m in messages_to(held, "U0TEACH", "please confirm you have it")] == [
        "Plan for CP-2027-0142: please confirm you have it",
        "Plan for CP-2027-0142: please confirm you have it, today is the deadline",
    ]
    assert len(messages_to(held, "U0POL", "please confirm you have it")) == 1
    # Confirming from the reminder takes the button off every message that had it.
    assert buttons(plan_dm(held, "U0POL")) == {} and buttons(messages_to(held, "U0POL", "please confirm")[1]) == {}
    assert sorted(e.detail["to"] for e in audit(held, "plan.reminded")) == ["U0POL", "U0TEACH", "U0TEACH"]


def test_after_the_deadline_the_chair_hears_which_copies_are_overdue_and_the_digest_can_list_them(held):
    send_plan(held, ("Mother",), "post", "2027-08-03")
    for user in ("U0HV", "U0POL"):
        answer_to(held, press(held, user, plan_dm(held, user), "I have received the plan"))
    held.sweep(local(2027, 8, 10, 8, 59))
    assert messages_to(held, CHAIR, "Copies of the plan") == []
    held.sweep(local(2027, 8, 10, 9, 0))  # Tue 10 Aug, the first working morning after Mon 9 Aug
    held.sweep(local(2027, 8, 10, 9, 5))
    (overdue,) = messages_to(held, CHAIR, "Copies of the plan")
    assert overdue["text"] == "Copies of the plan for CP-2027-0142 are overdue (due Mon 9 Aug 2027)"
    shown = text_of(overdue)
    assert "• <@U0TEACH>, attended — sent Tue 3 Aug 2027, awaiting confirmation" in shown
    assert "• Father (no Slack), invited, absent — not sent" in shown
    assert "U0HV" not in shown and "Mother" not in shown
    assert "Plan sent" in buttons(overdue)
    assert sorted(e.detail["recipient"] for e in audit(held, "plan.overdue")) == ["Father", "U0TEACH"]
    with held.services.uow_factory() as uow:
        listed = uow.receipts.overdue_copies(now=local(2027, 8, 12, 9, 0))
    assert [(c.reference, c.user_id or c.label, c.days_overdue) for c in listed] == [
        ("CP-2027-0142", "U0TEACH", 3),
        ("CP-2027-0142", "Father", 3),
    ]


def status_text(bot, user: str) -> str:
    """What `/core-group status` shows `user` in the case channel now."""
    return blocks_text(command_reply(bot, "status", user=user))


def test_status_shows_each_recipient_of_the_latest_meeting_as_received_sent_awaiting_not_sent_or_overdue(held):
    send_plan(held, ("Mother",), "post", "2027-08-03")
    held.at(local(2027, 8, 4, 10, 0))
    answer_to(held, press(held, "U0HV", plan_dm(held, "U0HV"), "I have received the plan"))
    held.at(local(2027, 8, 5, 10, 0))
    shown = status_text(held, "U0TEACH")
    assert "*Plan copies* — meeting on Fri 30 Jul 2027, due by Mon 9 Aug 2027" in shown
    assert "• <@U0HV>, attended — received Wed 4 Aug 2027" in shown
    assert "• <@U0TEACH>, attended — sent Tue 3 Aug 2027, awaiting confirmation" in shown
    assert "• Mother (no Slack), attended — sent by post on Tue 3 Aug 2027" in shown
    assert "• Father (no Slack), invited, absent — not sent (due by Mon 9 Aug 2027)" in shown
    held.at(local(2027, 8, 11, 10, 0))
    later = status_text(held, "U0TEACH")
    assert "• Father (no Slack), invited, absent — *overdue* — not sent; due Mon 9 Aug 2027, 2 days late" in later
    assert "• <@U0TEACH>, attended — *overdue* — sent Tue 3 Aug 2027, not confirmed" in later


def test_the_plan_messages_never_carry_the_records_words(held):
    send_plan(held)
    everything = " ".join(
        text_of(m) + m["text"] for u in (CHAIR, *RECIPIENTS_WITH_SLACK) for m in held.fake.messages(u)
    )
    assert "CAMHS" not in everything and "School attendance" not in everything
    assert posts(held, CASE_CHANNEL, kind="please confirm") == []  # copies are asked for in DMs, never the channel
