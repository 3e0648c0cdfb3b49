"""Plan copies and the CP9 as obligations in the ledger: what a record, Plan sent, I have received the plan, Mark CP9
sent and Mark CP9 received open and discharge (by whom, for whom), and what the ledger sweep chases after each."""

from __future__ import annotations

import pytest

from tests.slack.meeting_steps import local, text_of
from tests.slack.receipt_steps import (
    CHAIR,
    COORDINATOR,
    answer_to,
    buttons,
    case_meeting_at,
    message_to,
    messages_to,
    plan_sent_from_message,
    press,
    press_and_open,
    record_meeting,
    submit_form,
)

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027 (Scotland): plan due Mon 9 Aug, CP9 due Fri 6 Aug
RECORDED = local(2027, 7, 30, 12, 0)
DUE = local(2027, 8, 10, 0, 0)  # the plan's deadline is the end of Mon 9 Aug


@pytest.fixture
def held(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED)
    return bot


def obligations(bot, kind: str) -> dict[str, tuple]:
    """The case's obligations of `kind` by recipient: (status, who discharged it, for whom it was done)."""
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        rows = [r for r in uow.obligations.for_case(case.id) if r.kind == kind]
        audit = {e.detail["obligation_id"]: e.on_behalf_of for e in uow.audit.list(action="obligation.discharged")}
        return {r.recipient: (r.status, r.discharged_by, audit.get(r.id)) for r in rows}


def due_dates(bot, kind: str) -> set:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return {r.due_at for r in uow.obligations.for_case(case.id) if r.kind == kind}


def test_the_chair_owes_each_recipient_a_copy_and_each_recipient_with_slack_then_owes_their_confirmation(held):
    assert due_dates(held, "plan_copy_sent") == {DUE - DUE.resolution}  # Mon 9 Aug, end of the day
    assert obligations(held, "plan_copy_sent") == dict.fromkeys(
        ("U0HV", "U0TEACH", "Mother", "U0POL", "Father"), ("open", None, None)
    )
    assert obligations(held, "plan_copy_received") == {}
    plan_sent_from_message(held, ("Mother",), "post", "2027-08-03", at=local(2027, 8, 3, 10, 0))
    sent = obligations(held, "plan_copy_sent")
    assert sent.pop("Father") == ("open", None, None)  # not ticked: still owed by the chair
    assert set(sent.values()) == {("discharged", CHAIR, None)}
    assert obligations(held, "plan_copy_received") == dict.fromkeys(("U0HV", "U0TEACH", "U0POL"), ("open", None, None))
    answer_to(held, press(held, "U0HV", message_to(held, "U0HV", "please confirm"), "I have received the plan"))
    assert obligations(held, "plan_copy_received")["U0HV"] == ("discharged", "U0HV", None)


def cp9_message(bot) -> dict:
    return message_to(bot, CHAIR, "Send the CP9")


def mark_cp9_sent(bot, on: str) -> None:
    view = press_and_open(bot, CHAIR, cp9_message(bot), "Mark CP9 sent")
    errors, _ = submit_form(bot, view, {"receipt.cp9_when": on})
    assert not errors, errors


def test_once_the_cp9_is_sent_the_coordinator_is_reminded_to_mark_it_received_the_working_day_after_its_deadline(held):
    held.at(local(2027, 8, 3, 10, 0))
    mark_cp9_sent(held, "2027-08-03")
    assert obligations(held, "cp9_sent") == {"": ("discharged", CHAIR, None)}
    assert obligations(held, "cp9_received") == {"": ("open", None, None)}
    held.sweep(local(2027, 8, 6, 9, 0))  # Fri 6 Aug, the deadline: not yet
    assert messages_to(held, COORDINATOR, "not marked received") == []
    held.sweep(local(2027, 8, 9, 9, 0))  # Mon 9 Aug, the next working morning
    held.sweep(local(2027, 8, 9, 9, 30))
    (reminder,) = messages_to(held, COORDINATOR, "not marked received")
    assert reminder["text"] == "CP9 for CP-2027-0142: not marked received (due Fri 6 Aug 2027)"
    assert "Sent by <@U0CHAIR> on Tue 3 Aug 2027." in text_of(reminder)
    held.at(local(2027, 8, 9, 10, 0))
    assert answer_to(held, press(held, COORDINATOR, reminder, "Mark CP9 received")).startswith("Done:")
    assert obligations(held, "cp9_received") == {"": ("discharged", COORDINATOR, None)}
    held.dispatch()
    assert buttons(messages_to(held, COORDINATOR, "not marked received")[0]) == {}
    held.sweep(local(2027, 8, 16, 9, 0))
    assert len(messages_to(held, COORDINATOR, "not marked received")) == 1


def test_a_cp9_marked_received_before_it_was_marked_sent_is_owed_by_nobody_and_chased_no_more(held):
    held.at(local(2027, 8, 3, 10, 0))
    coordinator = message_to(held, COORDINATOR, "CP9 due for CP-2027-0142")
    assert answer_to(held, press(held, COORDINATOR, coordinator, "Mark CP9 received")).startswith("Done:")
    assert obligations(held, "cp9_sent") == {"": ("discharged", COORDINATOR, None)}
    for day in (4, 6, 9, 10):
        held.sweep(local(2027, 8, day, 9, 0))
    assert len(messages_to(held, CHAIR, "CP9 for CP-2027-0142")) == 1  # only the first, when it was recorded
    assert messages_to(held, COORDINATOR, "not marked received") == []
