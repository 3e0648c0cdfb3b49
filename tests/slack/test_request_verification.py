"""Requests that are not signed by Slack get 401 and change nothing."""

from __future__ import annotations

import http.server
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.http_server import BackgroundServer

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    return bot


def status_body(bot) -> str:
    return urllib.parse.urlencode(
        {
            "command": "/core-group",
            "text": "status",
            "user_id": "U0HV",
            "channel_id": "C0CASE142",
            "team_id": "T0TEAM",
            "response_url": bot.fake.response_url("status"),
            "trigger_id": "1.2.3",
        }
    )


def saved_state(bot) -> tuple[int, int]:
    with bot.services.uow_factory() as uow:
        return len(uow.outbox.list()), len(uow.audit.list())


def assert_nothing_happened(bot, before: tuple[int, int]) -> None:
    bot.fake.assert_no_call("response_url", within=0.5)
    assert saved_state(bot) == before


def test_a_forged_signature_gets_401(case_bot):
    body, before = status_body(case_bot), saved_state(case_bot)
    headers = case_bot.slack.signed_headers(body)
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert case_bot.slack.post_raw(body, headers=headers).status == 401
    assert_nothing_happened(case_bot, before)


def test_a_timestamp_over_five_minutes_old_gets_401(case_bot):
    body, before = status_body(case_bot), saved_state(case_bot)
    headers = case_bot.slack.signed_headers(body, timestamp=int(time.time()) - 301)
    assert case_bot.slack.post_raw(body, headers=headers).status == 401
    assert_nothing_happened(case_bot, before)


def test_a_missing_signature_header_gets_401(case_bot):
    body, before = status_body(case_bot), saved_state(case_bot)
    headers = case_bot.slack.signed_headers(body)
    del headers["X-Slack-Signature"]
    assert case_bot.slack.post_raw(body, headers=headers).status == 401
    assert_nothing_happened(case_bot, before)


def assert_answered_when_signed(bot) -> None:
    body = status_body(bot)
    response = bot.slack.post_raw(body, headers=bot.slack.signed_headers(body))
    assert response.status == 200
    assert "CP-2027-0142" in bot.wait_for_reply()["text"]


def test_a_correctly_signed_request_is_answered(case_bot):
    assert_answered_when_signed(case_bot)


# --- malformed timestamps: no outbound call of any kind ------------------------------------------


class HitCounter:
    """A local HTTP server standing for an attacker's URL: it counts every request that reaches it."""

    def __init__(self) -> None:
        counter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                counter.hits += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.hits = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/steal"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker_url():
    counter = HitCounter()
    yield counter
    counter.stop()


def forged_bodies(target: str) -> list[str]:
    """A slash command and a button click whose replies would go to `target` and to a case channel."""
    command = {
        "command": "/core-group",
        "text": "status",
        "user_id": "C0CASE142",
        "channel_id": "C0CASE142",
        "team_id": "T0TEAM",
        "response_url": target,
        "trigger_id": "1.2.3",
    }
    click = {
        "type": "block_actions",
        "user": {"id": "C0CASE142"},
        "response_url": target,
        "trigger_id": "1.2.3",
        "team": {"id": "T0TEAM"},
        "channel": {"id": "C0CASE142"},
        "actions": [{"action_id": "request.approve", "block_id": "b", "value": "abc", "type": "button"}],
    }
    return [urllib.parse.urlencode(command), urllib.parse.urlencode({"payload": json.dumps(click)})]


def post_unverified(url: str, body: str, timestamp: str) -> int:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def assert_no_outbound_call(bot, attacker_url, *, since: int, before: tuple[int, int]) -> None:
    time.sleep(0.5)  # anything the bot would send after its answer has had time to arrive
    assert [call.method for call in bot.fake.calls[since:]] == []
    assert attacker_url.hits == 0
    assert saved_state(bot) == before


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "1e9"])
def test_a_malformed_timestamp_gets_401_and_the_bot_calls_nobody(case_bot, attacker_url, timestamp):
    before, since = saved_state(case_bot), len(case_bot.fake.calls)
    for body in forged_bodies(attacker_url.url):
        assert post_unverified(case_bot.slack.bot_url, body, timestamp) == 401
    assert_no_outbound_call(case_bot, attacker_url, since=since, before=before)
    assert_answered_when_signed(case_bot)


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "1e9"])
def test_without_the_gate_bolt_still_answers_401_and_the_error_handler_calls_nobody(
    case_bot, attacker_url, timestamp, caplog
):
    caplog.set_level(logging.DEBUG, logger="slack_bolt.RequestVerification")
    bare = BackgroundServer(SlackRequestHandler(case_bot.runtime.app)).start()
    before, since = saved_state(case_bot), len(case_bot.fake.calls)
    try:
        for body in forged_bodies(attacker_url.url):
            assert post_unverified(f"{bare.url}/slack/events", body, timestamp) == 401
        assert_no_outbound_call(case_bot, attacker_url, since=since, before=before)
    finally:
        bare.stop()
    assert not [r for r in caplog.records if "C0CASE142" in r.getMessage()], "a request body reached the log"
