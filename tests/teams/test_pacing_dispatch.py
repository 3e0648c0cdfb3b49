"""The dispatcher paces Teams as Microsoft asks: 300 notices to 5 conversations over the fake Bot Connector, which
holds every conversation to Teams' windows, refuses some sends on purpose, and says when each send reached it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from bot.dispatch import dispatch_pending
from bot.notices import NoticeKind
from store.models import OutboxMessage
from tests.teams.conftest import ADMIN

PEOPLE = [(f"29:p{n}", f"d000000{n}-0000-4000-8000-00000000000{n}") for n in range(1, 7)]
BLOCKED = PEOPLE[5]  # removed the app: Teams answers 403 MessageWritesBlocked


class VirtualTime:
    """The dispatcher's monotonic clock and sleep, and the bot's clock, moving together without waiting."""

    def __init__(self, teams_bot) -> None:
        self.teams_bot, self.now = teams_bot, 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.teams_bot.clock.advance(timedelta(seconds=seconds))


def _conversation(person) -> str:
    return f"a:personal-{person[0].removeprefix('29:')}"


def _enqueue(teams_bot, person, n: int) -> None:
    with teams_bot.services.uow_factory() as uow:
        uow.outbox.enqueue(
            key=f"reminder-{n}",
            kind=NoticeKind.MEETING_REMINDER,
            recipient=person[1],
            now=teams_bot.clock.now(),
            payload={
                "reference": f"CP-2027-{n:04d}",
                "starts_at": "2027-05-24T09:00:00+00:00",
                "timezone": "Europe/London",
                "working_days_before": 2,
            },
            platform="teams",
        )
        uow.commit()


def _rows(teams_bot) -> list[OutboxMessage]:
    with teams_bot.services.uow_factory() as uow:
        rows = list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        uow.session.expunge_all()
        return rows


def _dispatch_until_done(teams_bot, time: VirtualTime) -> int:
    """Dispatch passes, a second apart, until nothing is pending; how many passes it took."""
    runtime = teams_bot.runtime
    for passes in range(1, 200):
        dispatch_pending(
            uow_factory=teams_bot.services.uow_factory,
            senders=runtime.senders,
            pacers=runtime.pacers,
            now=teams_bot.clock.now(),
            clock=teams_bot.clock.now,
            monotonic=time.monotonic,
            sleep=time.sleep,
        )
        if all(row.status != "pending" for row in _rows(teams_bot)):
            return passes
        time.sleep(1.0)
    raise AssertionError("the outbox never emptied")


def test_300_notices_to_5_conversations_arrive_once_each_within_teams_limits_whatever_teams_answers(teams_bot):
    fake, time = teams_bot.fake, VirtualTime(teams_bot)
    teams_bot.import_organisation()  # its admins are the ones told of a failed delivery
    with teams_bot.services.uow_factory() as uow:  # what the import itself announces is not this test's
        uow.session.execute(delete(OutboxMessage))
        uow.commit()
    for person in [*PEOPLE, ADMIN]:
        teams_bot.post(teams_bot.activities.installation_update(person))
    fake.calls.clear()
    fake.limit_conversations(clock=time.monotonic)
    busy = PEOPLE[:5]
    for n in range(300):
        _enqueue(teams_bot, busy[n % 5], n)
    for n in range(300, 303):
        _enqueue(teams_bot, BLOCKED, n)
    fake.fail_next("POST", _conversation(busy[0]), 429, Retry_After="3")
    fake.fail_next("POST", _conversation(busy[1]), 412)
    fake.fail_next("POST", _conversation(busy[2]), 502)
    fake.fail_next("POST", _conversation(busy[3]), 504)
    fake.block_writes_next(_conversation(BLOCKED))

    _dispatch_until_done(teams_bot, time)

    # Nothing lost, nothing twice: every notice reached its person's chat exactly once.
    delivered = [c for c in fake.sent() if c.status == 200]
    for person in busy:
        texts = [c.text for c in delivered if c.conversation == _conversation(person)]
        assert len(texts) == 60 and len(set(texts)) == 60
    assert {c.text.split(" for ")[1].split(" ")[0] for c in delivered if "Reminder" in c.text} == {
        f"CP-2027-{n:04d}" for n in range(300)
    }
    # No conversation was ever sent more than Teams allows: the fake refused nothing it was not told to.
    assert fake.window_refusals == []
    # The 429's Retry-After was waited out before that conversation heard from the bot again.
    first = [c for c in fake.sent(_conversation(busy[0]))]
    refused = next(i for i, c in enumerate(first) if c.status == 429)
    assert first[refused + 1].at >= first[refused].at + 3
    # 412, 502 and 504 were tried again (after a backoff) and went through.
    for person, status in zip(busy[1:4], (412, 502, 504), strict=True):
        calls = fake.sent(_conversation(person))
        failed = next(i for i, c in enumerate(calls) if c.status == status)
        assert calls[failed].text in [c.text for c in calls[failed + 1 :] if c.status == 200]
    # The person who removed the app: one try, then failed at once; the admins are told of each notice.
    assert [c.status for c in fake.sent(_conversation(BLOCKED))] == [403]
    rows = _rows(teams_bot)
    blocked = [r for r in rows if r.recipient == BLOCKED[1]]
    assert [(r.status, r.attempts) for r in blocked] == [("failed", 1)] * 3
    assert {r.last_error for r in blocked} == {"MessageWritesBlocked", "conversation_inactive"}
    told = [c for c in fake.sent(_conversation(ADMIN)) if c.status == 200]
    assert len(told) == 3 and all("could not be delivered" in c.text for c in told)
    assert all(r.status == "sent" for r in rows if r.recipient != BLOCKED[1])
