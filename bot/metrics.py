"""What `GET /metrics` shows, in Prometheus's text format: one registry per runtime, nothing at import time.

Counters and histograms are incremented where things happen (the sender, the sweep, the WSGI layer); the
outbox and the ledger are read from the database at scrape time, one statement each, so every process of a
replicated deployment reports the same figures for them. When the sweep and the dispatcher run in a worker
process (`coregroup run`'s child), the worker's instruments live in prometheus_client's multiprocess files in a
directory private to the replica, and the serving process shows them (`Metrics(worker_dir=...)`). Nothing here
carries a name, a message or a token: labels are platforms, Web API methods, routes and obligation kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from bot.clock import Clock
from bot.dispatch import Delivery, NoticeSender, PermanentFailure, RetryLater, TemporaryFailure
from bot.health import PASSES, PassTimes
from bot.pacing import POST, UPDATE
from store.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

__all__ = ["CONTENT_TYPE", "MeteredSender", "Metrics", "ROUTES", "metered", "route_of"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
#: The routes request latency is labelled by; anything else is "other" (so a scan cannot grow the label set).
ROUTES = ("/slack/events", "/api/messages", "/healthz", "/metrics")
#: Slack must have its ack within 3 seconds: a bucket edge there shows how close requests come.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
SWEEP_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def route_of(path: str) -> str:
    """The route label for a request path."""
    return path if path in ROUTES else "other"


class Metrics:
    """The runtime's registry and the instruments the bot updates as it works."""

    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, clock: Clock, passes: PassTimes, worker_dir: str | None = None
    ) -> None:
        self.registry = CollectorRegistry()
        # What the sweep and the dispatcher update: shown from this registry when they run in this process; with
        # a worker (`worker_dir`: its multiprocess files) these stay unregistered and the worker's are shown.
        passes_here = None if worker_dir else self.registry
        self.sent = Counter(
            "coregroup_notices_sent",
            "Notices the chat platform accepted.",
            ["platform", "method"],
            registry=passes_here,
        )
        self.failures = Counter(
            "coregroup_notice_failures",
            "Sends the platform refused: permanent (the row is failed) or temporary (retried with backoff).",
            ["platform", "method", "kind"],
            registry=passes_here,
        )
        self.rate_limited = Counter(
            "coregroup_rate_limited",
            "Sends answered 429 (rate limited); the message is retried after Retry-After.",
            ["platform", "method"],
            registry=passes_here,
        )
        self.sweep_duration = Histogram(
            "coregroup_sweep_duration_seconds",
            "How long each completed sweep took.",
            buckets=SWEEP_BUCKETS,
            registry=passes_here,
        )
        self.last_pass = Gauge(
            "coregroup_last_pass_timestamp_seconds",
            "When the sweep or the dispatcher last completed a pass (Unix time).",
            ["pass"],
            multiprocess_mode="max",
            registry=passes_here,
        )
        self.standing_by = Gauge(
            "coregroup_dispatcher_standing_by",
            "1 while this replica stands by (another replica holds the dispatcher lock), 0 while it dispatches.",
            multiprocess_mode="mostrecent",
            registry=passes_here,
        )
        self.request_duration = Histogram(
            "coregroup_http_request_duration_seconds",
            "Time to answer an HTTP request, by route (/slack/events is the time to Slack's ack).",
            ["route"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ScrapeTimeCollector(uow_factory=uow_factory, clock=clock, passes=passes))
        if worker_dir:
            MultiProcessCollector(self.registry, path=worker_dir)

    def pass_completed(self, name: str, at: datetime, *, standing_by: bool = False) -> None:
        """Note a completed pass (`PassTimes.completed`'s moment), so a serving process can read it."""
        self.last_pass.labels(name).set(at.timestamp())
        if name == "dispatcher":
            self.standing_by.set(1 if standing_by else 0)

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format (this reads the database)."""
        return generate_latest(self.registry)


class _ScrapeTimeCollector:
    """Figures read when Prometheus scrapes: the outbox, the overdue ledger, and how long since each pass."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock, passes: PassTimes) -> None:
        self.uow_factory, self.clock, self.passes = uow_factory, clock, passes

    def describe(self) -> list[Metric]:
        return []  # registering must not query the database; these names clash with nothing

    def collect(self) -> Iterator[Metric]:
        now = self.clock.now()
        yield from self._passes()
        up = GaugeMetricFamily("coregroup_metrics_database_up", "1 when this scrape could read the database.")
        try:
            with self.uow_factory() as uow:
                pending, oldest = uow.metrics.pending_outbox()
                overdue = uow.metrics.overdue_obligations(now=now)
        except Exception as exc:  # a scrape reports a database it cannot read; it does not fail
            log.warning("metrics could not read the database: %s", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("coregroup_outbox_pending", "Notices waiting to be delivered.", value=pending)
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "coregroup_outbox_oldest_pending_age_seconds",
            "How long the oldest waiting notice has waited (0 when none wait).",
            value=age,
        )
        by_kind = GaugeMetricFamily(
            "coregroup_obligations_overdue", "Open obligations past their overdue time, by kind.", labels=["kind"]
        )
        for kind, count in sorted(overdue.items()):
            by_kind.add_metric([kind], count)
        yield by_kind

    def _passes(self) -> Iterator[Metric]:
        since = GaugeMetricFamily(
            "coregroup_seconds_since_pass",
            "Seconds since the sweep or the dispatcher last completed a pass (since start-up before the first).",
            labels=["pass"],
        )
        for name in PASSES:
            since.add_metric([name], self.passes.seconds_since(name))
        yield since


def slack_method(replaces: Delivery | None) -> str:
    """The Web API method a Slack notice goes by (what the dispatcher paces by)."""
    return UPDATE if replaces is not None else POST


def other_method(replaces: Delivery | None) -> str:
    """The method label for a platform other than Slack: a new message or an update of one."""
    return "update" if replaces is not None else "post"


def metered(senders: Mapping[str, NoticeSender], metrics: Metrics) -> dict[str, NoticeSender]:
    """Every platform's sender, counted under its platform's label (one already counted is kept as it is)."""
    return {
        platform: sender
        if isinstance(sender, MeteredSender)
        else MeteredSender(
            sender, metrics, platform=platform, method_of=slack_method if platform == "slack" else other_method
        )
        for platform, sender in senders.items()
    }


class MeteredSender:
    """A chat surface's sender, counting what became of each send by platform and method."""

    def __init__(
        self,
        inner: NoticeSender,
        metrics: Metrics,
        *,
        platform: str = "slack",
        method_of: Callable[[Delivery | None], str] = slack_method,
    ) -> None:
        self.inner, self.metrics, self.platform, self.method_of = inner, metrics, platform, method_of

    def send(self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None) -> Delivery:
        """Send through the inner sender; count the outcome; pass its answer or its error on unchanged."""
        labels = (self.platform, self.method_of(replaces))
        try:
            delivery = self.inner.send(kind=kind, recipient=recipient, payload=payload, replaces=replaces)
        except RetryLater:
            self.metrics.rate_limited.labels(*labels).inc()
            raise
        except PermanentFailure:
            self.metrics.failures.labels(*labels, "permanent").inc()
            raise
        except TemporaryFailure:
            self.metrics.failures.labels(*labels, "temporary").inc()
            raise
        self.metrics.sent.labels(*labels).inc()
        return delivery
