"""Dispatcher throughput against a rate-limited fake Slack: nothing lost, nothing duplicated, near the ceiling.

Run: .venv/bin/python benchmarks/dispatch_throughput.py [--messages 2000] [--channels 100] [--global-rate 50 200]
     [--engines sqlite postgresql] [--tell-the-dispatcher] [--replicas N]

The fake Slack runs in its own process (as Slack is remote) and answers chat.postMessage with HTTP 429 (Retry-After in whole seconds, as Slack does) beyond
1 message per second per channel (burst 1) and beyond a global rate. The outbox holds `messages` notices spread
evenly over `channels` channels; dispatch passes run back to back (as `coregroup run` ticks them) until the outbox
is empty. The fake's ceiling is min(global rate, channels x 1/s); the shortest possible run is also bounded by
the busiest channel (messages per channel - 1 seconds). Throughput is reported against that best possible time.
By default the dispatcher is not told the global rate: it learns it from the 429s.

`--replicas N` (PostgreSQL only): instead of dispatch passes in this process, N replicas run as processes
(`tests/replicas/replica.py`: the runtime `coregroup run` builds, with its scheduler), started and migrated before
the clock starts, then told to go at once; the time runs until the outbox is empty. One of them dispatches under
the dispatcher lock, so the figures should match one replica's (compare with `--replicas 1`).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from functools import partial
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(var, None)

from slack_sdk import WebClient

import handlers.meetings  # noqa: F401 - registers the renderer used below
from benchmarks.meeting_data import database
from bot.clock import SystemClock
from bot.dispatch import dispatch_pending
from bot.notices import NoticeKind
from bot.pacing import Pacer
from handlers.blocks.slack import slack_renderers
from handlers.delivery import SlackNoticeSender
from sandbox.fake_slack import FakeSlack
from store.db import make_session_factory
from store.uow import UnitOfWork


def serve_fake(conn, global_rate: float) -> None:
    """The fake Slack in its own process (Slack is remote: it must not share the dispatcher's GIL)."""
    with FakeSlack(validate_blocks=False) as fake:
        fake.set_rate_limit(per_channel_per_second=1, global_per_second=global_rate)
        conn.send(fake.api_url)
        conn.recv()  # the dispatcher is done
        conn.send([(c.params.get("text", ""), c.ok, c.at) for c in fake.calls_to("chat.postMessage")])


def dispatch_in_process(uow_factory, api_url: str, *, global_rate: float, tell: bool) -> tuple[int, float]:
    """Dispatch passes back to back until the outbox is empty: (passes, the pacer's learnt gap)."""
    clock = SystemClock()
    sender = SlackNoticeSender(WebClient(token="xoxb-bench", base_url=api_url), renderers=slack_renderers())
    pacer = Pacer(global_rate=global_rate if tell else None)
    passes = 0
    while True:
        report = dispatch_pending(uow_factory=uow_factory, sender=sender, now=clock.now(), pacer=pacer, clock=clock.now)
        passes += 1
        if not pending(uow_factory):
            return passes, pacer.global_gap
        if not report.sent:
            time.sleep(0.2)  # everything waits on a Retry-After: as the scheduler's next tick would


def dispatch_in_replicas(uow_factory, replicas: list) -> tuple[int, float]:
    """Replica processes told to go at once, until the outbox is empty: (replicas, nan: their gap is theirs)."""
    for replica in replicas:
        replica.go()
    while pending(uow_factory):
        time.sleep(0.05)
    return len(replicas), float("nan")


def pending(uow_factory) -> int:
    with uow_factory() as uow:
        return len(uow.outbox.list(status="pending"))


def run(
    kind: str,
    *,
    messages: int,
    channels: int,
    global_rate: float,
    tell: bool,
    tmp: str,
    pg_url: str | None,
    replicas: int = 0,
) -> dict:
    clock = SystemClock()
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fake, args=(theirs, global_rate), daemon=True)
    server.start()
    api_url = ours.recv()
    with database(kind, tmp, pg_url) as engine:
        factory = make_session_factory(engine)
        uow_factory = partial(UnitOfWork, factory)
        queued = clock.now()
        with uow_factory() as uow:
            uow.outbox.enqueue_many(
                [
                    {
                        "key": f"bench:{i}",
                        "kind": NoticeKind.MEETING_SCHEDULED,
                        "recipient": f"C0B{i % channels:04d}",
                        "payload": {
                            "reference": f"CP-B-{i:05d}",
                            "kind": "regular",
                            "starts_at": queued.isoformat(),
                            "timezone": "Europe/London",
                            "mode": "online",
                            "note": None,
                            "scheduled_by": None,
                        },
                    }
                    for i in range(messages)
                ],
                now=queued,
            )
            uow.commit()
        processes = []
        if replicas:
            from tests.replicas.cluster import start_replicas

            processes = start_replicas(
                replicas,
                database_url=engine.url.render_as_string(hide_password=False),
                api_url=api_url,
                signing_secret="bench-secret",
                token="xoxb-bench",
                start=clock.now(),
                log_dir=Path(tmp),
            )
        started = time.monotonic()
        try:
            if replicas:
                passes, gap = dispatch_in_replicas(uow_factory, processes)
            else:
                passes, gap = dispatch_in_process(uow_factory, api_url, global_rate=global_rate, tell=tell)
            elapsed = time.monotonic() - started
        finally:
            for replica in processes:
                replica.stop()
    ours.send("done")
    calls = ours.recv()
    server.join(timeout=10)
    ok = [(text, at) for text, accepted, at in calls if accepted]
    counts = Counter(text.split(" for ")[1].split(" ")[0] for text, _ in ok)
    per_channel = -(-messages // channels)
    best = max(messages / global_rate, per_channel - 1)
    span = ok[-1][1] - ok[0][1]
    return {
        "engine": kind,
        "global": global_rate,
        "told": tell,
        "sent": len(ok),
        "elapsed": elapsed,
        "span": span,
        "lost": sum(1 for i in range(messages) if counts[f"CP-B-{i:05d}"] == 0),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "429s": len(calls) - len(ok),
        "ceiling": min(global_rate, channels * 1.0),
        "best": best,
        "ratio": best / span,
        "passes": passes,
        "gap": gap,
        "intervals": sorted(b[1] - a[1] for a, b in pairwise(ok)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--global-rate", type=float, nargs="+", default=[50.0, 200.0])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--tell-the-dispatcher", action="store_true", help="give the dispatcher the global rate")
    parser.add_argument("--replicas", type=int, default=0, help="dispatch from N replica processes (PostgreSQL)")
    args = parser.parse_args()
    pg_url = os.environ.get("TEST_DATABASE_URL")
    print(f"{args.messages} messages over {args.channels} channels; fake: 1/s per channel (burst 1) + a global limit")
    if args.replicas:
        args.engines = ["postgresql"]  # replicas share one PostgreSQL; SQLite is one process
        print(f"{args.replicas} replica process(es), each the runtime `coregroup run` builds")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.engines:
            if kind == "postgresql" and not pg_url:
                print("skipping PostgreSQL: set TEST_DATABASE_URL")
                continue
            for rate in args.global_rate:
                r = run(
                    kind,
                    messages=args.messages,
                    channels=args.channels,
                    global_rate=rate,
                    tell=args.tell_the_dispatcher,
                    tmp=tmp,
                    pg_url=pg_url,
                    replicas=args.replicas,
                )
                what = (
                    f"{r['passes']} replicas"
                    if args.replicas
                    else f"passes {r['passes']}, learnt gap {r['gap'] * 1000:.1f} ms"
                )
                print(
                    f"{r['engine']:<11} global {r['global']:>5.0f}/s (ceiling {r['ceiling']:.0f}/s, best {r['best']:.1f} s): "
                    f"{r['sent']} sent in {r['span']:.1f} s = {r['sent'] / r['span']:.1f}/s, {r['ratio']:.0%} of the ceiling; "
                    f"lost {r['lost']}, duplicated {r['duplicated']}, 429s {r['429s']}, {what}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
