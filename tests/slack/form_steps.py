"""Steps for forms submitted more than once: Slack redelivering a submission, a double submit, a replayed request."""

from __future__ import annotations

import logging
import time

ONCE_LOGGER = "coregroup.once"


def watch_replays(caplog) -> None:
    """Capture the bot's note of each submission it acknowledged without effect."""
    caplog.set_level(logging.INFO, logger=ONCE_LOGGER)


def wait_for_replays(caplog, count: int, *, timeout: float = 5.0) -> int:
    """Wait until `count` submissions were acknowledged as already processed (each replay's work is then over)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = [r for r in caplog.records if r.name == ONCE_LOGGER and "already processed" in r.getMessage()]
        if len(seen) >= count or time.monotonic() > deadline:
            return len(seen)
        time.sleep(0.02)


def answered(bot, caplog, *, since: int, total: int, timeout: float = 5.0) -> list[str]:
    """Wait until `total` submissions are over, each either acknowledged without effect or answered by an ephemeral
    message; the ephemeral texts. (A twin submitted at the very same moment may instead be told it was done.)"""
    deadline = time.monotonic() + timeout
    while True:
        texts = [c.params["text"] for c in bot.fake.calls_to("chat.postEphemeral", since=since)]
        if len(texts) + wait_for_replays(caplog, 0) >= total or time.monotonic() > deadline:
            return texts
        time.sleep(0.02)


def replay(bot, first, *, times: int) -> list:
    """Post the payload of the submission `first` again `times` times, signed once, byte for byte the same request:
    what an attacker who captured it, or Slack redelivering it, would send. The bot's answers."""
    import json
    import urllib.parse

    body = urllib.parse.urlencode({"payload": json.dumps(first.sent)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **bot.slack.signed_headers(body)}
    return [bot.slack.post_raw(body, headers=headers) for _ in range(times)]


def at_once(*calls) -> list:
    """Run each call in its own thread, released together; their results in the order given."""
    import threading

    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int, call) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
