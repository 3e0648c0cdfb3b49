"""The test harness: real databases, the real bot served over HTTP, and the fake Slack around it."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import yaml
from sqlalchemy import create_engine, text

from bot.clock import FixedClock
from bot.config import Settings
from store.db import make_engine
from store.migrate import upgrade
from store.models import Base

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token-not-real"

ORGANISATION = {
    "name": "South Ayrshire Council",
    "profile": "south-ayrshire",
    "nation": "scotland",
    "timezone": "Europe/London",
    "coordinator": "U0COORD",
    "closure_days": ["2027-12-29"],
}
CASE = {
    "reference": "CP-2027-0142",
    "channel": "C0CASE142",
    "registered_on": "2027-05-10",
    "first_meeting": "2027-05-24T10:00",
    "chair": "U0CHAIR",
    "team_leader": "U0TL",
    "members": ["U0HV", "U0TEACH", "U0POL"],
    "participants_without_slack": ["Mother", "Father"],
}


def organisation_file(*, organisation: dict | None = None, cases: list[dict] | None = None) -> dict:
    """An organisation file as data: the South Ayrshire example with one case unless told otherwise."""
    return {
        "organisation": {**ORGANISATION, **(organisation or {})},
        "cases": cases if cases is not None else [dict(CASE)],
    }


class _WrittenOut(yaml.SafeDumper):
    """Repeats shared values in full, as an admin would write them: the loader refuses aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def organisation_yaml(data: dict) -> str:
    """An organisation file as its text."""
    return yaml.dump(data, Dumper=_WrittenOut, sort_keys=False)


def write_organisation_file(path, data: dict) -> str:
    path.write_text(organisation_yaml(data))
    return str(path)


def migrated_engine(url: str):
    """An engine whose schema was built by the Alembic migrations (so they are tested too)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def clean_database(engine) -> None:
    """Delete every row, children first, keeping the schema."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def database_snapshot(engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, comparable: to show that a refused operation changed nothing."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in connection.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh database for this test run on the server at `url`, dropped afterwards."""
    name = f"coregroup_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class BotHarness:
    """The bot built by `bot.app.build_runtime`, served by waitress on a free port, with a fixed clock."""

    def __init__(self, *, engine, fake, now: datetime | None = None) -> None:
        from sandbox.slack_sender import SlackSender

        self.engine = engine
        self.fake = fake
        self.clock = FixedClock(now or datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc))
        self.settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            database_url=engine.url.render_as_string(hide_password=False),
        )
        self._sender_cls = SlackSender

    def __enter__(self) -> BotHarness:
        from bot.app import build_runtime
        from bot.http_server import BackgroundServer

        self.runtime = build_runtime(self.settings, clock=self.clock, engine=self.engine)
        self.services = self.runtime.services
        self.server = BackgroundServer(self.runtime.wsgi()).start()
        self.url = self.server.url
        self.slack = self._sender_cls(
            bot_url=f"{self.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            response_url_factory=self.fake.response_url,
        )
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self.runtime.close()

    def import_organisation(self, data: dict | None = None) -> Any:
        """Register the organisation and its cases as `coregroup cases import` would."""
        from bot.orgfile import parse_organisation_file
        from bot.services.cases import import_organisation
        from bot.strict_yaml import load_yaml_text

        file = parse_organisation_file(load_yaml_text(organisation_yaml(data or organisation_file())))
        with self.services.uow_factory() as uow:
            report = import_organisation(file, uow=uow, now=self.clock.now())
            uow.commit()
        return report

    def at(self, moment: datetime) -> BotHarness:
        """Move the clock to `moment` (tz-aware)."""
        self.clock.set(moment)
        return self

    def sweep(self, moment: datetime | None = None):
        """Run one sweep and one dispatch pass at `moment`, as `coregroup sweep --now` does."""
        if moment is not None:
            self.clock.set(moment)
        swept = self.runtime.sweep()
        return swept, self.runtime.dispatch()

    def dispatch(self):
        """Deliver whatever the outbox holds now."""
        return self.runtime.dispatch()

    def ephemeral_replies(self) -> list[dict]:
        """Everything the bot said through response_url (ephemeral answers), oldest first."""
        return [call.params for call in self.fake.calls_to("response_url")]

    def wait_for_reply(self, *, count: int = 1, timeout: float = 5.0) -> dict:
        """The latest ephemeral answer, once `count` have arrived."""
        calls = self.fake.wait_for("response_url", count=count, timeout=timeout)
        return calls[-1].params
