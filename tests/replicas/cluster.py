"""Replicas as real processes (`tests/replicas/replica.py`) on one PostgreSQL, for the tests and the benchmarks."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from store.dispatcher_lock import DISPATCHER_LOCK_KEY

ROOT = Path(__file__).resolve().parents[2]


class Replica:
    """One replica process: started at once, told to `go` (start its scheduler) later."""

    def __init__(
        self,
        *,
        database_url: str,
        api_url: str,
        signing_secret: str,
        token: str,
        start: datetime,
        log_path: Path,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_API_URL": api_url,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_BOT_TOKEN": token,
        }
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("COREGROUP_CONFIG", None)
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop(); a pipe could fill and block the replica
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.replicas.replica", "--start", start.isoformat(), *extra_args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # its own process group: the replica and its worker, killed together
        )
        self.port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_listening(self, timeout: float) -> int:
        """The replica's HTTP port, once it has migrated and serves."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline().decode() if ready else ""
        if not line.startswith("listening "):
            raise AssertionError(f"replica {self.pid} did not start: {line!r}\n{self.log()}")
        self.port = int(line.split()[1])
        return self.port

    def go(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"go\n")
        stdin.flush()

    def kill(self) -> None:
        """SIGKILL to the replica and its worker: no clean-up at all, as when its host or container dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def holds(self, pid: int) -> bool:
        """Whether `pid` is this replica or one of its processes (its worker)."""
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


def start_replicas(count: int, *, timeout: float = 90.0, **kwargs) -> list[Replica]:
    """`count` replicas started together (they migrate the database one at a time), each listening."""
    log_dir: Path = kwargs.pop("log_dir")
    replicas = [Replica(log_path=log_dir / f"replica-{i}.log", **kwargs) for i in range(count)]
    deadline = time.monotonic() + timeout
    try:
        for replica in replicas:
            replica.wait_listening(max(deadline - time.monotonic(), 1.0))
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


def dispatcher_pids(engine: Engine) -> list[int]:
    """The process ids of the replicas holding the dispatcher lock (from PostgreSQL's own view of it)."""
    with engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((l.classid::bigint << 32) | l.objid::bigint) = :key"
            ),
            {"key": DISPATCHER_LOCK_KEY},
        ).scalars()
        return [int(name.rsplit(":", 1)[1]) for name in names if name and name.startswith("coregroup dispatcher")]
