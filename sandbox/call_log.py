"""What the fake Slack received: recorded calls, waiting for them, scripted failures and rate limits.

``CallLog`` is a part of :class:`sandbox.fake_slack.FakeSlack`; it expects ``self._cond`` (a
``threading.Condition``), ``self._calls``, ``self._failures``, the rate-limit buckets and
``self._started_at`` to be set up by the fake.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CallLog", "RecordedCall"]


@dataclass
class RecordedCall:
    """One request the fake received.

    ``params`` is the form or JSON body (plus any query string) decoded into a dict; the JSON string
    fields ``blocks``, ``attachments``, ``view``, ``files`` and ``metadata`` of a form body are decoded
    into lists/dicts. ``headers`` is case-insensitive. ``status`` and ``response`` are what the fake
    answered (``response`` is ``None`` when the answer was not JSON).
    """

    method: str
    params: dict
    headers: dict
    at: float
    status: int = 200
    response: dict | None = None
    seq: int = 0

    @property
    def ok(self) -> bool:
        """True when the fake answered HTTP 200 with ``ok: true`` (or, for an upload, plain text)."""
        return self.status == 200 and (self.response is None or bool(self.response.get("ok")))

    @property
    def error(self) -> str | None:
        """The Slack error code the fake answered with, if any."""
        return (self.response or {}).get("error")

    @property
    def token(self) -> str | None:
        """The token sent (``Authorization: Bearer`` header or ``token`` parameter)."""
        auth = self.headers.get("authorization") or ""
        if auth.lower().startswith("bearer "):
            return auth[7:].strip() or None
        token = self.params.get("token")
        return token if isinstance(token, str) and token else None


@dataclass
class Failure:
    """A scripted failure of the next calls of one method."""

    status: int
    error: str
    retry_after: int | None
    remaining: int


@dataclass
class Bucket:
    """A token bucket: ``capacity`` posts at once, refilled at ``rate`` per second."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Refill, then return 0 if a token is available or the seconds until one is."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class CallLog:
    """Recording, waiting for and scripting the fake's calls (a mixin of ``FakeSlack``)."""

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Script the next ``times`` calls of ``method`` to fail.

        * ``status=429``: HTTP 429 with ``Retry-After: retry_after`` (default 1) and error ``ratelimited``.
        * ``status>=500`` (or any other non-200): that status with ``{"ok": false, "error": error}``
          (default ``internal_error``).
        * ``status=200``: ``{"ok": false, "error": error}`` (default ``internal_error``), as Slack
          reports most errors.

        ``method`` may also be ``"response_url"`` or ``"file_upload"``. Failures queue up in order.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if status == 429:
            error = error or "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        failure = Failure(status=status, error=error or "internal_error", retry_after=retry_after, remaining=times)
        with self._cond:
            self._failures.setdefault(method, deque()).append(failure)

    def set_rate_limit(
        self,
        per_channel_per_second: float | None = None,
        global_per_second: float | None = None,
        *,
        burst: float = 1.0,
    ) -> None:
        """Rate-limit ``chat.postMessage`` (token buckets; ``None`` switches a limit off).

        Beyond a limit the call is answered HTTP 429, error ``ratelimited``, with ``Retry-After`` in whole
        seconds (at least 1), as Slack does. ``burst`` is how many posts may go at once before the
        rate applies. Rate-limited calls are recorded (``status == 429``).
        """
        for value in (per_channel_per_second, global_per_second):
            if value is not None and value <= 0:
                raise ValueError("rates must be positive (or None for no limit)")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        with self._cond:
            self._per_channel_rate = per_channel_per_second
            self._global_rate = global_per_second
            self._burst = float(burst)
            self._channel_buckets = {}
            self._global_bucket = None

    @property
    def calls(self) -> list[RecordedCall]:
        """Every request received since start/reset, oldest first (a copy)."""
        with self._cond:
            return list(self._calls)

    def mark(self) -> int:
        """A bookmark: pass it as ``since=`` to only look at calls that arrive after this point."""
        with self._cond:
            return self._calls[-1].seq if self._calls else 0

    def calls_to(self, method: str, *, since: int = 0) -> list[RecordedCall]:
        """The calls to ``method`` (after the bookmark ``since``), oldest first."""
        with self._cond:
            return [c for c in self._calls if c.method == method and c.seq > since]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[RecordedCall], bool] | None = None,
        since: int = 0,
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` calls to ``method`` (matching ``where``) have arrived.

        Returns all matching calls so far, oldest first. Raises ``AssertionError`` listing every call
        that *was* received if the count is not reached within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(method, where, since)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected at least {count} call(s) to {method}"
                        f"{' matching the condition' if where else ''} within {timeout:g}s, "
                        f"but saw {len(found)}.\n{self._describe_calls(since)}"
                    )
                self._cond.wait(min(remaining, 0.1))

    def assert_no_call(
        self,
        method: str,
        *,
        within: float = 0.3,
        where: Callable[[RecordedCall], bool] | None = None,
        since: int = 0,
    ) -> None:
        """Wait ``within`` seconds and assert that no call to ``method`` (matching ``where``) arrived.

        Calls received before this method was called count too (scope with ``since=fake.mark()``).
        Fails as soon as a matching call is seen.
        """
        deadline = time.monotonic() + within
        with self._cond:
            while True:
                found = self._matching(method, where, since)
                if found:
                    raise AssertionError(
                        f"expected no call to {method}{' matching the condition' if where else ''}, "
                        f"but saw {len(found)}:\n" + "\n".join(self._describe(c) for c in found)
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(min(remaining, 0.1))

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        return failure

    def _rate_limited(self, params: dict) -> float | None:
        """Seconds to wait if this chat.postMessage is over a limit, else None (and spend the tokens)."""
        now = time.monotonic()
        buckets: list[Bucket] = []
        if self._per_channel_rate is not None:
            channel = self._conversation_id(str(params.get("channel") or ""))
            bucket = self._channel_buckets.get(channel)
            if bucket is None:
                bucket = Bucket(self._per_channel_rate, self._burst, self._burst, now)
                self._channel_buckets[channel] = bucket
            buckets.append(bucket)
        if self._global_rate is not None:
            if self._global_bucket is None:
                self._global_bucket = Bucket(self._global_rate, self._burst, self._burst, now)
            buckets.append(self._global_bucket)
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if wait > 0:
            return wait  # nothing spent: a 429 from one limit does not cost a token of the other
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None

    def _matching(self, method: str, where: Callable[[RecordedCall], bool] | None, since: int) -> list[RecordedCall]:
        return [c for c in self._calls if c.method == method and c.seq > since and (where is None or where(c))]

    def _describe_calls(self, since: int = 0) -> str:
        calls = [c for c in self._calls if c.seq > since]
        if not calls:
            return "No calls were received" + (" after the bookmark." if since else ".")
        lines = [f"Calls received ({len(calls)}):"]
        lines.extend(self._describe(c) for c in calls)
        return "\n".join(lines)

    def _describe(self, call: RecordedCall) -> str:
        details = []
        keys = ("channel", "channel_id", "user", "user_id", "users", "ts", "trigger_id", "view_id", "file_id", "_key")
        for key in keys:
            value = call.params.get(key)
            if value not in (None, ""):
                details.append(f"{key}={value}")
        view = call.params.get("view")
        if isinstance(view, dict) and view.get("callback_id"):
            details.append(f"callback_id={view['callback_id']}")
        text = call.params.get("text")
        if isinstance(text, str) and text:
            details.append(f"text={_shorten(text)!r}")
        if call.ok:
            outcome = "ok"
        elif call.error:
            outcome = f"HTTP {call.status} error={call.error}"
        else:
            outcome = f"HTTP {call.status}"
        offset = call.at - self._started_at
        return " ".join([f"  #{call.seq} +{offset:.3f}s {call.method}", *details, f"-> {outcome}"])


def _shorten(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
