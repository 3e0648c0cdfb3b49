"""Tokens and secrets never reach the log."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

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


def json_lines(emit) -> list[dict]:
    """What `emit()` logs through the JSON handler `coregroup run --log-format json` installs, parsed line by line."""
    import io

    from bot.logs import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(logging.INFO, log_format="json")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    try:
        emit()
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs_are_one_object_per_event_with_time_level_logger_and_message():
    (entry,) = json_lines(lambda: logging.getLogger("coregroup.dispatch").warning("outbox row %s failed", 42))
    assert entry["level"] == "WARNING" and entry["logger"] == "coregroup.dispatch"
    assert entry["message"] == "outbox row 42 failed" and entry["request_id"] is None
    assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)


def test_json_logs_carry_the_request_id_of_the_request_that_logged():
    from bot.logs import REQUEST_ID

    def emit():
        token = REQUEST_ID.set("0123456789abcdef")
        try:
            logging.getLogger("coregroup").info("inside a request")
        finally:
            REQUEST_ID.reset(token)
        logging.getLogger("coregroup").info("after it")

    inside, after = json_lines(emit)
    assert (inside["request_id"], after["request_id"]) == ("0123456789abcdef", None)


def test_a_token_in_an_exception_is_masked_in_json_logs_too():
    def emit():
        try:
            raise RuntimeError("Authorization: Bearer xoxb-111-222-zzz")
        except RuntimeError:
            logging.getLogger("coregroup").exception("call failed with token=%s", "xoxp-999-secret")

    (entry,) = json_lines(emit)
    assert "xoxb-111" not in json.dumps(entry) and "xoxp-999" not in json.dumps(entry)
    assert "xoxb-[redacted]" in entry["exception"] and entry["message"] == "call failed with token=[redacted]"
    assert entry["exception"].startswith("Traceback") and "RuntimeError" in entry["exception"]


def test_work_a_request_hands_to_bolts_listener_pool_logs_under_that_requests_id():
    from bot.logs import REQUEST_ID
    from bot.observed import ContextCarryingExecutor

    with ContextCarryingExecutor(max_workers=1) as pool:
        token = REQUEST_ID.set("feedfacecafebeef")
        try:
            seen = pool.submit(REQUEST_ID.get).result(timeout=10)
        finally:
            REQUEST_ID.reset(token)
        assert seen == "feedfacecafebeef"
        assert pool.submit(REQUEST_ID.get).result(timeout=10) is None  # a later task outside any request
