"""The local sandbox: the real bot, a Slack stand-in with a web page, and a demo organisation.

``coregroup demo`` (and ``coregroup run`` with no Slack credentials) starts it::

    with Sandbox(port=3000) as sandbox:
        print(sandbox.url)          # open it in a browser

What runs, all on 127.0.0.1:

* the fake Slack (:class:`sandbox.fake_slack.FakeSlack`) on ``port``: the Web API the bot calls, and the
  page (:mod:`sandbox.page`) a person uses to act as anyone in the demo organisation;
* the bot, built by ``bot.app.build_runtime`` exactly as ``coregroup run`` builds it, served over HTTP on a
  free port. It gets ``SLACK_API_URL`` = the fake's API URL, a token and a freshly generated signing
  secret; every slash command, click, submission and ``app_home_opened`` reaches it signed, over HTTP,
  in Slack's own payload shapes (:class:`sandbox.slack_sender.SlackSender`). It does not know it is in
  a sandbox; only its clock is the sandbox's movable one (:class:`sandbox.clock.OffsetClock`);
* a ticker that dispatches the outbox every half second and sweeps every minute, as the scheduler of
  ``coregroup run`` does (faster, so the page feels live).

The database is a fresh SQLite file in a temporary directory, removed at the end, unless
``database_url`` is given.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
import threading
import time as _time
from datetime import datetime, timedelta, timezone

from bot.calendar import WorkingCalendar
from sandbox.clock import OffsetClock, sweep_moments
from sandbox.demo_org import NATION, TIMEZONE, DemoOrganisation, demo_workspace

__all__ = ["Sandbox", "run_demo"]

log = logging.getLogger("sandbox.demo")

DISPATCH_SECONDS = 0.5
SWEEP_SECONDS = 60
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


class Sandbox:
    """The bot and its Slack stand-in, started together and stopped together."""

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        database_url: str | None = None,
        start: datetime | None = None,
        seed: bool = True,
        ticking: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.database_url = database_url
        self.start_at = (start or datetime.now(timezone.utc)).replace(microsecond=0)
        self.seed, self.ticking = seed, ticking
        self.timezone = TIMEZONE
        self.calendar = WorkingCalendar(nation=NATION, timezone=TIMEZONE)
        self.workspace = demo_workspace()
        self.notes: list[str] = []
        self._lock = threading.Lock()
        self._moving = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tmp: tempfile.TemporaryDirectory | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Sandbox:
        """Start the fake Slack, the bot and the page; seed the demo organisation."""
        from bot.app import build_runtime
        from bot.clock import SystemClock
        from bot.config import Settings
        from bot.http_server import BackgroundServer
        from sandbox.client import SlackClient
        from sandbox.fake_slack import FakeSlack
        from sandbox.page import SandboxPage
        from sandbox.slack_sender import SlackSender
        from store.migrate import upgrade

        for name in _PROXY_VARIABLES:  # slack_sdk would send the bot's calls to 127.0.0.1 through a proxy
            os.environ.pop(name, None)
        begins = self.start_at - timedelta(days=16) if self.seed else self.start_at
        self.clock = OffsetClock(begins)
        people = {p.id: p.label for p in self.workspace.people}
        self.fake = FakeSlack(users=people, host=self.host, port=self.port, clock=lambda: self.clock.now().timestamp())
        self.fake.start()
        self.fake.mount("/", SandboxPage(self).route)
        signing_secret = secrets.token_hex(32)
        settings = Settings(
            slack_bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}",
            slack_signing_secret=signing_secret,
            slack_api_url=self.fake.api_url,
            database_url=self.database_url or self._temporary_database(),
        )
        # /healthz watches the passes on the machine's clock: a jump of days at a click is not a stalled sweep,
        # and the ticker below keeps both passes fresh in real time.
        self.runtime = build_runtime(settings, clock=self.clock, health_clock=SystemClock())
        upgrade(self.runtime.engine)
        self._bot_server = BackgroundServer(self.runtime.wsgi(), threads=8).start()
        self.bot_url = self._bot_server.url
        sender = SlackSender(
            bot_url=f"{self.bot_url}/slack/events",
            signing_secret=signing_secret,
            response_url_factory=self.fake.response_url,
            user_names=people,
        )
        self.client = SlackClient(fake=self.fake, sender=sender, workspace=self.workspace)
        if self.seed:
            demo = DemoOrganisation(
                uow_factory=self.runtime.services.uow_factory, clock=self.clock, replay_to=self.replay_to
            )
            self.notes = demo.seed(self.start_at)
        else:
            self.replay_to(self.start_at)
        if self.ticking:
            self._spawn(self._tick_forever, "sandbox-ticker")
        return self

    def stop(self) -> None:
        """Stop everything this sandbox started (idempotent)."""
        self._stopping.set()
        server = getattr(self, "_bot_server", None)
        if server is not None:
            server.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if getattr(self, "fake", None) is not None:
            self.fake.stop()
        if getattr(self, "runtime", None) is not None:
            self.runtime.close()
            self.runtime.engine.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The page's address."""
        return f"{self.fake.base_url}/"

    # ------------------------------------------------------------------ time

    def tick(self, *, sweep: bool = False) -> tuple[int, int]:
        """Dispatch the outbox (after a sweep, if asked) at the sandbox's time: (enqueued, sent).

        A failing sweep or dispatch is logged and the other goes on, as the scheduler's ticks do."""
        enqueued = sent = 0
        with self._lock:
            if sweep:
                try:
                    enqueued = self.runtime.sweep().total
                except Exception:
                    log.exception("sandbox sweep failed")
            for _ in range(3):  # an update waits for the message it replaces: let it follow in the same tick
                try:
                    report = self.runtime.dispatch()
                except Exception:
                    log.exception("sandbox dispatch failed")
                    break
                sent += len(report.sent)
                if not report.retrying:
                    break
        return enqueued, sent

    def replay_to(self, moment: datetime, *, hourly: bool = False) -> tuple[int, int]:
        """Move the clock forward to ``moment``, sweeping on the way as the running bot would have
        (hourly in working hours, or only at 09:00 each day) and at ``moment``: (enqueued, sent)."""
        enqueued = sent = 0
        with self._moving:  # one jump at a time (a double click waits for the first)
            steps = list(
                sweep_moments(
                    self.clock.now(), moment, self.timezone, hourly=hourly, is_working_day=self.calendar.is_working_day
                )
            )
            for step in [*steps, moment]:
                if step > self.clock.now():
                    self.clock.move_to(step)
                swept, delivered = self.tick(sweep=True)
                enqueued, sent = enqueued + swept, sent + delivered
        return enqueued, sent

    def _tick_forever(self) -> None:
        last_sweep = _time.monotonic()
        while not self._stopping.wait(DISPATCH_SECONDS):
            sweep = _time.monotonic() - last_sweep >= SWEEP_SECONDS
            self.tick(sweep=sweep)
            if sweep:
                last_sweep = _time.monotonic()

    # ------------------------------------------------------------------ helpers

    def _temporary_database(self) -> str:
        self._tmp = tempfile.TemporaryDirectory(prefix="coregroup-sandbox-")
        return f"sqlite:///{self._tmp.name}/sandbox.db"

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)


def run_demo(*, port: int, host: str = "127.0.0.1", database_url: str | None = None, reason: str | None = None) -> int:
    """Start the sandbox, print its address, and run until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    sandbox = Sandbox(port=port, host=host, database_url=database_url)
    try:
        sandbox.start()
    except OSError as exc:
        sandbox.stop()
        print(
            f"The sandbox cannot listen on {host}:{port} ({exc.strerror or exc}): choose another port with --port.",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if reason:
        print(reason, flush=True)
    print(f"Sandbox running: open {sandbox.url} in a browser (Ctrl-C to stop).", flush=True)
    for note in sandbox.notes:
        print(f"  {note}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
