"""Teams answer latency: a signed card action into coregroup's /api/messages vs a bare Teams SDK app answering it.

Run: .venv/bin/python benchmarks/teams_invoke.py [--requests 600] [--engines sqlite postgresql]
PostgreSQL needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for the run and dropped after it.

The measured activity is an `invoke` `adaptiveCard/action`: the request card's refresh (`request.refresh` with the
request id) as the team leader. coregroup reads the request and its decision notices from the outbox, checks who may
decide (the same rules as a click) and answers that viewer's card, live. The bare app (the SDK's App with one
`on_card_action_execute("request.refresh")` handler) answers an `AdaptiveCardActionCardResponse` with the same card,
validated into the SDK's AdaptiveCard per request. One organisation, case and pending request are set up first
(the request dialog submitted by a member, its notices dispatched). Each coregroup invoke carries a new activity id:
coregroup answers a repeated id (Teams' retry) from memory, which would measure nothing.

While nothing the card depends on has changed, coregroup answers a look from memory (store/changes.py). A third line
measures the first look after a change: before each of those invokes (outside the timing) another connection commits
a change to the organisation and the bot is left to hear of it, so every one of them reads the database.

A second line keeps the earlier measurement: a `help` message in the user's 1:1 chat (coregroup's middleware and
command listener against a bare `on_message` handler sending the same text).

Both apps verify the JWT against the fake's local JWKS and run behind the same WSGI server (waitress and a2wsgi), in
this process, interleaved in blocks of 100 so both see the same machine load; 50 warm-up requests each first.
Goal: coregroup at most 1.2x the bare app at p50 and p99.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "CLIENT_ID", "CLIENT_SECRET", "TENANT_ID"):
    os.environ.pop(var, None)

import httpx
from a2wsgi import ASGIMiddleware
from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import AdaptiveCardActionCardResponse
from microsoft_teams.apps import App
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy import text

from bot.http_server import BackgroundServer
from sandbox.fake_teams import FakeTeams
from store.db import make_engine
from teams.app_factory import UNUSED_SERVICE_URL, asgi_of, cloud_for
from teams.cards.ids import Verb
from teams.commands import help_text
from teams.tokens import ClientCredentialsToken
from tests.harness import migrated_engine, postgres_database
from tests.teams.conftest import (
    APP_ID,
    CHANNEL,
    COORDINATOR,
    MEMBER,
    PASSWORD,
    TEAM,
    TEAM_LEADER,
    TENANT_ID,
    TeamsHarness,
)

WARM_UP, BLOCK = 50, 100
REFRESH = str(Verb.REQUEST_REFRESH)


def bare_app(harness: TeamsHarness, card: dict[str, Any]) -> App:
    """The SDK's App with one handler per measured activity, configured as coregroup configures its own."""
    tokens = ClientCredentialsToken(harness.teams_settings, http=httpx.Client(timeout=15.0, trust_env=False))
    app = App(
        client_id=APP_ID,
        client_secret=None,
        tenant_id=TENANT_ID,
        token=tokens.for_sdk(),
        dangerously_allow_unauthenticated_requests=False,
        skip_auth=None,
        service_url=UNUSED_SERVICE_URL,
        cloud=cloud_for(harness.teams_settings),
        state=False,
        fetch_user_token=False,
    )

    # The SDK's AdaptiveCard model takes msteams.width only in lower case (Teams documents "Full"; both work).
    card = {**card, "msteams": {**card.get("msteams", {}), "width": "full"}} if "msteams" in card else card

    @app.on_card_action_execute(REFRESH)
    async def refresh(ctx) -> AdaptiveCardActionCardResponse:
        return AdaptiveCardActionCardResponse(value=AdaptiveCard.model_validate(card))

    @app.on_message
    async def answer(ctx) -> None:
        await ctx.send(help_text())

    asyncio.run(app.initialize())
    return app


def pending_request(bot: TeamsHarness) -> int:
    """One organisation, its people's app installed, and a request waiting for the team leader: its id."""
    bot.import_organisation()
    for person in (MEMBER, TEAM_LEADER, COORDINATOR):
        bot.post(bot.activities.installation_update(person))
    bot.post(bot.activities.installation_update(TEAM_LEADER, team_id=TEAM, channel_id=CHANNEL))
    with bot.services.uow_factory() as uow:
        case_id = uow.cases.get_by_reference("CP-2027-0142").id
    data = {"case_id": case_id, "concern": "new", "details": "School raised a new worry.", "urgency": "routine"}
    status, answer = bot.post(bot.activities.task_submit(MEMBER, "request.new.submit", data))
    assert status == 200 and answer["task"]["type"] == "message", answer
    bot.dispatch()
    with bot.services.uow_factory() as uow:
        [request] = uow.requests.for_case(case_id)
        return request.id


def measure(post: Callable[[dict], tuple[int, Any]], activities: list[dict]) -> list[float]:
    timings = []
    for activity in activities:
        start = time.perf_counter()
        status, _ = post(activity)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def measure_after_changes(
    post: Callable[[dict], tuple[int, Any]],
    activities: list[dict],
    *,
    change: Callable[[], None],
    token: Callable[[], Any],
) -> list[float]:
    """Each invoke timed just after a change committed elsewhere has been heard: the look reads the database."""
    timings = []
    for activity in activities:
        before = token()
        change()
        deadline = time.monotonic() + 5
        while token() in (before, None):
            assert time.monotonic() < deadline, "the change was never heard"
            time.sleep(0.001)
        start = time.perf_counter()
        status, _ = post(activity)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


@contextlib.contextmanager
def database(kind: str, tmp: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.db"
    else:
        with postgres_database(os.environ["TEST_DATABASE_URL"]) as url:
            yield url


def run(kind: str, requests: int, tmp: str) -> dict[str, tuple[list[float], list[float]]]:
    """The activities against both apps on one engine: {activity: (coregroup ms, bare ms)}."""
    fake = FakeTeams(app_id=APP_ID, tenant_id=TENANT_ID, secret=PASSWORD).start()
    results: dict[str, tuple[list[float], list[float]]] = {}
    with database(kind, tmp) as url:
        engine = migrated_engine(url)
        with TeamsHarness(engine=engine, fake=fake) as bot:
            request_id = pending_request(bot)
            click = bot.activities.card_action(TEAM_LEADER, REFRESH, {"request_id": request_id})
            status, answer = bot.post(click)
            card = answer["value"]  # the live card coregroup answers: the bare app answers the same
            assert status == 200 and answer["statusCode"] == 200 and "Approve" in str(card), answer
            bare_server = BackgroundServer(ASGIMiddleware(asgi_of(bare_app(bot, card)))).start()
            token = fake.token(service_url=click["serviceUrl"])  # signed once: both verify the same token

            def to(url: str) -> Callable[[dict], tuple[int, Any]]:
                return lambda activity: fake.post_activity(url, activity, token=token)

            def clicks(n: int) -> list[dict]:  # a new activity id each: a repeated id is answered from memory
                return [bot.activities.card_action(TEAM_LEADER, REFRESH, {"request_id": request_id}) for _ in range(n)]

            helps = [bot.activities.message(TEAM_LEADER, "help")] * BLOCK
            ours, theirs = to(bot.url), to(bare_server.url)
            measure(ours, clicks(WARM_UP)), measure(theirs, clicks(WARM_UP))  # keys fetched, tokens cached
            measure(ours, helps[:WARM_UP]), measure(theirs, helps[:WARM_UP])
            elsewhere = make_engine(url)  # another replica, as far as the bot can tell

            def change() -> None:
                with elsewhere.begin() as connection:
                    connection.execute(text("UPDATE organisation SET name = name"))

            def change_token() -> Any:
                return bot.runtime.teams.changes.token()

            refresh: tuple[list[float], list[float]] = ([], [])
            changed: tuple[list[float], list[float]] = ([], [])
            help_: tuple[list[float], list[float]] = ([], [])
            fake.calls.clear()
            for _ in range(max(requests // BLOCK, 1)):  # interleaved so both see the same machine load
                block = clicks(BLOCK)
                refresh[0].extend(measure(ours, block))
                refresh[1].extend(measure(theirs, block))
                block = clicks(BLOCK)
                changed[0].extend(measure_after_changes(ours, block, change=change, token=change_token))
                changed[1].extend(measure(theirs, block))
                help_[0].extend(measure(ours, helps))
                help_[1].extend(measure(theirs, helps))
            elsewhere.dispose()
            assert len(fake.sent()) == 2 * len(help_[0]), "every help was answered through the connector"
            time.sleep(0.2)  # waitress's worker wakes its loop after the reply is read: let it before closing
            bare_server.stop()
        engine.dispose()
    fake.stop()
    results["refresh"], results["changed"], results["help"] = refresh, changed, help_
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    labels = {"refresh": "request.refresh invoke", "changed": "first look after change", "help": "help message"}
    print(f"requests each per activity: {max(args.requests // BLOCK, 1) * BLOCK} after {WARM_UP} warm-up")
    print(f"{'engine':<11}{'activity':<24}{'':5}{'coregroup':>13}{'bare SDK app':>16}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for activity, (ours, bare) in run(kind, args.requests, tmp).items():
                for name, p in (("p50", 50), ("p99", 99)):
                    a, b = percentile(ours, p), percentile(bare, p)
                    print(f"{kind:<11}{labels[activity]:<24}{name:5}{a:>10.2f} ms{b:>13.2f} ms{a / b:>8.2f}")


if __name__ == "__main__":
    main()
