"""Bodies are bounded and refusals are quiet: 413 before a large body is read, one log line, never the body."""

from __future__ import annotations

import json
import logging
import select
import socket
import time
import urllib.parse

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.http_guard import MAX_BODY
from bot.http_server import BackgroundServer

FIVE_MIB = 5 * 1024 * 1024
TYPED = "the words the chair typed xyzzy"


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    return bot


def connect(bot) -> socket.socket:
    return socket.create_connection((bot.server.host, bot.server.port), timeout=10)


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


def read_answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def answered_normally_afterwards(bot) -> None:
    response = bot.slack.slash_command(command="/core-group", text="status", user_id="U0HV", channel_id="C0CASE142")
    assert response.status == 200
    assert "CP-2027-0142" in bot.wait_for_reply()["text"]


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "coregroup.http"]


def test_a_declared_five_mib_body_gets_413_before_a_byte_of_it_is_sent(case_bot, caplog):
    caplog.set_level(logging.INFO)
    with connect(case_bot) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % FIVE_MIB
        )
        answer = read_answer(sock)  # the body is never sent: the answer cannot depend on reading it
    assert status_of(answer) == 413
    assert refusals(caplog) == [f"refused POST /slack/events: request entity too large ({FIVE_MIB} bytes)"]
    answered_normally_afterwards(case_bot)


def test_a_chunked_body_is_cut_off_soon_after_one_mib(case_bot, caplog):
    caplog.set_level(logging.INFO)
    chunk = b"a" * 65536
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    with connect(case_bot) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while sent < FIVE_MIB and not select.select([sock], [], [], 0)[0]:
                sock.sendall(framed)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped listening to the body: what it answered is still readable
        answer = read_answer(sock)
    assert status_of(answer) == 413
    assert sent < FIVE_MIB
    [line] = refusals(caplog)
    assert line.startswith("refused POST /slack/events: request entity too large (")
    answered_normally_afterwards(case_bot)


def test_a_signed_request_of_exactly_one_mib_is_answered(case_bot):
    form = {
        "command": "/core-group",
        "text": "status",
        "user_id": "U0HV",
        "channel_id": "C0CASE142",
        "team_id": "T0TEAM",
        "response_url": case_bot.fake.response_url("big"),
        "trigger_id": "1.2.3",
        "pad": "",
    }
    form["pad"] = "x" * (MAX_BODY - len(urllib.parse.urlencode(form)))
    body = urllib.parse.urlencode(form)
    assert len(body) == MAX_BODY
    response = case_bot.slack.post_raw(body, headers=case_bot.slack.signed_headers(body))
    assert response.status == 200
    assert "CP-2027-0142" in case_bot.wait_for_reply()["text"]


def test_a_form_sent_with_a_skewed_clock_is_refused_in_one_line_without_what_was_typed(case_bot, caplog):
    caplog.set_level(logging.DEBUG)
    view = {
        "id": "V1",
        "callback_id": "request.refuse_modal",
        "private_metadata": "{}",
        "type": "modal",
        "state": {"values": {"request.reason": {"request.reason": {"type": "plain_text_input", "value": TYPED}}}},
    }
    payload = {"type": "view_submission", "user": {"id": "U0TL"}, "team": {"id": "T0TEAM"}, "view": view}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    headers = case_bot.slack.signed_headers(body, timestamp=int(time.time()) - 600)
    assert case_bot.slack.post_raw(body, headers=headers).status == 401
    assert refusals(caplog) == [f"refused POST /slack/events: timestamp too far from now ({len(body)} bytes)"]
    assert not [r for r in caplog.records if "xyzzy" in r.getMessage()]
    answered_normally_afterwards(case_bot)


def test_bolts_own_verifier_never_logs_a_refused_body(case_bot, caplog):
    # Behind the gate Bolt should never refuse anything; should it (a clock tick between the two checks), its
    # INFO line with the whole body must not reach the log.
    caplog.set_level(logging.DEBUG, logger="slack_bolt.RequestVerification")
    caplog.set_level(logging.DEBUG)
    bare = BackgroundServer(SlackRequestHandler(case_bot.runtime.app)).start()
    body = urllib.parse.urlencode(
        {
            "command": "/core-group",
            "text": TYPED,
            "user_id": "U0HV",
            "channel_id": "C0CASE142",
            "team_id": "T0TEAM",
            "trigger_id": "1.2.3",
        }
    )
    headers = {
        **case_bot.slack.signed_headers(body, timestamp=int(time.time()) - 600),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        case_bot.slack.bot_url, saved = f"{bare.url}/slack/events", case_bot.slack.bot_url
        assert case_bot.slack.post_raw(body, headers=headers).status == 401
    finally:
        case_bot.slack.bot_url = saved
        bare.stop()
    assert not [r for r in caplog.records if "xyzzy" in r.getMessage()]
