"""Pacing for the outbox dispatcher: when the next message may go to each channel, and across all of them.

Pure: every time is a number of seconds on a monotonic clock, passed in by the caller.

Three limits, each kept separately so one channel's limit never stalls the others:
- a 429's `Retry-After` blocks only its own method and channel (or DM) until it has passed;
- posts to one channel follow a token bucket: a short burst (`channel_burst`), then one per
  `channel_interval` (Slack: about one a second per channel, short bursts allowed), counted from the end of
  each post so they reach Slack that far apart. A channel that answers 429 to a burst loses its burst;
- a post across the workspace starts at least a global gap after the answer to the last one came back
  (counting from the answer, not the request, keeps the network's jitter out of it): `1 / global_rate` when
  the ceiling is known, otherwise learnt: a 429 on a channel that respected its own spacing can only be
  the workspace limit, so the gap grows a few per cent; every `probe_every` successes it shrinks by one
  per cent, to find the ceiling again if it rose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

POST = "chat.postMessage"
UPDATE = "chat.update"
MAX_BACKOFF_SECONDS = 300


class Pacing(Protocol):
    """What the dispatcher asks of a platform's pacer (`Pacer` for Slack, `teams.pacing.TeamsPacer` for Teams)."""

    def ready_at(self, method: str, scope: str) -> float: ...
    def gap_holds(self, method: str, scope: str) -> bool: ...
    def sent(self, method: str, scope: str, *, started: float, finished: float, held_by_gap: bool = True) -> None: ...
    def limited(self, method: str, scope: str, retry_after: float, *, started: float, finished: float) -> None: ...
    def backoff(self, attempts: int) -> float: ...
    def follow(self, now: datetime, moment: float) -> None: ...
    def forget_before(self, moment: float) -> None: ...


@dataclass
class Pacer:
    """Pacing state shared by dispatch passes (the running bot keeps one for its lifetime)."""

    channel_interval: float = 1.0
    channel_burst: int = 4
    global_rate: float | None = None
    probe_every: int = 50
    max_gap: float = 1.0
    _blocked: dict[tuple[str, str], float] = field(default_factory=dict)
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # scope -> (tokens, as of)
    _no_burst: set[str] = field(default_factory=set)
    _channel_last: dict[str, float] = field(default_factory=dict)
    _gap: float = 0.0
    _floor: float = 0.0
    _last_end: float | None = None  # when Slack's answer to the last post that went through came back
    _streak: int = 0
    _synced: tuple[datetime, float] | None = None

    def __post_init__(self) -> None:
        if self.global_rate:
            self._floor = self._gap = 1.0 / self.global_rate

    @property
    def global_gap(self) -> float:
        """The current spacing of posts across the workspace, in seconds."""
        return self._gap

    def ready_at(self, method: str, scope: str) -> float:
        """The earliest time a message of `method` may go to `scope` (a channel or a user's DM)."""
        at = self._blocked.get((method, scope), 0.0)
        if method == POST:
            if scope in self._tokens:
                tokens, since = self._tokens[scope]
                if tokens < 1.0:
                    at = max(at, since + (1.0 - tokens) * self.channel_interval)
            if self._last_end is not None:
                at = max(at, self._last_end + self._gap)
        return at

    def gap_holds(self, method: str, scope: str) -> bool:
        """True when the workspace gap, not the channel's own limit, is what `scope` is waiting for."""
        if method != POST or self._last_end is None:
            return False
        gap_ready = self._last_end + self._gap
        own = self._blocked.get((method, scope), 0.0)
        if scope in self._tokens:
            tokens, since = self._tokens[scope]
            if tokens < 1.0:
                own = max(own, since + (1.0 - tokens) * self.channel_interval)
        return gap_ready > own

    def sent(self, method: str, scope: str, *, started: float, finished: float, held_by_gap: bool = True) -> None:
        """A message went through; `held_by_gap` says it had waited for the workspace gap (only those probe it)."""
        if method != POST:
            return
        self._tokens[scope] = (self._available(scope, finished) - 1.0, finished)
        self._channel_last[scope] = finished
        self._last_end = finished
        if held_by_gap:
            self._streak += 1  # the gap is what limits us: try it a little shorter now and then
        if self._streak >= self.probe_every:
            self._streak = 0
            self._gap = max(self._floor, self._gap * 0.99)

    def limited(self, method: str, scope: str, retry_after: float, *, started: float, finished: float) -> None:
        """Slack answered 429: honour `retry_after` for this method and scope, and learn which limit it was."""
        self._blocked[(method, scope)] = finished + max(retry_after, 0.0)
        if method != POST:
            return
        self._streak = 0
        last = self._channel_last.get(scope)
        if last is not None and started - last < self.channel_interval:
            self._no_burst.add(scope)  # the channel's own limit: no more bursts to it
            self._tokens[scope] = (0.0, finished)
        else:
            # Refused after `waited`: the limit wants more than that, or (when we waited longer than the gap)
            # the timing jittered; either way a few per cent more, never a jump.
            waited = started - self._last_end if self._last_end is not None else 0.0
            base = waited if self._gap == 0.0 else min(max(waited, self._gap), self._gap)
            self._gap = min(self.max_gap, base * 1.05 + 0.0002)

    def backoff(self, attempts: int) -> float:
        """Seconds before retrying after a server or network error: 2, 4, 8 ... capped at 300."""
        return float(min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))

    def follow(self, now: datetime, moment: float) -> None:
        """Keep pace with the bot's clock when it is moved by hand (tests, the sandbox, `sweep --now`).

        If the bot's time went further than the monotonic clock since the last call, that much time is
        taken to have passed for every limit too (a Retry-After of 30 s is over once the clock moved 30 s).
        """
        if self._synced is not None:
            then, before = self._synced
            jump = (now - then).total_seconds() - (moment - before)
            if jump > 0:
                self._shift(jump)
        self._synced = (now, moment)

    def _shift(self, seconds: float) -> None:
        self._blocked = {k: v - seconds for k, v in self._blocked.items()}
        self._tokens = {k: (tokens, since - seconds) for k, (tokens, since) in self._tokens.items()}
        self._channel_last = {k: v - seconds for k, v in self._channel_last.items()}
        if self._last_end is not None:
            self._last_end -= seconds

    def forget_before(self, moment: float) -> None:
        """Drop what no longer limits anything (keeps the state small in a long-running bot)."""
        self._blocked = {k: v for k, v in self._blocked.items() if v > moment}
        horizon = moment - self.channel_interval * max(self.channel_burst, 1)
        self._tokens = {k: v for k, v in self._tokens.items() if v[1] > horizon}
        self._channel_last = {k: v for k, v in self._channel_last.items() if v > horizon}

    def _available(self, scope: str, moment: float) -> float:
        capacity = 1.0 if scope in self._no_burst else float(max(self.channel_burst, 1))
        tokens, since = self._tokens.get(scope, (capacity, moment))
        return min(capacity, tokens + (moment - since) / self.channel_interval)
