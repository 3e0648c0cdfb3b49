"""Logging set-up: tokens and signing secrets are masked in every record, whoever logs them.

Two formats: text (one line, for a terminal) and JSON (`--log-format json`: one object per event with time,
level, logger, message, the request id and any traceback, for a log shipper). Each inbound HTTP request gets
an id (`REQUEST_ID`, set by the WSGI layer), carried through the logs of everything that request does.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
from datetime import datetime, timezone

# Slack tokens (xoxb-, xoxp-, xapp-, ...) and anything after "signing_secret"/"token=".
SECRET = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+|((?:token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+", re.I)


def redact(text: str) -> str:
    """Mask anything that looks like a Slack token or secret."""
    return SECRET.sub(lambda m: f"{m.group(2)}[redacted]" if m.group(2) else f"{m.group(1)}-[redacted]", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback) with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


#: Bolt's verifier logs each refused request at INFO with its whole body (what a person typed in a form, or a
#: 200 MB line). The gate in front of Bolt (bot/http_guard.py) logs refusals in one line without the body.
BOLT_BODY_LOGGERS = ("slack_bolt.RequestVerification",)


def quiet_bolt_body_logging() -> None:
    """Drop the records of Bolt's loggers that write request bodies (idempotent: one filter per logger)."""
    for name in BOLT_BODY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropRecords) for f in logger.filters):
            logger.addFilter(_DropRecords())


#: The id of the HTTP request being handled in this context (None outside a request: the scheduler's passes).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("coregroup_request_id", default=None)

LOG_FORMATS = ("text", "json")


def new_request_id() -> str:
    """A fresh request id: random, so it says nothing about the request or who made it."""
    return secrets.token_hex(8)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id of the context it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, and exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Redacted again here: a record that reached this handler without the filter is still masked.
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, *, log_format: str = "text") -> None:
    """Log to stderr in `log_format` ("text" or "json") with secrets redacted; quiet the libraries' debug chatter."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic says "Context impl SQLiteImpl." on every start; store.migrate logs what an upgrade changed instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # A library's warning (the Teams SDK warns of its preview features on import) is a log line in the chosen
    # format, not a bare line on stderr that breaks one-JSON-object-per-line.
    logging.captureWarnings(True)
