"""The coordinator's daily digest end to end: `sweep(now)` at the digest time on working days, one a day, what it
lists (oldest first, each case linked to its channel, counts per section), its delegate, and a digest long
enough to break Slack's limits if it were not packed."""

from __future__ import annotations

import pytest

from bot.services.delegates import set_delegate
from tests.harness import CASE, organisation_file
from tests.slack.coordinator_steps import COORDINATOR, digests, open_home, text_of, the_digest
from tests.slack.meeting_steps import local
from tests.slack.receipt_steps import case_meeting_at, record_meeting
from tests.slack.request_steps import click, dms, make_request, refuse

MEETING = local(2027, 5, 24, 10, 0)  # Mon 24 May 2027: plan copies due Tue 1 Jun (31 May is a Scottish holiday)
RECORDED = local(2027, 5, 24, 11, 30)


@pytest.fixture
def org_bot(bot):
    bot.at(local(2027, 5, 14, 12, 0))  # Fri 14 May 2027
    bot.import_organisation()
    bot.dispatch()
    return bot


def test_an_empty_digest_is_still_sent_at_nine_saying_nothing_needs_you(org_bot):
    org_bot.sweep(local(2027, 5, 17, 8, 59))
    assert digests(org_bot) == []
    org_bot.sweep(local(2027, 5, 17, 9, 0))
    digest = the_digest(org_bot)
    assert digest["text"] == "Nothing needs you today — 1 case on time (Mon 17 May 2027)"
    assert digest["blocks"][0]["text"]["text"] == "Coordinator digest — Mon 17 May 2027"
    assert "*Nothing needs you today — 1 case on time.*" in text_of(digest)


def test_exactly_one_digest_a_working_day_however_often_the_sweep_runs(org_bot):
    for moment in (
        local(2027, 5, 17, 9, 0),
        local(2027, 5, 17, 9, 1),
        local(2027, 5, 17, 13, 0),
        local(2027, 5, 17, 23, 59),
    ):
        org_bot.sweep(moment)
    assert len(digests(org_bot)) == 1
    org_bot.sweep(local(2027, 5, 18, 9, 5))
    assert [d["text"][-17:] for d in digests(org_bot)] == ["(Mon 17 May 2027)", "(Tue 18 May 2027)"]
    with org_bot.services.uow_factory() as uow:
        assert [m.idempotency_key for m in uow.outbox.list(kind="coordinator_digest")] == [
            f"digest:{uow.organisations.list()[0].id}:2027-05-17",
            f"digest:{uow.organisations.list()[0].id}:2027-05-18",
        ]


def test_no_digest_on_a_weekend_a_bank_holiday_or_a_closure_day_and_the_next_working_day_has_one(org_bot):
    org_bot.sweep(local(2027, 5, 28, 9, 0))  # Fri
    for moment in (
        local(2027, 5, 29, 9, 0),
        local(2027, 5, 30, 12, 0),  # Sat, Sun
        local(2027, 5, 31, 9, 30),
    ):  # Mon 31 May: Scotland's spring bank holiday
        org_bot.sweep(moment)
    assert [d["text"][-17:] for d in digests(org_bot)] == ["(Fri 28 May 2027)"]
    org_bot.sweep(local(2027, 6, 1, 9, 0))  # Tue 1 Jun (the meeting of 24 May, never recorded, is now listed)
    assert "Tue 1 Jun 2027" in digests(org_bot)[-1]["text"]
    org_bot.sweep(local(2027, 12, 29, 9, 0))  # the organisation's own closure day
    assert not any("29 Dec" in d["text"] for d in digests(org_bot))


def test_the_digest_lists_what_needs_the_coordinator_with_counts_and_channel_links(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED, answers={"meeting.flags": ["significant_amendment", "institution"]})
    make_request(bot, at=local(2027, 5, 25, 9, 30))
    (decision,) = dms(bot, "U0TL")
    refuse(bot, user="U0TL", message=decision, reason="Covered at the next meeting", when=local(2027, 5, 25, 11, 0))
    bot.dispatch()
    refusal = [m for m in dms(bot, "U0HV") if "Ask the coordinator" in str(m["blocks"])][0]
    click(bot, user="U0HV", message=refusal, label="Ask the coordinator", at=local(2027, 5, 26, 10, 0))
    bot.fake.wait_for("response_url")
    bot.sweep(local(2027, 6, 2, 9, 0))  # Wed 2 Jun 2027
    digest = the_digest(bot)
    shown = text_of(digest)
    assert digest["text"] == "Coordinator digest for Wed 2 Jun 2027: 5 things need you today — 0 cases on time"
    assert (
        "CP9s due and overdue: *1* · Escalations waiting for you: *1* · Referred for significant amendment of "
        "the plan: *1* · Institution letters not yet sent: *1* · Plan copies overdue: *1*"
    ) in shown
    assert (
        "• *CP-2027-0142* <#C0CASE142> — CP9 overdue by 5 days: due Fri 28 May 2027 (meeting of Mon 24 May 2027), "
        "not marked sent — <@U0CHAIR>"
    ) in shown
    assert (
        "• *CP-2027-0142* <#C0CASE142> — Refused request for an additional meeting (deepening concerns, routine): "
        "the member asked you to review it on Wed 26 May 2027 — <@U0HV>"
    ) in shown
    assert (
        "• *CP-2027-0142* <#C0CASE142> — The meeting of Mon 24 May 2027 found the plan needs significant "
        "amendment: referred to the Co-ordinator, Children Services, not answered, overdue since Thu 27 May 2027 "
        "— <@U0COORD>"
    ) in shown
    assert "Institution letter: details awaited from the chair since Mon 24 May 2027 — <@U0CHAIR>" in shown
    assert "5 plan copies overdue by 1 day: due Tue 1 Jun 2027 (meeting of Mon 24 May 2027) — <@U0CHAIR>" in shown
    assert "Father" not in shown and "Mother" not in shown  # people without Slack are never in the digest


def test_items_in_a_section_come_oldest_first(bot):
    cases = [
        dict(CASE, reference=f"CP-2027-01{n}", channel=f"C0CASE1{n}", first_meeting=None, registered_on=registered)
        for n, registered in (("50", "2027-05-12"), ("51", "2027-05-03"))
    ]
    bot.at(local(2027, 5, 3, 12, 0))
    bot.import_organisation(organisation_file(cases=cases))
    # First meetings due 15 days after the CPPM (para 3.137): Tue 18 May (overdue) and Thu 27 May (not yet).
    bot.sweep(local(2027, 5, 26, 9, 0))
    shown = text_of(the_digest(bot))
    assert "*Meetings overdue or not scheduled* (2)" in shown
    older = shown.index("CP-2027-0151* <#C0CASE151> — Meeting overdue: due by Tue 18 May 2027, nothing scheduled")
    newer = shown.index("CP-2027-0150* <#C0CASE150> — Meeting not scheduled yet: due by Thu 27 May 2027")
    assert older < newer


def test_while_the_coordinator_is_away_their_delegate_gets_the_digest(org_bot):
    with org_bot.services.uow_factory() as uow:
        set_delegate(
            uow=uow,
            now=org_bot.clock.now(),
            principal=COORDINATOR,
            delegate="U0DEP",
            until=local(2027, 5, 21, 0, 0).date(),
        )
        uow.commit()
    org_bot.sweep(local(2027, 5, 17, 9, 0))
    assert digests(org_bot) == []
    digest = the_digest(org_bot, "U0DEP")
    assert "You have this as delegate for <@U0COORD> (Co-ordinator, Children Services) while they are away." in text_of(
        digest
    )
    org_bot.sweep(local(2027, 5, 24, 9, 0))  # back from leave
    assert [d["text"][-17:] for d in digests(org_bot)] == ["(Mon 24 May 2027)"]


def test_a_digest_of_hundreds_of_items_is_packed_within_slacks_limits(bot):
    cases = [
        dict(
            CASE, reference=f"CP-2027-{n:04d}", channel=f"C0BIG{n:04d}", first_meeting=None, registered_on="2027-04-01"
        )
        for n in range(1, 321)
    ]
    bot.at(local(2027, 4, 1, 12, 0))
    bot.import_organisation(organisation_file(cases=cases))
    bot.at(local(2027, 4, 26, 9, 0))  # every first meeting is overdue (due Fri 16 Apr: 15 days after the CPPM)
    bot.runtime.sweep()
    with bot.services.uow_factory() as uow:  # the chair's 640 DMs about them are not this test's business
        for message in uow.outbox.list(status="pending"):
            message.status = "sent" if message.kind != "coordinator_digest" else message.status
        uow.commit()
    mark = bot.fake.mark()
    bot.dispatch()
    (posted,) = [c for c in bot.fake.calls_to("chat.postMessage", since=mark) if c.params.get("channel") == COORDINATOR]
    assert posted.ok, posted.response
    digest = the_digest(bot)
    assert digest["text"] == "Coordinator digest for Mon 26 Apr 2027: 320 things need you today — 0 cases on time"
    assert len(digest["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in digest["blocks"] if b.get("type") == "section")
    shown = text_of(digest)
    assert "*Meetings overdue or not scheduled* (320)" in shown
    assert shown.count("Meeting overdue: due by Fri 16 Apr 2027, nothing scheduled") == 320
    home = open_home(bot, COORDINATOR)  # the same digest, live on the Home tab, within its 100 blocks
    assert len(home["blocks"]) <= 100
    assert "*Today's digest, live* — 320 things need you today — 0 cases on time" in text_of(home)


def test_a_case_is_on_time_until_something_it_owes_is_overdue_and_the_digest_and_home_list_both_from_the_ledger(bot):
    case_meeting_at(bot, MEETING)
    record_meeting(bot, at=RECORDED)
    bot.sweep(local(2027, 5, 26, 9, 0))  # Wed 26 May: the CP9 falls due on Fri 28 May, nothing is overdue yet
    digest = the_digest(bot)
    assert digest["text"] == "Coordinator digest for Wed 26 May 2027: 1 thing needs you today — 1 case on time"
    assert (
        "• *CP-2027-0142* <#C0CASE142> — CP9 due by Fri 28 May 2027 (meeting of Mon 24 May 2027) — <@U0CHAIR>"
    ) in text_of(digest)
    assert "1 case on time" in text_of(open_home(bot, COORDINATOR))
    bot.sweep(local(2027, 6, 1, 9, 0))  # Tue 1 Jun (31 May is a Scottish holiday): the CP9's overdue rung has come
    digest = digests(bot)[-1]
    assert digest["text"].startswith("Coordinator digest for Tue 1 Jun 2027: ")
    assert digest["text"].endswith(" — 0 cases on time")
    assert (
        "CP9 overdue by 4 days: due Fri 28 May 2027 (meeting of Mon 24 May 2027), not marked sent — <@U0CHAIR>"
    ) in text_of(digest)
    assert "— 0 cases on time" in text_of(open_home(bot, COORDINATOR))
