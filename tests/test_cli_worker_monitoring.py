"""`coregroup run` serves /metrics and /healthz while its worker process sweeps and sends: what the operator sees
there is the worker's work, across the process boundary; on SQLite the worker shares its parent's lock."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.notices import NoticeKind
from store.db import make_session_factory
from store.dispatcher_lock import DispatcherLock
from store.uow import UnitOfWork
from tests.conftest import PG_SKIP_REASON
from tests.harness import migrated_engine, postgres_database
from tests.test_cli_run import RunningBot, environment, request

T = TypeVar("T")
UTC = timezone.utc
SENT = ("coregroup_notices_sent_total", (("method", "chat.postMessage"), ("platform", "slack")))
SWEEPS = ("coregroup_sweep_duration_seconds_count", ())

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="finding the worker process needs Linux's /proc"
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty, migrated database on each engine, for processes to share."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'run.db'}"
        migrated_engine(url).dispose()
        yield url
        return
    yield request.getfixturevalue("postgresql_url")


def enqueue_notice(database_url: str, key: str = "worker-metrics", channel: str = "C0WORKER") -> None:
    engine = migrated_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        uow.outbox.enqueue(
            key=key,
            kind=NoticeKind.DELIVERY_FAILED,
            recipient=channel,
            now=datetime.now(UTC),
            payload={"kind": "meeting_scheduled", "recipient": "C0X", "error": "channel_not_found", "reference": None},
        )
        uow.commit()
    engine.dispose()


def eventually(probe: Callable[[], T | None], timeout: float = 60.0) -> T:
    """The first truthy answer of `probe`, asked until it comes (an event, not a timing: fails only if never)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened; last answer {answer!r}")
        time.sleep(0.2)


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, _, body = request(f"{url}/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def health(url: str) -> tuple[int, dict]:
    status, _, body = request(f"{url}/healthz")
    return status, json.loads(body)


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def start_run(fake_slack, database_url: str, *args: str) -> tuple[RunningBot, str]:
    bot = RunningBot("--log-format", "json", *args, env=environment(fake_slack, database_url))
    listening = json.loads(bot.wait_for(lambda line: "listening on" in line))
    return bot, listening["message"].split()[2]


def test_runs_metrics_and_healthz_show_what_its_worker_swept_and_sent(fake_slack, database_url):
    enqueue_notice(database_url)
    bot, url = start_run(fake_slack, database_url)
    try:
        [worker] = children(bot.process.pid)
        [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
        assert post.params["channel"] == "C0WORKER"
        # Sent and swept in the worker, shown here (the first sweep and the dispatcher's ticks run side by side; the
        # send is counted when Slack answers and the row marked sent a moment later, so wait for both).
        pending = ("coregroup_outbox_pending", ())
        samples = eventually(
            lambda: (s := scrape(url)).get(SENT) == 1 and s.get(SWEEPS, 0) >= 1 and s.get(pending) == 0 and s
        )
        assert samples[pending] == 0 and samples[SENT] == 1
        assert samples[("coregroup_dispatcher_standing_by", ())] == 0
        assert samples[("coregroup_seconds_since_pass", (("pass", "dispatcher"),))] < 60
        # This process never sweeps nor dispatches: "ok" (not "starting: no pass yet") is the worker's passes.
        assert health(url) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})
        assert children(bot.process.pid) == [worker]
    finally:
        bot.stop()
    assert bot.process.returncode == 0


def test_the_workers_metrics_files_are_private_to_the_replica_and_removed_when_it_stops(fake_slack, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'run.db'}"
    bot, _url = start_run(fake_slack, database_url)
    try:
        bot.wait_for(lambda line: "worker started" in line)
        [worker] = children(bot.process.pid)
        environ = dict(
            entry.split("=", 1) for entry in Path(f"/proc/{worker}/environ").read_text().split("\0") if "=" in entry
        )
        directory = Path(environ["PROMETHEUS_MULTIPROC_DIR"])
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert eventually(lambda: list(directory.glob("*.db")))  # the worker writes its figures there
    finally:
        bot.stop()
    assert not directory.exists()


def test_runs_healthz_goes_stale_naming_both_passes_when_its_worker_stops_passing(fake_slack, database_url):
    from bot.app import build_runtime
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.http_server import BackgroundServer
    from bot.worker import WorkerProcess
    from bot.worker_metrics import WorkerDirectory

    # `coregroup run`'s wiring with the health clock in the test's hands; the worker is a real process.
    env = environment(fake_slack, database_url)
    settings = Settings.from_env(env)
    health_clock = FixedClock(datetime.now(UTC))
    shared = WorkerDirectory()
    runtime = build_runtime(settings, worker_dir=shared.path, health_clock=health_clock)
    server = BackgroundServer(runtime.wsgi()).start()
    assert health(server.url)[1]["sweep"] == "starting: no pass yet"
    worker = WorkerProcess(
        [sys.executable, "-m", "bot.cli", "worker"], on_exit=lambda _: None, env=shared.environment(env)
    )
    try:

        def both_passed() -> bool:
            return health(server.url) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})

        eventually(both_passed)
        os.kill(worker.pid, signal.SIGSTOP)  # alive, but it completes no pass any more
        health_clock.set(datetime.now(UTC) + timedelta(minutes=3))
        assert health(server.url) == (
            503,
            {
                "status": "error",
                "database": "ok",
                "sweep": "stale: last pass 3 min ago",
                "dispatcher": "stale: last pass 3 min ago",
            },
        )
        assert scrape(server.url)[("coregroup_seconds_since_pass", (("pass", "sweep"),))] >= 180
    finally:
        os.kill(worker.pid, signal.SIGCONT)
        worker.stop()
        server.stop()
        runtime.engine.dispose()
        shared.remove()


def test_with_no_worker_run_sweeps_sends_and_reports_in_its_one_process(fake_slack, database_url):
    enqueue_notice(database_url)
    bot, url = start_run(fake_slack, database_url, "--no-worker")
    try:
        [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
        assert post.params["channel"] == "C0WORKER"
        assert children(bot.process.pid) == []
        eventually(lambda: (s := scrape(url)).get(SENT) == 1 and s.get(SWEEPS, 0) >= 1)
        assert health(url) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})
    finally:
        bot.stop()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(server) as url:
        migrated_engine(url).dispose()
        yield url


@pytest.mark.postgres
def test_a_standby_replica_says_so_on_healthz_and_takes_over_when_the_dispatcher_goes(fake_slack, postgresql_url):
    from store.db import make_engine

    database_url = postgresql_url

    engine = make_engine(database_url)
    elsewhere = DispatcherLock(engine, name="another-replica")
    assert elsewhere.held()  # another replica dispatches
    enqueue_notice(database_url)
    bot, url = start_run(fake_slack, database_url)
    try:
        standing_by = {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "standing by"}
        assert eventually(lambda: health(url) == (200, standing_by))
        assert scrape(url)[("coregroup_dispatcher_standing_by", ())] == 1
        assert fake_slack.calls_to("chat.postMessage") == []
        elsewhere.release()  # the dispatcher stops: this replica's worker takes the lock on a later tick
        [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
        assert post.params["channel"] == "C0WORKER"
        assert eventually(lambda: health(url)[1]["dispatcher"] == "ok")
        assert scrape(url)[("coregroup_dispatcher_standing_by", ())] == 0
    finally:
        bot.stop()
        elsewhere.release()
        engine.dispose()


def test_on_sqlite_runs_own_worker_shares_its_lock_but_a_worker_started_by_hand_is_refused(fake_slack, tmp_path):
    database = tmp_path / "run.db"
    database_url = f"sqlite:///{database}"
    migrated_engine(database_url).dispose()
    enqueue_notice(database_url)
    bot, _url = start_run(fake_slack, database_url)
    try:
        [post] = fake_slack.wait_for("chat.postMessage", timeout=30)  # sent by run's worker, on the locked file
        assert post.params["channel"] == "C0WORKER"
        [worker] = children(bot.process.pid)
        by_hand = subprocess.run(
            [sys.executable, "-m", "bot.cli", "worker"],
            capture_output=True,
            text=True,
            env=environment(fake_slack, database_url),
            timeout=60,
        )
        assert by_hand.returncode == 1 and "Traceback" not in by_hand.stderr
        assert f"Another coregroup is already running on the SQLite database {database}" in by_hand.stderr
        assert f"process {bot.process.pid} holds {database}.lock" in by_hand.stderr
        assert children(bot.process.pid) == [worker]  # run and its worker go on
    finally:
        bot.stop()
