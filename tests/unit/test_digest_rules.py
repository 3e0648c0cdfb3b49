"""The coordinator's digest as pure rules: when it is due, its key, its order and counts, and its Slack message
staying within Slack's limits however long it is."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from bot.digest import Digest, DigestItem, assemble_digest, digest_day, digest_key
from bot.policy import load_policy
from handlers.blocks.digest import build_digest_message
from sandbox.block_limits import block_problems

LONDON = ZoneInfo("Europe/London")
SCOTLAND = WorkingCalendar(nation="scotland", closure_days=[date(2027, 12, 29)])
POLICY = load_policy("south-ayrshire")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def item(ref: str, since: date, summary: str = "Meeting overdue") -> DigestItem:
    return DigestItem(ref, f"C{ref[-4:]}", summary, since, ("U0CHAIR",))


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(2027, 5, 17, 8, 59), None),  # a Monday, before 09:00
        (at(2027, 5, 17, 9, 0), date(2027, 5, 17)),
        (at(2027, 5, 17, 23, 30), date(2027, 5, 17)),  # a sweep late in the day still sends that day's
        (at(2027, 5, 22, 9, 0), None),  # Saturday
        (at(2027, 5, 31, 9, 0), None),  # Scotland's spring bank holiday
        (at(2027, 12, 29, 10, 0), None),  # the organisation's closure day
        (at(2027, 11, 1, 9, 0), date(2027, 11, 1)),  # 09:00 follows GMT after the clocks change
    ],
)
def test_the_digest_is_due_from_nine_local_on_working_days_only(moment, expected):
    assert digest_day(moment, calendar=SCOTLAND, policy=POLICY) == expected


def test_nine_oclock_is_local_time_in_summer_and_winter():
    assert digest_day(datetime(2027, 6, 1, 7, 59, tzinfo=timezone.utc), calendar=SCOTLAND, policy=POLICY) is None
    assert digest_day(datetime(2027, 6, 1, 8, 0, tzinfo=timezone.utc), calendar=SCOTLAND, policy=POLICY) == date(
        2027, 6, 1
    )
    assert digest_day(datetime(2027, 12, 1, 8, 59, tzinfo=timezone.utc), calendar=SCOTLAND, policy=POLICY) is None


def test_the_key_is_digest_organisation_and_local_date():
    assert digest_key(3, date(2027, 5, 17)) == "digest:3:2027-05-17"


def test_items_come_oldest_first_and_cases_with_nothing_overdue_are_on_time():
    digest = assemble_digest(
        organisation="South Ayrshire Council",
        day=date(2027, 6, 2),
        open_cases=3,
        overdue_cases=2,
        items={
            "meetings": [item("CP-2027-0002", date(2027, 6, 1)), item("CP-2027-0001", date(2027, 5, 20))],
            "cp9": [item("CP-2027-0002", date(2027, 5, 28), "CP9 overdue")],
        },
    )
    assert [s.key for s in digest.sections][:2] == ["cp9", "escalations"]
    meetings = next(s for s in digest.sections if s.key == "meetings")
    assert [i.reference for i in meetings.items] == ["CP-2027-0001", "CP-2027-0002"]
    assert (digest.total, digest.on_time) == (3, 1)
    assert digest.headline() == "3 things need you today — 1 case on time"


def test_an_empty_digest_says_nothing_needs_you_and_how_many_cases_are_on_time():
    digest = assemble_digest(organisation="X", day=date(2027, 6, 2), open_cases=14, overdue_cases=0, items={})
    assert digest.empty and digest.headline() == "Nothing needs you today — 14 cases on time"


def test_an_unknown_section_is_a_programming_error():
    with pytest.raises(ValueError):
        assemble_digest(organisation="X", day=date(2027, 6, 2), open_cases=0, overdue_cases=0, items={"gossip": []})


def test_a_digest_survives_its_outbox_payload():
    digest = assemble_digest(
        organisation="X",
        day=date(2027, 6, 2),
        open_cases=1,
        overdue_cases=1,
        items={"letters": [item("CP-2027-0001", date(2027, 5, 3), "Letter not sent")]},
    )
    assert Digest.from_payload(digest.to_payload()) == digest


def test_two_thousand_items_are_summarised_within_fifty_blocks_of_at_most_three_thousand_characters():
    items = {
        key: [
            item(f"CP-2027-{n:04d}", date(2027, 1, 1 + n % 28), f"{key} item number {n} " + "x" * 60)
            for n in range(250)
        ]
        for key in (
            "cp9",
            "escalations",
            "referrals",
            "letters",
            "plan_copies",
            "meetings",
            "requests",
            "deregistrations",
        )
    }
    digest = assemble_digest(organisation="X", day=date(2027, 6, 2), open_cases=0, overdue_cases=0, items=items)
    text, blocks = build_digest_message({**digest.to_payload(), "on_behalf_of": "U0COORD"})
    assert block_problems(blocks, max_blocks=50, pointer="/blocks") == []
    shown = "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")
    assert text == "Coordinator digest for Wed 2 Jun 2027: 2000 things need you today — 0 cases on time"
    assert all(f"*{title}* (250)" in shown for title in ("CP9s due and overdue", "Post-deregistration meetings missed"))
    assert "more (the oldest are shown first)_" in shown
    assert "CP-2027-0000" in shown  # the oldest of each section is always shown
