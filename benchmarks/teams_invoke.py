"""Teams answer latency: a signed activity into coregroup's /api/messages vs a bare Teams SDK app answering it.

Run: .venv/bin/python benchmarks/teams_invoke.py [--requests 600]

No card action (`adaptiveCard/action`) is wired on this base yet, so both answer a signed `help` message in the
user's 1:1 chat: coregroup through its middleware (the conversation reference upserted) and its command listener;
the bare app (the SDK's App with one `on_message` handler) sends the same help text. Both verify the JWT against
the fake's local JWKS, reply through the same fake Bot Connector, and run behind the same WSGI server (waitress and
a2wsgi), in this process, interleaved in blocks of 100. Swap `help_activity` for a card action once one is wired.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "CLIENT_ID", "CLIENT_SECRET", "TENANT_ID"):
    os.environ.pop(var, None)

import httpx
from a2wsgi import ASGIMiddleware
from microsoft_teams.apps import App

from bot.http_server import BackgroundServer
from sandbox.fake_teams import FakeTeams
from teams.app_factory import UNUSED_SERVICE_URL, asgi_of, cloud_for
from teams.commands import help_text
from teams.tokens import ClientCredentialsToken
from tests.harness import migrated_engine
from tests.teams.conftest import APP_ID, MEMBER, PASSWORD, TENANT_ID, TeamsHarness


def bare_app(harness: TeamsHarness) -> App:
    """The SDK's App with one handler answering the same message, configured as coregroup configures its own."""
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

    @app.on_message
    async def answer(ctx) -> None:
        await ctx.send(help_text())

    asyncio.run(app.initialize())
    return app


def measure(post, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        status, _ = post()
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()

    fake = FakeTeams(app_id=APP_ID, tenant_id=TENANT_ID, secret=PASSWORD).start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = migrated_engine(f"sqlite:///{tmp}/bench.db")
        with TeamsHarness(engine=engine, fake=fake) as bot:
            bot.import_organisation()
            bare_server = BackgroundServer(ASGIMiddleware(asgi_of(bare_app(bot)))).start()
            activity = bot.activities.message(MEMBER, "help")
            token = fake.token(service_url=activity["serviceUrl"])  # signed once: both verify the same token

            def ours():
                return fake.post_activity(bot.url, activity, token=token)

            def theirs():
                return fake.post_activity(bare_server.url, activity, token=token)

            measure(ours, 50), measure(theirs, 50)  # warm-up (keys fetched, tokens cached)
            fake.calls.clear()
            coregroup, bare = [], []
            for _ in range(max(args.requests // 100, 1)):  # interleaved so both see the same machine load
                coregroup += measure(ours, 100)
                bare += measure(theirs, 100)
            replies = len(fake.sent())
            bare_server.stop()
    fake.stop()

    print(f"requests each: {len(coregroup)}; help replies the fake connector received: {replies}")
    print(f"{'':5}{'coregroup help':>18}{'bare SDK app':>18}{'ratio':>8}")
    for name, p in (("p50", 50), ("p99", 99)):
        a, b = percentile(coregroup, p), percentile(bare, p)
        print(f"{name:5}{a:>15.2f} ms{b:>15.2f} ms{a / b:>8.2f}")


if __name__ == "__main__":
    main()
