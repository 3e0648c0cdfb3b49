"""Requests that are not signed by Slack get 401 and change nothing."""

from __future__ import annotations

import time
import urllib.parse

import pytest


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    return bot


def status_body(bot) -> str:
    return urllib.parse.urlencode(
        {"command": "/core-group", "text": "status", "user_id": "U0HV", "channel_id": "C0CASE142",
         "team_id": "T0TEAM", "response_url": bot.fake.response_url("status"), "trigger_id": "1.2.3"}
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


def test_a_correctly_signed_request_is_answered(case_bot):
    body = status_body(case_bot)
    response = case_bot.slack.post_raw(body, headers=case_bot.slack.signed_headers(body))
    assert response.status == 200
    assert "CP-2027-0142" in case_bot.wait_for_reply()["text"]
