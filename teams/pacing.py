"""Pacing Teams notices: when the next message may go to each conversation, and across a tenant.

Pure, like `bot.pacing.Pacer` (same interface, so the dispatcher paces either): every time is a number of seconds
on a monotonic clock, passed in by the caller; which tenant a recipient belongs to comes from `tenant_of`, given by
the wiring (from the conversation references).

Microsoft's limits (TEAMS-NOTES §2.4, "subject to change"): per bot per conversation 7 sends in 1 s, 8 in 2 s, 60 in
30 s, 1800 in an hour; per app per tenant about 50 requests a second (30 in an older revision). So:

- each conversation keeps the times of its recent sends and never starts one that would make more than `count` in
  any `seconds` (for every window), counting from when the earlier answers came back, so the limit holds on
  Microsoft's side whatever the network did; inside the windows a token bucket (a burst of `burst`, then one per
  `interval`) keeps the sustained rate near one a second;
- each tenant has a token bucket of `tenant_rate` a second (a burst of `tenant_burst`), so all its conversations
  together stay under the budget of 30 a second;
- a 429's `Retry-After` blocks its conversation (posts and updates alike) until it has passed, and takes its burst
  away; Teams does not say which limit a 429 was, so a second conversation of the same tenant refused while the first
  is still blocked is taken as the tenant's limit and blocks the whole tenant that long;
- retries of server and network errors wait a jittered exponential backoff (`backoff`), so many failed rows do not
  come back at the same instant.

A recipient is one conversation: a person's Entra object id is their 1:1 chat with the bot, a channel id the channel.
"""

from __future__ import annotations

import random as _random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

#: (at most this many sends, in any this many seconds) per conversation: Microsoft's per-bot, per-thread limits.
WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
#: Added to every window: Microsoft's own clock and boundary rules are not ours to know.
MARGIN = 0.01


def single_tenant(_recipient: str) -> str:
    """Every recipient in one tenant (a bot installed for one council)."""
    return ""


@dataclass
class TeamsPacer:
    """Teams pacing state shared by dispatch passes (the running bot keeps one for its lifetime)."""

    tenant_of: Callable[[str], str] = single_tenant
    windows: tuple[tuple[int, float], ...] = WINDOWS
    interval: float = 1.0
    burst: int = 7
    tenant_rate: float = 30.0
    tenant_burst: int = 5
    max_backoff: float = 300.0
    random: Callable[[], float] = _random.random
    _sends: dict[str, deque[float]] = field(default_factory=dict)  # conversation -> when recent answers came back
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # conversation -> (tokens, as of)
    _tenant_tokens: dict[str, tuple[float, float]] = field(default_factory=dict)
    _blocked: dict[str, float] = field(default_factory=dict)  # conversation -> until
    _tenant_blocked: dict[str, float] = field(default_factory=dict)  # tenant -> until
    _synced: tuple[datetime, float] | None = None

    def __post_init__(self) -> None:
        self._keep = max(count for count, _ in self.windows)
        self._horizon = max(seconds for _, seconds in self.windows) + MARGIN

    def ready_at(self, method: str, scope: str) -> float:
        """The earliest time a message (a post or an update) may go to `scope`."""
        tenant = self.tenant_of(scope)
        at = max(self._blocked.get(scope, 0.0), self._tenant_blocked.get(tenant, 0.0))
        sends = self._sends.get(scope)
        if sends:
            for count, seconds in self.windows:
                if len(sends) >= count:
                    at = max(at, sends[-count] + seconds + MARGIN)
        if scope in self._tokens:
            tokens, since = self._tokens[scope]
            if tokens < 1.0:
                at = max(at, since + (1.0 - tokens) * self.interval)
        if tenant in self._tenant_tokens:
            tokens, since = self._tenant_tokens[tenant]
            if tokens < 1.0:
                at = max(at, since + (1.0 - tokens) / self.tenant_rate)
        return at

    def gap_holds(self, method: str, scope: str) -> bool:
        """Teams has no learnt workspace gap: a conversation only ever waits for its own limits or its tenant's."""
        return False

    def sent(self, method: str, scope: str, *, started: float, finished: float, held_by_gap: bool = True) -> None:
        """A message went through to `scope` (its answer came back at `finished`)."""
        sends = self._sends.setdefault(scope, deque(maxlen=self._keep))
        sends.append(finished)
        self._tokens[scope] = (self._available(scope, finished) - 1.0, finished)
        tenant = self.tenant_of(scope)
        self._tenant_tokens[tenant] = (self._tenant_available(tenant, finished) - 1.0, finished)

    def limited(self, method: str, scope: str, retry_after: float, *, started: float, finished: float) -> None:
        """Teams answered 429: honour `retry_after` for the conversation, or for its tenant when that is what it was."""
        until = finished + max(retry_after, 0.0)
        tenant = self.tenant_of(scope)
        others = [s for s, t in self._blocked.items() if s != scope and t > started and self.tenant_of(s) == tenant]
        self._blocked[scope] = max(self._blocked.get(scope, 0.0), until)
        self._tokens[scope] = (0.0, until - self.interval)  # one message when the wait is over, no burst
        if others:
            self._tenant_blocked[tenant] = max(self._tenant_blocked.get(tenant, 0.0), until)

    def backoff(self, attempts: int) -> float:
        """Seconds before retrying after a server or network error: exponential, capped, jittered (half to all)."""
        base = min(2.0 ** max(attempts, 1), self.max_backoff)
        return base * (0.5 + 0.5 * self.random())

    def follow(self, now: datetime, moment: float) -> None:
        """Keep pace with the bot's clock when it is moved by hand (tests, the sandbox, `sweep --now`)."""
        if self._synced is not None:
            then, before = self._synced
            jump = (now - then).total_seconds() - (moment - before)
            if jump > 0:
                self._shift(jump)
        self._synced = (now, moment)

    def forget_before(self, moment: float) -> None:
        """Drop what no longer limits anything (keeps the state small in a long-running bot)."""
        self._blocked = {k: v for k, v in self._blocked.items() if v > moment}
        self._tenant_blocked = {k: v for k, v in self._tenant_blocked.items() if v > moment}
        self._sends = {k: v for k, v in self._sends.items() if v and v[-1] > moment - self._horizon}
        refill = self.interval * max(self.burst, 1)
        self._tokens = {k: v for k, v in self._tokens.items() if v[1] > moment - refill}
        tenant_refill = max(self.tenant_burst, 1) / self.tenant_rate
        self._tenant_tokens = {k: v for k, v in self._tenant_tokens.items() if v[1] > moment - tenant_refill}

    def _shift(self, seconds: float) -> None:
        self._blocked = {k: v - seconds for k, v in self._blocked.items()}
        self._tenant_blocked = {k: v - seconds for k, v in self._tenant_blocked.items()}
        self._sends = {k: deque((t - seconds for t in v), maxlen=self._keep) for k, v in self._sends.items()}
        self._tokens = {k: (tokens, since - seconds) for k, (tokens, since) in self._tokens.items()}
        self._tenant_tokens = {k: (tokens, since - seconds) for k, (tokens, since) in self._tenant_tokens.items()}

    def _available(self, scope: str, moment: float) -> float:
        capacity = float(max(self.burst, 1))
        tokens, since = self._tokens.get(scope, (capacity, moment))
        return min(capacity, tokens + max(moment - since, 0.0) / self.interval)

    def _tenant_available(self, tenant: str, moment: float) -> float:
        capacity = float(max(self.tenant_burst, 1))
        tokens, since = self._tenant_tokens.get(tenant, (capacity, moment))
        return min(capacity, tokens + max(moment - since, 0.0) * self.tenant_rate)
