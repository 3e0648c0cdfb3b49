"""The CP9 end to end: a recorded meeting tells the coordinator it is due within 7 days; the chair marks it sent,
the coordinator marks it received (each message updated in place); reminders and overdue come from `sweep(now)`.
Also the significant-amendment referral, seen from the coordinator's side."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.delegates import set_delegate
from tests.slack.meeting_steps import local, open_modal, text_of
from tests.slack.receipt_steps import (
    CHAIR,
    COORDINATOR,
    ENGLAND,
    answer_to,
    blocks_text,
    buttons,
    case_meeting_at,
    command_reply,
    messages_to,
    press,
    press_and_open,
    record_meeting,
    submit_form,
)

MEETING = local(2027, 7, 30, 10, 0)  # Fri 30 Jul 2027: the CP9 is due by Fri 6 Aug
RECORDED = local(2027, 7, 30, 12, 0)
LINK = "https://records.example.org/cp9/881 <!channel>"


@pytest.fixture
def held(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED)
    return bot


def chair_cp9(bot) -> list[dict]:
    return messages_to(bot, CHAIR, "CP9 for CP-2027-0142")


def coordinator_cp9(bot, user: str = COORDINATOR) -> dict:
    (message,) = messages_to(bot, user, "CP9 due for CP-2027-0142")
    return message


def mark_sent(
    bot, *, on: str = "2027-08-03", note: str | None = None, message: dict | None = None, user: str = CHAIR
) -> str:
    view = press_and_open(bot, user, message or chair_cp9(bot)[0], "Mark CP9 sent")
    answers = {"receipt.cp9_when": on}
    if note is not None:
        answers["receipt.cp9_note"] = note
    errors, said = submit_form(bot, view, answers, user=user)
    assert not errors, errors
    return said


def audit(bot, action: str) -> list:
    with bot.services.uow_factory() as uow:
        return list(uow.audit.list(action=action))


def test_the_coordinator_hears_the_cp9_is_due_by_fri_6_aug_and_the_chair_gets_mark_cp9_sent(held):
    message = coordinator_cp9(held)
    assert message["text"] == "CP9 due for CP-2027-0142 by Fri 6 Aug 2027"
    shown = text_of(message)
    assert (
        "The CP9 for the core group meeting on Fri 30 Jul 2027 is due with you by *Fri 6 Aug 2027* "
        "(7 days after the meeting)."
    ) in shown
    assert "*Chair:* <@U0CHAIR>" in shown
    assert buttons(message) == {"Mark CP9 received": "receipt.cp9_received"}
    (chair,) = chair_cp9(held)
    assert chair["text"] == "Send the CP9 for CP-2027-0142 by Fri 6 Aug 2027"
    assert "to the Co-ordinator, Children Services (<@U0COORD>) by *Fri 6 Aug 2027*" in text_of(chair)
    assert buttons(chair) == {"Mark CP9 sent": "receipt.cp9_sent"}
    assert [e.detail["due_on"] for e in audit(held, "cp9.clock_started")] == ["2027-08-06"]


def test_mark_cp9_sent_takes_a_link_and_updates_both_messages_in_place(held):
    held.at(local(2027, 8, 3, 14, 0))
    said = mark_sent(held, note=LINK)
    assert said == "Done: the CP9 is marked sent on Tue 3 Aug 2027. The coordinator (<@U0COORD>) can see it."
    (chair,) = chair_cp9(held)
    assert buttons(chair) == {} and "Sent by <@U0CHAIR> on Tue 3 Aug 2027." in text_of(chair)
    coordinator = coordinator_cp9(held)
    assert "Sent by <@U0CHAIR> on Tue 3 Aug 2027." in text_of(coordinator)
    # The chair's note is quoted, its link still a link, its attempt at a mention escaped.
    assert "*Where to find it:*\n> <https://records.example.org/cp9/881> &lt;!channel&gt;" in text_of(coordinator)
    assert buttons(coordinator) == {"Mark CP9 received": "receipt.cp9_received"}
    (sent,) = audit(held, "cp9.sent")
    assert (sent.actor, sent.detail["sent_on"], sent.detail["late"], sent.detail["with_note"]) == (
        CHAIR,
        "2027-08-03",
        False,
        True,
    )


def test_a_sent_day_still_to_come_stays_in_the_form(held):
    held.at(local(2027, 8, 3, 14, 0))
    view = press_and_open(held, CHAIR, chair_cp9(held)[0], "Mark CP9 sent")
    errors, _ = submit_form(held, view, {"receipt.cp9_when": "2027-08-04"})
    assert errors == {"receipt.cp9_when": "That day has not come yet: choose the day you sent it."}
    assert audit(held, "cp9.sent") == []


def test_only_the_chair_marks_it_sent_and_only_the_coordinator_marks_it_received_once(held):
    mark = held.fake.mark()
    held.at(local(2027, 8, 3, 14, 0))
    assert answer_to(held, press(held, "U0HV", chair_cp9(held)[0], "Mark CP9 sent")) == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can mark the CP9 sent. "
        "Nothing was changed."
    )
    held.fake.assert_no_call("views.open", since=mark)
    assert answer_to(held, press(held, CHAIR, coordinator_cp9(held), "Mark CP9 received")) == (
        "Only the Co-ordinator, Children Services (<@U0COORD>) or their delegate for the coordinator's work can mark "
        "the CP9 received. "
        "Nothing was changed."
    )
    mark_sent(held)
    held.at(local(2027, 8, 4, 9, 30))
    original = coordinator_cp9(held)
    assert answer_to(held, press(held, COORDINATOR, original, "Mark CP9 received")) == (
        "Done: the CP9 is marked received, and the chair can see it."
    )
    assert answer_to(held, press(held, COORDINATOR, original, "Mark CP9 received")) == (
        "Already marked received by you at 09:30 on Wed 4 Aug 2027."
    )
    held.dispatch()
    assert buttons(coordinator_cp9(held)) == {}
    assert "Marked received by <@U0COORD> on Wed 4 Aug 2027, 09:30." in text_of(coordinator_cp9(held))
    assert "Marked received by <@U0COORD>" in text_of(chair_cp9(held)[0])
    assert command_reply(held, "cp9-sent", user=CHAIR)["text"] == (
        "Already marked received by <@U0COORD> at 09:30 on Wed 4 Aug 2027."
    )
    assert [e.actor for e in audit(held, "cp9.received")] == [COORDINATOR]


def test_the_chair_is_reminded_two_working_days_before_and_on_the_deadline_then_told_it_is_overdue(held):
    for moment in (
        local(2027, 8, 4, 8, 59),
        local(2027, 8, 4, 9, 0),
        local(2027, 8, 4, 9, 0),
        local(2027, 8, 5, 9, 0),
        local(2027, 8, 6, 9, 0),
        local(2027, 8, 6, 9, 30),
        local(2027, 8, 9, 9, 0),
        local(2027, 8, 10, 9, 0),
    ):
        held.sweep(moment)
    assert [m["text"] for m in chair_cp9(held)] == [
        "Send the CP9 for CP-2027-0142 by Fri 6 Aug 2027",
        "CP9 for CP-2027-0142: due by Fri 6 Aug 2027, not sent yet",  # Wed 4 Aug, 2 working days before
        "CP9 for CP-2027-0142: due today, not sent yet",  # Fri 6 Aug
        "CP9 for CP-2027-0142: overdue (due Fri 6 Aug 2027)",  # Mon 9 Aug, the next working morning
    ]
    assert all(buttons(m) == {"Mark CP9 sent": "receipt.cp9_sent"} for m in chair_cp9(held))
    assert [e.detail["occasion"] for e in audit(held, "cp9.reminded")] == ["reminder", "deadline"]
    assert len(audit(held, "cp9.overdue")) == 1
    with held.services.uow_factory() as uow:
        (overdue,) = uow.cp9s.overdue(now=local(2027, 8, 10, 9, 0))
    assert (overdue.reference, overdue.form_name, overdue.due_on, overdue.days_overdue) == (
        "CP-2027-0142",
        "CP9",
        date(2027, 8, 6),
        4,
    )
    held.at(local(2027, 8, 10, 11, 0))
    mark_sent(held, on="2027-08-10", message=chair_cp9(held)[-1])  # from the overdue message
    assert all(buttons(m) == {} for m in chair_cp9(held))  # every button about it is gone
    with held.services.uow_factory() as uow:
        assert uow.cp9s.overdue(now=local(2027, 8, 10, 12, 0)) == []
    assert audit(held, "cp9.sent")[0].detail["late"] is True


def test_a_cp9_marked_sent_is_not_chased(held):
    held.at(local(2027, 8, 2, 10, 0))
    mark_sent(held, on="2027-08-02")
    for moment in (local(2027, 8, 4, 9, 0), local(2027, 8, 6, 9, 0), local(2027, 8, 9, 9, 0)):
        held.sweep(moment)
    assert len(chair_cp9(held)) == 1 and audit(held, "cp9.reminded") == [] and audit(held, "cp9.overdue") == []


def test_a_deadline_on_a_sunday_counts_as_the_friday_before_and_both_dates_are_shown(bot):
    # An English organisation that turns the CP9 on, with its own 9 days.
    case_meeting_at(bot, MEETING, organisation={**ENGLAND, "policy": {"cp9": {"enabled": True, "days": 9}}})
    record_meeting(bot, at=RECORDED)
    shown = text_of(coordinator_cp9(bot))
    assert "is due with you by *Fri 6 Aug 2027* — day 9 after the meeting is Sun 8 Aug 2027, not a working day" in shown
    bot.sweep(local(2027, 8, 4, 9, 0))
    bot.sweep(local(2027, 8, 9, 9, 0))
    assert [m["text"] for m in chair_cp9(bot)][1:] == [
        "CP9 for CP-2027-0142: due by Fri 6 Aug 2027, not sent yet",
        "CP9 for CP-2027-0142: overdue (due Fri 6 Aug 2027)",
    ]
    status = blocks_text(command_reply(bot, "status", user=CHAIR))
    assert (
        "*CP9* — meeting on Fri 30 Jul 2027, due by Fri 6 Aug 2027 (day 9, Sun 8 Aug 2027, is not a working day): "
        "*overdue* — not sent, 3 days late"
    ) in status


def test_a_deadline_on_the_closure_day_counts_as_the_last_working_day_before_christmas(bot):
    case_meeting_at(bot, local(2027, 12, 22, 10, 0))  # day 7 is Wed 29 Dec, the council's closure day
    record_meeting(bot, at=local(2027, 12, 22, 12, 0))
    assert "by *Fri 24 Dec 2027* — day 7 after the meeting is Wed 29 Dec 2027, not a working day" in text_of(
        coordinator_cp9(bot)
    )


def test_while_the_coordinator_is_away_their_delegate_gets_the_cp9_and_can_mark_it_received(bot):
    case_meeting_at(bot, MEETING)
    with bot.services.uow_factory() as uow:
        set_delegate(uow=uow, now=bot.clock.now(), principal=COORDINATOR, delegate="U0DEPCO", until=date(2027, 8, 13))
        uow.commit()
    record_meeting(bot, at=RECORDED)
    delegate_copy, own_copy = coordinator_cp9(bot, "U0DEPCO"), coordinator_cp9(bot)
    assert "You have this as delegate for <@U0COORD> (Co-ordinator, Children Services)." in text_of(delegate_copy)
    assert "Your delegate <@U0DEPCO> has this too" in text_of(own_copy)
    bot.at(local(2027, 8, 5, 9, 0))
    assert answer_to(bot, press(bot, "U0DEPCO", delegate_copy, "Mark CP9 received")).startswith("Done:")
    bot.dispatch()
    assert buttons(coordinator_cp9(bot, "U0DEPCO")) == {} and buttons(coordinator_cp9(bot)) == {}
    (received,) = audit(bot, "cp9.received")
    assert (received.actor, received.on_behalf_of) == ("U0DEPCO", COORDINATOR)


def test_cp9_sent_from_the_case_channel_opens_the_same_form(held):
    view = open_modal(held, "cp9-sent")
    assert view["title"]["text"] == "CP9 sent"
    assert "due with the Co-ordinator, Children Services (<@U0COORD>) by *Fri 6 Aug 2027*" in text_of(
        {"blocks": view["blocks"]}
    )


def test_a_significant_amendment_goes_to_the_coordinator_for_the_review_conference_without_the_records_words(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED, answers={"meeting.flags": ["significant_amendment"]})
    (referral,) = messages_to(bot, COORDINATOR, "significant amendment")
    shown = text_of(referral)
    assert "*Referred for the review conference* — CP-2027-0142" in shown
    assert "*Chair:* <@U0CHAIR> · *Attended:* 4 · *Invited, absent:* 2" in shown
    everything = " ".join(text_of(m) + m["text"] for m in bot.fake.messages(COORDINATOR))
    assert "CAMHS" not in everything and "School attendance" not in everything and "Mother" not in everything
    assert [e.detail["to"] for e in audit(bot, "meeting.referred_to_review")] == [COORDINATOR]
    # The plan and CP9 clocks start for a referred record as for any other.
    assert len(messages_to(bot, COORDINATOR, "CP9 due")) == 1
