"""Every request to /api/messages carries a Bot Framework token that is verified; anything else is 401 and does nothing."""

from __future__ import annotations

import time

import pytest

from sandbox.fake_teams import new_key
from tests.harness import database_snapshot
from tests.teams.conftest import MEMBER


def _refused_and_nothing_happened(teams_bot, before, status) -> None:
    assert status == 401
    assert teams_bot.fake.sent() == [] and teams_bot.fake.conversations_created() == []
    assert database_snapshot(teams_bot.engine) == before


def test_a_message_with_a_good_token_is_answered(teams_bot):
    status, _ = teams_bot.post(teams_bot.activities.message(MEMBER, "help"))

    assert status == 200
    assert len(teams_bot.fake.sent()) == 1


def test_an_unsigned_request_is_refused_and_changes_nothing(teams_bot):
    before = database_snapshot(teams_bot.engine)

    status, _ = teams_bot.post(teams_bot.activities.message(MEMBER, "help"), token=None)

    _refused_and_nothing_happened(teams_bot, before, status)


@pytest.mark.parametrize(
    "forgery",
    [
        pytest.param(lambda fake, url: fake.token(key=new_key(), service_url=url), id="signed with another key"),
        pytest.param(lambda fake, url: fake.token(service_url=url, exp=int(time.time()) - 3600), id="expired"),
        pytest.param(
            lambda fake, url: fake.token(service_url=url, aud="11111111-2222-4333-8444-555555555555"),
            id="for another bot",
        ),
        pytest.param(lambda fake, url: fake.token(service_url="https://evil.example/"), id="for another service url"),
        pytest.param(lambda fake, url: fake.token(service_url=url, iss="https://evil.example"), id="another issuer"),
        pytest.param(lambda fake, url: "not-a-jwt", id="not a token"),
    ],
)
def test_a_request_with_a_bad_token_is_refused_and_changes_nothing(teams_bot, forgery):
    activity = teams_bot.activities.message(MEMBER, "help")
    before = database_snapshot(teams_bot.engine)

    status, _ = teams_bot.post(activity, token=forgery(teams_bot.fake, activity["serviceUrl"]))

    _refused_and_nothing_happened(teams_bot, before, status)


def test_a_body_that_is_not_json_gets_a_clear_400(teams_bot):
    status, body = teams_bot.post({}, raw=b"<xml/>")

    assert status == 400
    assert body == {"error": "expected a JSON activity"}


def test_a_body_declared_over_a_mebibyte_gets_413_before_a_byte_of_it_is_sent(teams_bot):
    import socket

    host, port = teams_bot.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n")
        sock.sendall(f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode())
        answer = sock.recv(200)

    assert answer.split(b" ")[1] == b"413"
    assert teams_bot.fake.sent() == []


def test_the_health_check_and_the_teams_endpoint_are_served_without_slack(teams_bot):
    import urllib.request

    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{teams_bot.url}/healthz") as response:
        assert response.status == 200
    status, _ = teams_bot.fake.post_activity(teams_bot.url.replace("/api/messages", ""), {}, raw=b"{}", token=None)
    assert status == 401
