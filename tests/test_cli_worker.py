"""`coregroup run` answers Slack in one process and sweeps and sends in its worker: they start and stop together."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.notices import NoticeKind
from store.db import make_session_factory
from store.uow import UnitOfWork
from tests.harness import BOT_TOKEN, SIGNING_SECRET, migrated_engine


def wait_for_text(path: Path, pattern: str, timeout: float = 60.0) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"))
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} never appeared in the log:\n{path.read_text(errors='replace')[-3000:]}")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def replica(tmp_path, fake_slack):
    if not Path("/proc/self/task").exists():
        pytest.skip("finding the worker process needs Linux's /proc")
    url = f"sqlite:///{tmp_path / 'run.db'}"
    engine = migrated_engine(url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        uow.outbox.enqueue(
            key="worker-proof",
            kind=NoticeKind.DELIVERY_FAILED,
            recipient="C0WORKER",
            now=datetime.now(timezone.utc),
            payload={"kind": "meeting_scheduled", "recipient": "C0X", "error": "channel_not_found", "reference": None},
        )
        uow.commit()
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--port", "0", "--host", "127.0.0.1"], env=env, stderr=out
        )
        try:
            port = int(wait_for_text(log, r"listening on http://127\.0\.0\.1:(\d+)").group(1))
            yield process, port, log
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_run_answers_health_checks_while_its_worker_sends_what_the_outbox_holds(replica, fake_slack):
    process, port, _log = replica
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        assert answer.status == 200
    [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
    assert post.params["channel"] == "C0WORKER"
    [worker] = children(process.pid)
    assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, process.pid)  # requests first


def test_a_replica_whose_worker_dies_stops_whole_so_its_supervisor_restarts_it(replica):
    process, _port, log = replica
    wait_for_text(log, "worker started")
    [worker] = children(process.pid)
    os.kill(worker, signal.SIGKILL)
    assert process.wait(timeout=30) == 1
    assert "the worker (sweep and dispatcher) exited" in log.read_text()


def test_a_stopped_replica_stops_its_worker_too(replica):
    process, _port, log = replica
    wait_for_text(log, "worker started")
    [worker] = children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
