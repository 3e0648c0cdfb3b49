"""Ack latency: signed `/core-group status` into the real bot vs a bare Bolt app's no-op command.

Run: .venv/bin/python benchmarks/ack_latency.py [--requests 1000]
Both apps run in this process behind the same WSGI server (waitress) and talk to the same fake
Slack, so the ratio isolates what coregroup adds before Slack gets its HTTP 200.

     .venv/bin/python benchmarks/ack_latency.py --during-sweep [--cases 50000] [--engine postgresql|sqlite]
The 09:00 rush: the bot runs as `coregroup run` does (its own process: HTTP, the sweep and the dispatcher, from
`tests/replicas/replica.py`) on `--cases` cases with 1% due at 09:00 (4,000 notices at 50,000 cases) plus the
coordinator's digest; the bare Bolt app runs in a process of its own, the fake Slack (no rate limits) in a third.
Both are measured idle first, then interleaved in blocks of 20 from the sweep's start until the outbox is empty.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(var, None)

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.http_server import BackgroundServer
from sandbox.fake_slack import FakeSlack
from sandbox.slack_sender import SlackSender
from tests.harness import BOT_TOKEN, SIGNING_SECRET, BotHarness, migrated_engine


def serve(wsgi) -> tuple[BackgroundServer, str]:
    server = BackgroundServer(wsgi).start()
    return server, f"{server.url}/slack/events"


def measure(send, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = send()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, response.status
    return timings


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--during-sweep", action="store_true", help="measure during the 09:00 sweep and dispatch")
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    if args.during_sweep:
        from benchmarks.ack_rush import during_sweep

        during_sweep(cases=args.cases, engine=args.engine)
        return

    fake = FakeSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = migrated_engine(f"sqlite:///{tmp}/bench.db")
        with BotHarness(engine=engine, fake=fake) as bot:
            bot.import_organisation()

            bare = App(client=WebClient(token=BOT_TOKEN, base_url=fake.api_url), signing_secret=SIGNING_SECRET)
            bare.command("/noop")(lambda ack: ack())
            bare_server, bare_url = serve(SlackRequestHandler(bare))
            bare_sender = SlackSender(
                bot_url=bare_url, signing_secret=SIGNING_SECRET, response_url_factory=fake.response_url
            )

            def status():
                return bot.slack.slash_command(
                    command="/core-group", text="status", user_id="U0HV", channel_id="C0CASE142"
                )

            def noop():
                return bare_sender.slash_command(command="/noop", text="", user_id="U0HV", channel_id="C0CASE142")

            measure(status, 50), measure(noop, 50)  # warm-up
            ours, theirs = [], []
            for _ in range(args.requests // 100):  # interleave so both see the same machine load
                ours += measure(status, 100)
                theirs += measure(noop, 100)
            bare_server.stop()
            answered = len(fake.calls_to("response_url"))
    fake.stop()

    rows = [("p50", 50), ("p99", 99)]
    print(f"requests each: {len(ours)}; status replies delivered via response_url: {answered}")
    print(f"{'':5}{'coregroup status':>18}{'bare Bolt no-op':>18}{'ratio':>8}")
    for name, p in rows:
        a, b = percentile(ours, p), percentile(theirs, p)
        print(f"{name:5}{a:>15.2f} ms{b:>15.2f} ms{a / b:>8.2f}")


if __name__ == "__main__":
    main()
