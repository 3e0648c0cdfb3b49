"""`benchmarks/ack_latency.py --during-sweep`: `/core-group status` and a bare Bolt no-op during the 09:00 rush.

Three processes besides this one: the fake Slack, the bare Bolt app, and the bot as `coregroup run` runs it.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.ack_latency import percentile
from benchmarks.meeting_data import build, database
from sandbox.slack_sender import SlackSender
from store.db import make_session_factory
from store.uow import UnitOfWork

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=timezone.utc)  # Tue 15 Jun 2027 09:00 BST: the sweep and the digest
SECRET, TOKEN = "rush-signing-secret", "xoxb-rush"
CASE_CHANNEL, MEMBER = "C00000000", "U0000002"  # benchmarks/meeting_data.py's first case and one of its members


def serve_fake(conn) -> None:
    from sandbox.fake_slack import FakeSlack

    with FakeSlack(validate_blocks=False) as fake:
        conn.send(fake.api_url)
        conn.recv()
        conn.send(len(fake.calls_to("chat.postMessage")))


def serve_bare(conn, api_url: str) -> None:
    """A bare Bolt app answering a no-op command, behind the same server: the yardstick."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.http_server import BackgroundServer

    bare = App(client=WebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)
    bare.command("/noop")(lambda ack: ack())
    server = BackgroundServer(SlackRequestHandler(bare), threads=8).start()
    conn.send(server.url)
    conn.recv()
    server.stop()


def timed(send) -> float:
    start = time.perf_counter()
    response = send()
    assert response.status == 200, response.status
    return (time.perf_counter() - start) * 1000


def during_sweep(*, cases: int, engine: str) -> None:
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if engine == "postgresql" and not pg_url:
        raise SystemExit("set TEST_DATABASE_URL (or --engine sqlite)")
    from tests.replicas.cluster import start_replicas

    fake_conn, theirs = multiprocessing.Pipe()
    multiprocessing.Process(target=serve_fake, args=(theirs,), daemon=True).start()
    api_url = fake_conn.recv()
    response_url = api_url.replace("/api/", "/response_url/")
    bare_conn, theirs = multiprocessing.Pipe()
    multiprocessing.Process(target=serve_bare, args=(theirs, api_url), daemon=True).start()
    bare_url = bare_conn.recv()
    with tempfile.TemporaryDirectory() as tmp, database(engine, tmp, pg_url) as db:
        build(db, cases=cases, due_fraction=0.01, now=NOW)
        uow_factory = lambda: UnitOfWork(make_session_factory(db))  # noqa: E731 - a one-line local helper
        [bot] = start_replicas(
            1,
            database_url=db.url.render_as_string(hide_password=False),
            api_url=api_url,
            signing_secret=SECRET,
            token=TOKEN,
            start=NOW,
            log_dir=Path(tmp),
        )
        ours = SlackSender(
            bot_url=f"{bot.url}/slack/events", signing_secret=SECRET, response_url_factory=lambda k: response_url + k
        )
        theirs_sender = SlackSender(
            bot_url=f"{bare_url}/slack/events", signing_secret=SECRET, response_url_factory=lambda k: response_url + k
        )

        def status():
            return ours.slash_command(command="/core-group", text="status", user_id=MEMBER, channel_id=CASE_CHANNEL)

        def noop():
            return theirs_sender.slash_command(command="/noop", text="", user_id=MEMBER, channel_id=CASE_CHANNEL)

        def block(ours_ms: list, bare_ms: list, n: int = 20) -> None:
            ours_ms += [timed(status) for _ in range(n)]
            bare_ms += [timed(noop) for _ in range(n)]

        for _ in range(3):
            block([], [])  # warm-up
        idle_ours: list[float] = []
        idle_bare: list[float] = []
        for _ in range(10):
            block(idle_ours, idle_bare)
        bot.go()
        started = time.monotonic()
        rush_ours: list[float] = []
        rush_bare: list[float] = []
        pending = 1
        swept = False
        while pending or not swept:
            block(rush_ours, rush_bare)
            with uow_factory() as uow:
                pending = len(uow.outbox.list(status="pending"))
                swept = bool(uow.audit.list(action="digest.sent"))
        took = time.monotonic() - started
        bot.stop()
        fake_conn.send("done")
        sent = fake_conn.recv()
        bare_conn.send("done")
    print(
        f"{engine}, {cases} cases: the sweep and the dispatch of {sent} posts took {took:.1f} s "
        f"(`/core-group status` and the no-op measured {len(rush_ours)} times each meanwhile)"
    )
    print(f"{'':14}{'coregroup status':>18}{'bare Bolt no-op':>18}{'ratio':>8}")
    for label, a_values, b_values in (("idle", idle_ours, idle_bare), ("during sweep", rush_ours, rush_bare)):
        for name, p in (("p50", 50), ("p99", 99)):
            a, b = percentile(a_values, p), percentile(b_values, p)
            print(f"{label + ' ' + name:<14}{a:>15.2f} ms{b:>15.2f} ms{a / b:>8.2f}")
