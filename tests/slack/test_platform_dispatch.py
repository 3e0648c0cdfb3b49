"""Each outbox row says its platform, and the dispatcher sends it with that platform's sender: a Teams
organisation's notices never reach Slack, wait (not lost, not failed) while the bot has no Teams sender, and
Slack's rate limits never hold up Teams."""

from __future__ import annotations

from datetime import timedelta

from bot.dispatch import Delivery, dispatch_pending
from bot.notices import NoticeKind
from bot.pacing import Pacer
from tests.harness import CASE, organisation_file
from tests.slack.meeting_steps import local
from tests.teams.conftest import CHANNEL, teams_organisation_file

START = local(2027, 5, 17, 10, 0)
TEAMS_ORG = teams_organisation_file()


class RecordingTeamsSender:
    """A stand-in Teams surface (the real one is another issue's): records what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def send(self, *, kind, recipient, payload, replaces):
        self.sent.append((kind, recipient, payload))
        return Delivery(channel=recipient, ts=f"activity-{len(self.sent)}")


def rows(bot):
    with bot.services.uow_factory() as uow:
        return [(m.kind, m.recipient, m.platform, m.status) for m in uow.outbox.list()]


def test_an_organisation_on_slack_has_its_notices_marked_slack(bot):
    bot.import_organisation()
    assert rows(bot) and {platform for _, _, platform, _ in rows(bot)} == {"slack"}


def test_a_teams_organisation_s_notices_wait_for_a_teams_sender_and_never_reach_slack(bot):
    bot.import_organisation(TEAMS_ORG)
    bot.at(START)
    report = bot.dispatch()
    assert bot.fake.calls_to("chat.postMessage") == []
    waiting = rows(bot)
    assert waiting and all(platform == "teams" and status == "pending" for _, _, platform, status in waiting)
    assert report.no_sender == {"teams": len(waiting)} and report.failed == [] and report.sent == []


def test_once_a_teams_sender_is_configured_the_waiting_notices_go_through_it(bot):
    bot.import_organisation(TEAMS_ORG)
    bot.at(START)
    bot.dispatch()
    teams = RecordingTeamsSender()
    bot.runtime.senders["teams"] = teams
    report = bot.dispatch()
    assert [kind for kind, _, _ in teams.sent] == [NoticeKind.MEETING_SCHEDULED]
    assert teams.sent[0][1] == CHANNEL and teams.sent[0][2]["reference"] == "CP-2027-0142"
    assert report.no_sender == {} and len(report.sent) == 1
    assert bot.fake.calls_to("chat.postMessage") == []
    assert {status for *_, status in rows(bot)} == {"sent"}


def test_a_slack_rate_limit_does_not_hold_up_teams(bot):
    slack_case = dict(CASE, reference="CP-2027-0200", channel="C0CASE200")
    bot.import_organisation(organisation_file(cases=[slack_case]))
    teams_org = teams_organisation_file()
    teams_org["organisation"]["name"] = "Teams Council"
    bot.import_organisation(teams_org)
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=30)
    teams = RecordingTeamsSender()
    report = dispatch_pending(
        uow_factory=bot.services.uow_factory,
        senders={"slack": bot.runtime.sender, "teams": teams},
        now=START,
        pacers={"slack": Pacer(), "teams": Pacer()},
    )
    assert len(teams.sent) == 1 and report.rate_limited == 1 and len(report.retrying) == 1
    assert bot.fake.calls_to("chat.postMessage")[0].params["channel"] == "C0CASE200"
    assert (
        len(
            dispatch_pending(
                uow_factory=bot.services.uow_factory, sender=bot.runtime.sender, now=START + timedelta(seconds=30)
            ).sent
        )
        == 1
    )
