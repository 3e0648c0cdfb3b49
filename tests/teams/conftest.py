"""The Teams harness: the real bot served over HTTP with its Teams surface, and the fake Bot Connector around it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from sandbox.fake_teams import FakeTeams
from sandbox.teams_activities import ActivityFactory
from teams.config import TeamsSettings
from tests.harness import organisation_yaml

APP_ID = "0b0b0b0b-1111-4222-8333-444455556666"
TENANT_ID = "7e7e7e7e-aaaa-4bbb-8ccc-ddddeeeeffff"
PASSWORD = "test-teams-secret-not-real"
TEAM = "19:teamcp2027x0142@thread.tacv2"
CHANNEL = "19:chancp2027x0142@thread.tacv2"
COORDINATOR = ("29:coord", "c0000000-0000-4000-8000-00000000c00d")
ADMIN = ("29:admin", "a0000000-0000-4000-8000-0000000000ad")
CHAIR = ("29:chair", "c0000000-0000-4000-8000-0000000c4a1e")
TEAM_LEADER = ("29:tl", "10000000-0000-4000-8000-0000000000f1")
MEMBER = ("29:hv", "b0000000-0000-4000-8000-0000000000b1")


def teams_organisation_file() -> dict:
    """The South Ayrshire example as a Teams organisation: Entra object ids and a Teams channel."""
    return {
        "organisation": {
            "name": "South Ayrshire Council",
            "platform": "teams",
            "profile": "south-ayrshire",
            "nation": "scotland",
            "timezone": "Europe/London",
            "coordinator": COORDINATOR[1],
            "admins": [ADMIN[1]],
        },
        "cases": [
            {
                "reference": "CP-2027-0142",
                "team": TEAM,
                "channel": CHANNEL,
                "registered_on": "2027-05-10",
                "first_meeting": "2027-05-24T10:00",
                "chair": CHAIR[1],
                "team_leader": TEAM_LEADER[1],
                "members": [MEMBER[1]],
            }
        ],
    }


class TeamsHarness:
    """`bot.app.build_runtime` with Teams settings pointing at the fake, served by waitress on a free port."""

    def __init__(self, *, engine, fake: FakeTeams) -> None:
        self.engine, self.fake = engine, fake
        self.clock = FixedClock(datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc))
        self.teams_settings = TeamsSettings(
            app_id=APP_ID,
            app_password=PASSWORD,
            tenant_id=TENANT_ID,
            openid_metadata_url=fake.openid_metadata_url,
            login_url=fake.url,
        )
        self.settings = Settings(
            database_url=engine.url.render_as_string(hide_password=False), teams=self.teams_settings
        )
        self.activities = ActivityFactory(service_url=fake.service_url, tenant_id=TENANT_ID, app_id=APP_ID)

    def __enter__(self) -> TeamsHarness:
        from bot.app import build_runtime
        from bot.http_server import BackgroundServer

        self.runtime = build_runtime(self.settings, clock=self.clock, engine=self.engine)
        self.services = self.runtime.services
        self.server = BackgroundServer(self.runtime.wsgi()).start()
        self.url = self.server.url
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self.runtime.close()  # gives up the dispatcher lock (PostgreSQL), so the next test's bot dispatches

    def post(self, activity: dict, **kwargs):
        """Send an activity to the bot as Teams would: (HTTP status, JSON answer)."""
        return self.fake.post_activity(self.url, activity, **kwargs)

    def import_organisation(self, data: dict | None = None):
        from bot.orgfile import parse_organisation_file
        from bot.services.cases import import_organisation
        from bot.strict_yaml import load_yaml_text

        file = parse_organisation_file(load_yaml_text(organisation_yaml(data or teams_organisation_file())))
        with self.services.uow_factory() as uow:
            report = import_organisation(file, uow=uow, now=self.clock.now())
            uow.commit()
        return report

    def refs(self):
        with self.services.uow_factory() as uow:
            return [
                (r.conversation_id, r.conversation_type, r.status, r.user_aad_object_id) for r in uow.teams_refs.all()
            ]

    def dispatch(self):
        return self.runtime.dispatch()


@pytest.fixture
def fake_teams():
    fake = FakeTeams(app_id=APP_ID, tenant_id=TENANT_ID, secret=PASSWORD).start()
    yield fake
    fake.stop()


@pytest.fixture
def teams_bot(engine, fake_teams, monkeypatch):
    """The real bot over HTTP with only Teams configured, on each database engine, talking to the fake Teams."""
    # The SDK reads these when an option is missing; the factory gives every one, so none may leak in from a shell.
    for name in ("CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "CLOUD"):
        monkeypatch.delenv(name, raising=False)
    with TeamsHarness(engine=engine, fake=fake_teams) as harness:
        yield harness
