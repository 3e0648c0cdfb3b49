"""The HTTP surface beside Slack's endpoint: health checks and unknown paths."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.app import make_wsgi_app
from bot.http_server import BackgroundServer
from store.db import make_engine
from tests.harness import SIGNING_SECRET

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> tuple[int, dict]:
    try:
        with OPENER.open(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_reports_ok_when_the_database_answers(bot):
    bot.sweep()  # a sweep and a dispatch pass just completed: /healthz also watches those (test_monitoring.py)
    assert get(f"{bot.url}/healthz") == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})


def test_unknown_paths_get_404(bot):
    assert get(f"{bot.url}/admin")[0] == 404


def test_healthz_reports_503_when_the_database_is_unreachable(bot, tmp_path):
    broken = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    server = BackgroundServer(make_wsgi_app(bot.runtime.app, broken, signing_secret=SIGNING_SECRET)).start()
    try:
        status, body = get(f"{server.url}/healthz")
    finally:
        server.stop()
    assert (status, body) == (503, {"status": "error", "database": "unreachable"})
