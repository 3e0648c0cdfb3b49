"""`coregroup run` as a process, the way an operator starts it: JSON logs with a request id, /healthz and
/metrics beside Slack's endpoint, and a second process on the same SQLite file refused."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from sandbox.fake_slack import FakeSlack

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


def environment(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL")) and k not in _PROXIES
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-process-test-not-real",
        SLACK_SIGNING_SECRET="process-test-secret",
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        **extra,
    )
    return env


class RunningBot:
    """A `coregroup run` process; its stderr lines are collected as they come."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, predicate, timeout: float = 60) -> str:
        """The first stderr line (from the start) for which `predicate` holds, waiting for it to come."""
        for line in self.seen:
            if predicate(line):
                return line
        while True:
            try:
                line = self.lines.get(timeout=timeout)  # an event, not a timing: fails only if it never comes
            except queue.Empty:
                raise AssertionError(f"never logged; got {self.seen}") from None
            self.seen.append(line)
            if predicate(line):
                return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def running(fake_slack, tmp_path) -> Iterator[tuple[RunningBot, str, str]]:
    """`coregroup run --log-format json` on a SQLite file; yields it, its URL and its database URL."""
    database_url = f"sqlite:///{tmp_path / 'coregroup.db'}"
    bot = RunningBot("--log-format", "json", env=environment(fake_slack, database_url))
    try:
        listening = json.loads(bot.wait_for(lambda line: "listening on" in line))
        url = listening["message"].split()[2]
        yield bot, url, database_url
    finally:
        bot.stop()


def request(url: str, *, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with OPENER.open(urllib.request.Request(url, data=data), timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_json_logs_are_one_object_per_line_and_a_requests_lines_carry_its_id(running):
    bot, url, _ = running
    status, headers, _ = request(f"{url}/slack/events", data=b"token=xoxb-sent-by-someone&text=hello")
    assert status == 401
    request_id = headers["X-Request-Id"]
    refused = json.loads(bot.wait_for(lambda line: request_id in line))
    assert refused["request_id"] == request_id and refused["level"] == "WARNING"
    assert refused["message"].startswith("refused POST /slack/events")
    assert "xoxb-sent" not in "".join(bot.seen) and "hello" not in refused["message"]
    for line in bot.seen:  # every line so far, start-up included, is one JSON object with the same fields
        assert {"time", "level", "logger", "message", "request_id"} <= set(json.loads(line))


def test_the_running_process_answers_healthz_and_metrics_beside_slacks_endpoint(running):
    _, url, _ = running
    status, _, body = request(f"{url}/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"
    status, headers, body = request(f"{url}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"coregroup_outbox_pending 0.0" in body and b'coregroup_seconds_since_pass{pass="sweep"}' in body


def test_a_second_run_on_the_same_sqlite_file_is_refused_with_a_clear_message(running, fake_slack, tmp_path):
    first, _, database_url = running
    second = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--host", "127.0.0.1", "--port", "0"],
        capture_output=True,
        text=True,
        env=environment(fake_slack, database_url),
        timeout=60,
    )
    database = tmp_path / "coregroup.db"
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert f"Another coregroup is already running on the SQLite database {database}" in second.stderr
    assert f"process {first.process.pid} holds {database}.lock" in second.stderr
    assert "use PostgreSQL" in second.stderr
    assert first.process.poll() is None  # the first goes on serving


def test_once_the_first_process_has_stopped_the_next_run_starts(running, fake_slack):
    first, _, database_url = running
    first.stop()
    assert first.process.returncode is not None
    following = RunningBot(env=environment(fake_slack, database_url))
    try:
        assert "listening on" in following.wait_for(lambda line: "listening on" in line)
    finally:
        following.stop()


def test_an_unknown_log_format_in_the_environment_is_refused_before_anything_starts(fake_slack, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--port", "0"],
        capture_output=True,
        text=True,
        env=environment(fake_slack, f"sqlite:///{tmp_path / 'x.db'}", COREGROUP_LOG_FORMAT="yaml"),
        timeout=60,
    )
    assert result.returncode == 2 and result.stderr.strip() == "COREGROUP_LOG_FORMAT must be one of: text, json."
