"""The entry point that wires everything: settings -> database -> services -> Bolt app -> HTTP/scheduler.

Nothing is created on import; `build_runtime` does it all, once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Engine

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import Services
from bot.dispatch import CLAIM_SECONDS, DispatchReport, NoticeSender, dispatch_pending
from bot.health import PassTimes
from bot.http_guard import SlackGate, json_answer
from bot.logs import quiet_bolt_body_logging
from bot.metrics import CONTENT_TYPE, Metrics, metered
from bot.observed import ContextCarryingExecutor, observe_requests
from bot.pacing import Pacer, Pacing
from bot.sweep import SweepReport, sweep
from bot.worker_metrics import WorkerPassTimes
from handlers.blocks.slack import slack_renderers
from handlers.delivery import SlackNoticeSender
from handlers.errors import mark_verified
from handlers.home import HomeRefresher
from store.changes import Changes, changes_for
from store.db import check_database, make_engine, make_session_factory
from store.dispatcher_lock import DispatcherLock
from store.uow import UnitOfWork

if TYPE_CHECKING:
    from teams.config import TeamsSettings
    from teams.surface import TeamsSurface

log = logging.getLogger("coregroup")

#: Threads running listeners. A listener acks first and then works (reads, posts its answer); while the 09:00 sweep
#: keeps PostgreSQL busy that work is slower, and with Bolt's 5 threads the next command's ack waited for a free one.
LISTENER_THREADS = 16


@dataclass
class Runtime:
    """Everything a running bot holds: the database, the services, the Bolt app and its client."""

    settings: Settings
    engine: Engine
    services: Services
    app: App | None  # the Bolt app; None when only Teams is configured
    client: WebClient
    sender: NoticeSender  # Slack's; each pass counts every platform's sends (bot.metrics.MeteredSender)
    metrics: Metrics
    passes: PassTimes  # when the sweep and the dispatcher last completed a pass (/healthz)
    extras: dict[str, Any] = field(default_factory=dict)
    pacer: Pacer = field(default_factory=Pacer)  # Slack's rate-limit state kept across dispatch passes
    #: Senders of the other platforms this bot delivers to (e.g. "teams"), and their pacing kept across passes.
    senders: dict[str, NoticeSender] = field(default_factory=dict)
    pacers: dict[str, Pacing] = field(default_factory=dict)
    #: Only the replica holding it dispatches (PostgreSQL); None: this process always dispatches.
    dispatcher_lock: DispatcherLock | None = None
    #: How long a message in flight stays claimed: after a crash, another dispatcher sends it after this.
    claim_seconds: float = CLAIM_SECONDS
    #: Called with each dispatch pass's report (e.g. re-publishing the Home tabs of the people it reached).
    after_dispatch: list[Callable[[DispatchReport], Any]] = field(default_factory=list)
    teams: TeamsSurface | None = None  # POST /api/messages and the Teams sender, when TEAMS_APP_ID is set

    def sweep(self) -> SweepReport:
        """One sweep at the clock's time, timed; a completed one is noted for /healthz."""
        started = time.perf_counter()
        report = sweep(uow_factory=self.services.uow_factory, now=self.services.clock.now())
        self.metrics.sweep_duration.observe(time.perf_counter() - started)
        self._completed("sweep")
        return report

    def dispatch(self) -> DispatchReport:
        """One dispatch pass at the clock's time (re-read as the pass goes), paced by the runtime's pacer;
        nothing when another replica holds the dispatcher lock (this one stands by and tries again next tick)."""
        if self.dispatcher_lock is not None and not self.dispatcher_lock.held():
            self._completed("dispatcher", standing_by=True)  # standing by is this replica's job: it is healthy
            return DispatchReport(standing_by=True)
        clock = self.services.clock
        report = dispatch_pending(
            uow_factory=self.services.uow_factory,
            # Slack's sender only when Slack is configured: a Teams-only bot leaves no row to a sender without a token.
            senders=metered({**({"slack": self.sender} if self.app is not None else {}), **self.senders}, self.metrics),
            now=clock.now(),
            pacer=self.pacer,
            pacers=self.pacers,
            clock=clock.now,
            claim_seconds=self.claim_seconds,
        )
        self._completed("dispatcher")
        for hook in self.after_dispatch:
            try:
                hook(report)
            except Exception:  # what follows a pass must never undo it: log and go on
                log.exception("after-dispatch step failed")
        return report

    def _completed(self, name: str, *, standing_by: bool = False) -> None:
        at = self.passes.completed(name, standing_by=standing_by)
        self.metrics.pass_completed(name, at, standing_by=standing_by)

    def close(self) -> None:
        """Give up the dispatcher lock, so another replica takes over at once; stop listening for changes."""
        if self.dispatcher_lock is not None:
            self.dispatcher_lock.release()
        if self.teams is not None:
            self.teams.close()

    def wsgi(self):
        """The HTTP surface: POST /slack/events for Slack, POST /api/messages for Teams, GET /healthz and GET /metrics
        for monitoring."""
        return make_wsgi_app(
            self.app,
            self.engine,
            signing_secret=self.settings.slack_signing_secret,
            teams=self.teams.wsgi if self.teams else None,
            metrics=self.metrics,
            passes=self.passes,
        )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    teams_http: httpx.Client | None = None,
    health_clock: Clock | None = None,
    worker_dir: str | None = None,
) -> Runtime:
    """Wire the bot from its settings: Slack unless only Teams is configured, Teams when TEAMS_APP_ID is set;
    `health_clock` times the passes /healthz watches (default: `clock`); `worker_dir`: the sweep and the dispatcher
    run in a worker writing its metrics there (`bot.worker_metrics`), and /metrics and /healthz show the worker's."""
    engine = engine or make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    services = Services(uow_factory=lambda: UnitOfWork(session_factory), clock=clock or SystemClock())
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    changes = changes_for(engine, sessions=session_factory) if settings.teams else None
    teams = _teams_surface(settings.teams, services, http=teams_http, changes=changes) if settings.teams else None
    slack = settings.has_slack or teams is None
    app = create_bolt_app(settings, services=services, client=client) if slack else None
    health = health_clock or services.clock
    passes = WorkerPassTimes(health, worker_dir) if worker_dir else PassTimes(health)
    metrics = Metrics(uow_factory=services.uow_factory, clock=services.clock, passes=passes, worker_dir=worker_dir)
    return Runtime(
        settings=settings,
        engine=engine,
        services=services,
        app=app,
        client=client,
        sender=SlackNoticeSender(client, renderers=slack_renderers()),
        senders={"teams": teams.sender} if teams else {},
        pacers={"teams": teams.pacer} if teams else {},
        after_dispatch=[HomeRefresher(services, client)] if slack else [],
        teams=teams,
        metrics=metrics,
        passes=passes,
        dispatcher_lock=DispatcherLock(engine),
    )


def _teams_surface(
    settings: TeamsSettings, services: Services, *, http: httpx.Client | None, changes: Changes | None
) -> TeamsSurface:
    # Imported only for an organisation in Teams: the Teams SDK and its models take about 70 MB in each process.
    from teams.features.request_renderers import teams_id_lookup
    from teams.renderers import teams_renderers
    from teams.surface import build_teams_surface

    renderers = teams_renderers(teams_id_of=teams_id_lookup(services.uow_factory))
    return build_teams_surface(settings, services, renderers=renderers, http=http, changes=changes)


def create_bolt_app(settings: Settings, *, services: Services, client: WebClient) -> App:
    """The Bolt app with every feature registered and the services injected into each listener."""
    quiet_bolt_body_logging()
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        listener_executor=ContextCarryingExecutor(max_workers=LISTENER_THREADS),
    )

    def inject_services(context, next):
        context["services"] = services
        next()

    def ignore_event_retries(body, next):
        # Slack retries events it thinks were slow; the event id says whether we have seen it.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with services.uow_factory() as uow:
                first = uow.events.first_time(event_id, now=services.clock.now())
                uow.commit()
            if not first:
                return BoltResponse(status=200, body="")
        next()

    app.use(mark_verified)  # first: the error handler answers only requests that got this far
    app.use(inject_services)
    app.use(ignore_event_retries)
    handlers.register_all(app)
    return app


def make_wsgi_app(
    app: App | None,
    engine: Engine,
    *,
    signing_secret: str | None,
    teams: Callable | None = None,
    metrics: Metrics | None = None,
    passes: PassTimes | None = None,
):
    """A WSGI callable routing Slack's requests to Bolt (through the gate), Teams' to the Teams SDK (through its
    gate), answering health checks and, given `metrics`, Prometheus's scrapes (each request then gets an id and its
    latency observed)."""
    slack = SlackGate(SlackRequestHandler(app), signing_secret=signing_secret) if app is not None else None

    def wsgi(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _healthz(start_response, engine, passes)
        if path == "/metrics" and method in ("GET", "HEAD") and metrics is not None:
            data = metrics.exposition()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(data)))])
            return [data]
        if path == "/slack/events" and slack is not None:
            return slack(environ, start_response)
        if path == "/api/messages" and teams is not None:
            return teams(environ, start_response)
        return json_answer(start_response, "404 Not Found", {"error": "not found"})

    return observe_requests(wsgi, metrics) if metrics is not None else wsgi


def _healthz(start_response, engine: Engine, passes: PassTimes | None) -> list[bytes]:
    """200 when the database answers and (given `passes`) the sweep and the dispatcher are keeping up; else
    503, saying which part is not."""
    body = {"status": "ok", "database": "ok"}
    try:
        check_database(engine)
    except Exception as exc:  # health checks report, they do not crash
        log.warning("health check failed: %s", exc.__class__.__name__)
        body = {"status": "error", "database": "unreachable"}
    if passes is not None:
        states = passes.report()
        body.update(states)
        if not passes.healthy(states):
            body["status"] = "error"
    return json_answer(start_response, "200 OK" if body["status"] == "ok" else "503 Service Unavailable", body)
