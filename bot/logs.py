"""Logging set-up: tokens and signing secrets are masked in every record, whoever logs them."""

from __future__ import annotations

import logging
import re

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


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr with secrets redacted; quiet the libraries' debug chatter."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic says "Context impl SQLiteImpl." on every start; store.migrate logs what an upgrade changed instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
