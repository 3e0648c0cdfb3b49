"""A request nobody decides is chased by the sweep: reminded, then escalated, counting working time only.

The test organisation is Scottish (south-ayrshire profile) with a closure day on Wed 29 Dec 2027.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from bot.organisation import calendar_for
from tests.slack.request_steps import approve, buttons, dms, local, make_request, text_of

FRIDAY = local(2027, 7, 30, 14, 0)


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def with_buttons(bot, user: str) -> list[dict]:
    return [m for m in dms(bot, user) if buttons(m)]


def audit_actions(bot) -> list[tuple[str, str | None, str | None, str | None]]:
    with bot.services.uow_factory() as uow:
        return [
            (e.action, e.actor, e.on_behalf_of, e.detail.get("to"))
            for e in uow.audit.list()
            if e.action.startswith("request.")
        ]


def test_the_dates_used_here_are_what_the_scottish_calendar_says(case_bot):
    with case_bot.services.uow_factory() as uow:
        calendar = calendar_for(uow.organisations.get_by_name("South Ayrshire Council"))
    assert not calendar.is_working_day(date(2027, 8, 2))  # Scottish summer bank holiday
    assert [calendar.is_working_day(date(2027, 12, d)) for d in range(24, 32)] == [
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]  # Christmas substitutes, then the closure day


def test_a_routine_request_waits_out_the_weekend_and_bank_holiday_then_reminds_then_goes_to_the_coordinator(case_bot):
    make_request(case_bot, at=FRIDAY)
    for moment in (local(2027, 7, 31, 14, 0), local(2027, 8, 2, 16, 0), local(2027, 8, 3, 13, 59)):
        case_bot.sweep(moment)
    assert len(dms(case_bot, "U0TL")) == 1 and dms(case_bot, "U0COORD") == []

    case_bot.sweep(local(2027, 8, 3, 14, 0))
    case_bot.sweep(local(2027, 8, 3, 14, 30))  # a second pass sends nothing more
    original, reminder = dms(case_bot, "U0TL")
    assert reminder["text"].startswith("Reminder: a request for an additional meeting is waiting for your decision")
    assert buttons(reminder) == {"Approve": "request.approve", "Refuse": "request.refuse"}
    assert "*Asked by:* <@U0HV> on Fri 30 Jul 2027, 14:00" in text_of(reminder)

    case_bot.sweep(local(2027, 8, 4, 14, 0))
    (escalated,) = dms(case_bot, "U0COORD")
    assert escalated["text"].startswith("Escalated to you: a request for an additional meeting nobody has decided")
    assert "Waiting on the team leader <@U0TL>; you can decide it instead." in text_of(escalated)
    assert len(dms(case_bot, "U0TL")) == 2

    approve(
        case_bot, user="U0COORD", message=escalated, day="2027-08-06", at_time="10:00", when=local(2027, 8, 4, 15, 0)
    )
    case_bot.dispatch()
    assert with_buttons(case_bot, "U0TL") == [] and with_buttons(case_bot, "U0COORD") == []
    assert "Approved by <@U0COORD> on Wed 4 Aug 2027, 15:00" in text_of(dms(case_bot, "U0HV")[-1])
    assert audit_actions(case_bot) == [
        ("request.requested", "U0HV", None, None),
        ("request.routed", "U0TL", None, "U0TL"),
        ("request.reminded", "coregroup", None, "U0TL"),
        ("request.escalated", "coregroup", None, "U0COORD"),
        ("request.routed", "U0COORD", None, "U0COORD"),
        ("request.decided", "U0COORD", None, None),
    ]
    case_bot.sweep(local(2027, 8, 9, 9, 0))
    assert len(dms(case_bot, "U0TL")) == 2 and len(dms(case_bot, "U0COORD")) == 1


def test_at_christmas_the_clock_stops_for_the_holidays_and_the_closure_day_and_escalation_goes_to_the_delegate(
    case_bot,
):
    make_request(case_bot, at=local(2027, 12, 24, 14, 0))
    for day in (27, 28, 29):
        case_bot.sweep(local(2027, 12, day, 16, 0))
    assert len(dms(case_bot, "U0TL")) == 1

    case_bot.sweep(local(2027, 12, 30, 14, 0))
    assert dms(case_bot, "U0TL")[-1]["text"].startswith("Reminder:")
    # The team leader goes on leave after the reminder, naming a delegate.
    case_bot.at(local(2027, 12, 30, 15, 0))
    case_bot.slack.slash_command(
        command="/core-group", text="delegate <@U0DEP|deputy> until 2028-01-07", user_id="U0TL", channel_id="C0CASE142"
    )
    case_bot.fake.wait_for("response_url")

    case_bot.sweep(local(2027, 12, 31, 13, 59))
    assert with_buttons(case_bot, "U0DEP") == []
    case_bot.sweep(local(2027, 12, 31, 14, 0))
    (escalated,) = with_buttons(case_bot, "U0DEP")
    assert "You have this as delegate for <@U0TL> (team leader)." in text_of(escalated)
    assert dms(case_bot, "U0COORD") == []
    assert ("request.routed", "U0DEP", "U0TL", "U0DEP") in audit_actions(case_bot)


def test_an_urgent_request_is_chased_after_two_working_hours_and_escalated_after_four(case_bot):
    make_request(case_bot, at=local(2027, 7, 30, 16, 0), urgency="urgent")
    case_bot.sweep(local(2027, 8, 3, 9, 59))
    assert len(dms(case_bot, "U0TL")) == 1
    case_bot.sweep(local(2027, 8, 3, 10, 0))
    assert dms(case_bot, "U0TL")[-1]["text"].startswith("Reminder:")
    case_bot.sweep(local(2027, 8, 3, 11, 59))
    assert dms(case_bot, "U0COORD") == []
    case_bot.sweep(local(2027, 8, 3, 12, 0))
    (escalated,) = dms(case_bot, "U0COORD")
    assert ":rotating_light: Urgent" in text_of(escalated)
    with case_bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="request.escalated")
        assert event.detail["why"] == "not decided within 4 working hours"


def test_the_sweep_command_replays_a_moment_from_the_database_alone(case_bot):
    make_request(case_bot, at=FRIDAY)
    case_bot.runtime.close()  # no bot is running: the command alone dispatches (beside a replica it would not)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL"))}
    environment.update(
        DATABASE_URL=case_bot.engine.url.render_as_string(hide_password=False),
        SLACK_BOT_TOKEN="xoxb-test-token-not-real",
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_URL=case_bot.fake.api_url,
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sweep", "--now", "2027-08-03T13:00:00+00:00"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Tue 3 Aug, 14:00: the reminder, the chair's chase for the first meeting (24 May), never recorded, and (it
    # is past 09:00 on a working day) the coordinator's daily digest.
    assert "3 notices enqueued" in result.stdout and "sent request_decision to U0TL" in result.stdout
    assert "sent meeting_to_record to U0CHAIR" in result.stdout
    assert "sent coordinator_digest to U0COORD" in result.stdout
    assert dms(case_bot, "U0TL")[-1]["text"].startswith("Reminder:")
    assert "bruising" not in result.stdout + result.stderr
