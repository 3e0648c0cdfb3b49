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
