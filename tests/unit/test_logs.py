"""Tokens and secrets never reach the log."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.logs import RedactingFilter, redact


def test_slack_tokens_are_masked():
    assert redact("using xoxb-1234-5678-abcdef now") == "using xoxb-[redacted] now"
    assert redact("app token xapp-1-A0-123-abc") == "app token xapp-[redacted]"


def test_key_value_secrets_are_masked():
    assert redact("token=abc123&x=1") == "token=[redacted]&x=1"
    assert redact('{"signing_secret": "s3cr3t"}') == '{"signing_secret": "[redacted]"}'


def test_a_logged_traceback_carrying_a_token_is_masked():
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed with %s", ("xoxb-999-secret",), None)
    try:
        raise RuntimeError("Authorization: Bearer xoxb-111-222-zzz")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert "xoxb-999" not in record.getMessage()
    assert "xoxb-111" not in record.exc_text and "xoxb-[redacted]" in record.exc_text


def test_settings_never_show_tokens_in_repr():
    settings = Settings(slack_bot_token="xoxb-secret", slack_signing_secret="shh", slack_app_token="xapp-secret")
    assert "secret" not in repr(settings) and "shh" not in repr(settings)


def test_run_names_every_missing_variable():
    missing = Settings().missing_for_run()
    assert any(line.startswith("SLACK_BOT_TOKEN") for line in missing)
    assert any("SLACK_SIGNING_SECRET" in line and "SLACK_APP_TOKEN" in line for line in missing)
    assert Settings(slack_bot_token="xoxb-x", slack_app_token="xapp-x").missing_for_run() == []


def test_the_api_url_gets_the_trailing_slash_slack_sdk_needs():
    assert Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == "http://127.0.0.1:9/api/"
    assert Settings.from_env({}).database_url == "sqlite:///coregroup.db"
