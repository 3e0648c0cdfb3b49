"""A busy conversation's reference is not rewritten on every message, yet a chat marked inactive comes back at once."""

from __future__ import annotations

from bot.notices import NoticeKind
from tests.teams.conftest import MEMBER


def test_a_chat_marked_inactive_by_a_refused_send_is_active_again_as_soon_as_the_person_writes(teams_bot):
    teams_bot.post(teams_bot.activities.message(MEMBER, "help"))  # the reference written (and remembered)
    teams_bot.fake.block_writes_next("a:personal-hv")
    with teams_bot.services.uow_factory() as uow:
        uow.outbox.enqueue(
            key="blocked",
            kind=NoticeKind.DELIVERY_FAILED,
            recipient=MEMBER[1],
            now=teams_bot.clock.now(),
            payload={"kind": "plan_copy", "recipient": MEMBER[1], "error": "x"},
            platform="teams",
        )
        uow.commit()
    teams_bot.dispatch()
    assert ("a:personal-hv", "personal", "inactive", MEMBER[1]) in teams_bot.refs()

    teams_bot.post(teams_bot.activities.message(MEMBER, "help"))  # unchanged, seconds later: still written

    assert ("a:personal-hv", "personal", "active", MEMBER[1]) in teams_bot.refs()
