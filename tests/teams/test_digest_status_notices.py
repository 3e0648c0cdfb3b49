"""The coordinator's digest, status and help, and the not-in-Teams-yet notices, over real HTTP on both engines."""

from __future__ import annotations

import json
from datetime import datetime

from bot.notices import NoticeKind
from bot.services.digest import send_daily_digests
from teams.cards.check import problems
from teams.renderers import NOT_IN_TEAMS_YET, teams_renderers
from tests.teams.conftest import CHAIR, CHANNEL, MEMBER, TEAM
from tests.teams.steps import LONDON, cards_in, known_to_teams, recorded

COORD_CHAT, ADMIN_CHAT = "a:personal-coord", "a:personal-admin"


def test_every_notice_kind_has_a_teams_card_or_is_deliberately_not_in_teams_yet():
    shown = teams_renderers().kinds()

    assert shown | NOT_IN_TEAMS_YET == {str(k) for k in NoticeKind}
    assert shown & NOT_IN_TEAMS_YET == frozenset()


def test_the_digest_reaches_the_coordinator_as_one_card_within_28_kb_with_its_counts(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.clock.set(datetime(2027, 6, 1, 9, 0, tzinfo=LONDON))  # the CP9 is overdue by now

    send_daily_digests(uow_factory=teams_bot.services.uow_factory, now=teams_bot.clock.now())
    teams_bot.dispatch()

    [digest] = [c for c in cards_in(teams_bot, COORD_CHAT) if "digest" in c["fallbackText"].lower()]
    assert len(json.dumps(digest).encode()) <= 28 * 1024
    assert "CP9" in json.dumps(digest) and "CP-2027-0142" in json.dumps(digest)


def test_status_in_the_case_channel_is_answered_to_the_asker_alone_with_what_slack_shows(teams_bot):
    known_to_teams(teams_bot)
    recorded(teams_bot)
    teams_bot.fake.calls.clear()

    status, _ = teams_bot.post(teams_bot.activities.channel_mention(CHAIR, "status", team_id=TEAM, channel_id=CHANNEL))

    assert status == 200
    [reply] = teams_bot.fake.sent()
    assert reply.body["recipient"]["id"] == CHAIR[0] and reply.body["recipient"].get("isTargeted") is True
    shown = reply.text
    assert "Core group CP-2027-0142" in shown and "Plan copies" in shown and "CP9" in shown
    [card] = [a["content"] for a in reply.body["attachments"]]
    assert problems(card) == []


def test_status_in_the_1to1_chat_points_to_the_case_channel(teams_bot):
    known_to_teams(teams_bot)

    teams_bot.post(teams_bot.activities.message(MEMBER, "status"))

    [reply] = teams_bot.fake.sent()
    assert reply.conversation == "a:personal-hv" and "case's channel" in reply.text


def test_a_notice_not_in_teams_yet_is_not_dropped_the_admins_are_told(teams_bot):
    known_to_teams(teams_bot)
    with teams_bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        uow.outbox.enqueue(
            key="letter-1",
            kind=NoticeKind.LETTER_DETAILS_NEEDED,
            recipient=CHAIR[1],
            now=teams_bot.clock.now(),
            case_id=case.id,
            payload={"reference": "CP-2027-0142"},
        )
        uow.commit()

    teams_bot.dispatch()
    teams_bot.dispatch()

    [told] = cards_in(teams_bot, ADMIN_CHAT)
    assert "not_in_teams_yet" in told["fallbackText"] and "not in Teams yet" in json.dumps(told)
