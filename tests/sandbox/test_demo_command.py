"""`coregroup demo`, and `coregroup run` on a machine with no Slack credentials, start the sandbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request

import pytest

ADDRESS = re.compile(r"open (http://127\.0\.0\.1:\d+/) in a browser")
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def start(*args: str, env: dict | None = None) -> tuple[subprocess.Popen, str, list[str]]:
    """Start `coregroup ARGS` with no Slack credentials; return it, the address it printed, and its stderr."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL"))}
    environment.update(env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
    timer = threading.Timer(60, process.kill)
    timer.start()
    try:
        for line in process.stdout:
            found = ADDRESS.search(line)
            if found:
                return process, found.group(1), errors
    finally:
        timer.cancel()
    process.kill()
    pytest.fail(f"no address printed; stderr: {''.join(errors)}")


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_run_without_credentials_says_so_starts_the_sandbox_and_prints_its_address():
    process, url, errors = start("run", "--port", "0")
    try:
        with _opener.open(url, timeout=10) as page:
            assert page.status == 200 and b"coregroup sandbox" in page.read()
    finally:
        assert stop(process) == 0
    said = "".join(errors)
    assert "No Slack credentials are set, so coregroup is starting the local sandbox instead." in said
    assert "SLACK_BOT_TOKEN" in said and "SLACK_SIGNING_SECRET" in said and "SLACK_APP_TOKEN" in said
    assert "manifest.yml" in said


def test_demo_starts_the_sandbox_on_the_port_asked_for_with_a_fresh_database(tmp_path):
    process, url, _ = start("demo", "--port", "0", env={"TMPDIR": str(tmp_path)})
    try:
        with _opener.open(url + "sandbox/state?user=U0SAM", timeout=10) as answer:
            assert b"#cp-demo-0001" in answer.read()
        [folder] = list(tmp_path.glob("coregroup-sandbox-*"))
        assert (folder / "sandbox.db").exists()
    finally:
        assert stop(process) == 0
    assert list(tmp_path.glob("coregroup-sandbox-*")) == []
