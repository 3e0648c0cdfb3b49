"""HTTP plumbing shared by the fake Slack and the sandbox page: a threaded stdlib server, headers,
and decoding the bodies Slack clients send (form, JSON, multipart)."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["CaseInsensitiveDict", "JSON_FIELDS", "Reply", "Server", "decode_params", "parse_multipart"]

logger = logging.getLogger("sandbox.fake_slack")

#: Form fields that Slack clients send as JSON strings; they are decoded so tests can read lists/dicts.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})


class CaseInsensitiveDict(dict):
    """A dict of HTTP headers: keys are stored lower-case, lookups ignore case."""

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        super().__init__()
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class Reply:
    """An HTTP answer: a dict/list body is sent as JSON, ``str`` as plain text, ``bytes`` as they are
    (with ``content_type``)."""

    status: int
    body: Any
    headers: dict = field(default_factory=dict)
    content_type: str | None = None


#: ``fn(method, path, headers, raw_body) -> Reply``: what a server answers.
Route = Callable[[str, str, CaseInsensitiveDict, bytes], Reply]


class Server(ThreadingHTTPServer):
    """A threaded HTTP server that hands every request to ``route``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], route: Route) -> None:
        self.route = route
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = CaseInsensitiveDict(self.headers.items())
        try:
            reply = self.server.route(method, self.path, headers, raw)
        except Exception:  # pragma: no cover - a bug in the fake must not hang the client
            logger.exception("FakeSlack failed on %s", self.path)
            reply = Reply(500, {"ok": False, "error": "fake_slack_internal_error"})
        if isinstance(reply.body, (dict, list)):
            data = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        elif isinstance(reply.body, bytes):
            data = reply.body
            content_type = reply.content_type or "application/octet-stream"
        else:
            data = str(reply.body).encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type or content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def decode_params(raw: bytes, content_type: str, query: str) -> dict:
    """A request's parameters (query string plus form, JSON or multipart body) as a dict; the JSON string
    fields of a form (``blocks``, ``view`` …) are decoded."""
    params: dict[str, Any] = _flatten(urllib.parse.parse_qs(query, keep_blank_values=True)) if query else {}
    ctype = content_type.split(";")[0].strip().lower()
    if raw:
        if ctype == "application/json" or (not ctype and raw.lstrip().startswith(b"{")):
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = {"_raw": raw.decode("utf-8", "replace")}
            params.update(body if isinstance(body, dict) else {"_json": body})
        elif ctype == "multipart/form-data":
            params.update(parse_multipart(raw, content_type))
        else:
            params.update(_flatten(urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)))
    for key in JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params


def _flatten(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a multipart/form-data body: files as bytes, other fields as text."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + raw
    )
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            fields[name] = payload
        else:
            fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields
