"""Serve the bot's WSGI app with waitress: bodies bounded, refusals logged in one line.

`make_server` is what `coregroup run` serves; `BackgroundServer` runs it on a thread (tests, the sandbox,
benchmarks).
"""

from __future__ import annotations

import sys
import threading
from typing import cast

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from bot.http_guard import MAX_BODY, log_rejection

#: How long a thread may keep the interpreter lock while another waits for it, in a process answering requests.
SWITCH_INTERVAL = 0.0002


class _LoggedErrorTask(ErrorTask):
    """Waitress's own refusals (a body over the limit, a malformed request) get the same one line as ours."""

    def execute(self) -> None:
        request = cast(HTTPRequestParser, self.request)  # the stubs say Error: waitress passes the failed parser
        if request.error is None:  # waitress makes an error task only for a request that failed to parse
            raise RuntimeError("waitress error task without an error")
        size = max(request.content_length or 0, getattr(request, "body_bytes_received", 0) or 0)
        method, path = getattr(request, "command", None) or "-", getattr(request, "path", None) or "-"
        log_rejection(method, path, str(request.error.reason).lower(), size)
        super().execute()


class _Channel(HTTPChannel):
    error_task_class = _LoggedErrorTask


def make_server(wsgi, *, host: str, port: int, threads: int, ident: str = "coregroup"):
    """A waitress server that refuses a body over `MAX_BODY` as soon as its size is known (the declared
    Content-Length, or as a chunked body passes it), so no larger body is ever buffered."""
    # waitress refuses at content_length >= max_request_body_size: +1 lets exactly MAX_BODY through.
    listeners: dict = {}  # waitress registers each listening socket's server here (several for a dual-stack host)
    server = create_server(
        wsgi, host=host, port=port, threads=threads, ident=ident, map=listeners, max_request_body_size=MAX_BODY + 1
    )
    for each in (server, *listeners.values()):
        if isinstance(each, BaseWSGIServer):
            each.channel_class = _Channel
    # A listener still working after its ack (reading the case, posting the answer) holds the interpreter lock
    # for up to the switch interval while the next request's thread waits to answer Slack: 0.2 ms, not Python's 5.
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    return server


class BackgroundServer:
    """A waitress server on its own thread that stops cleanly."""

    def __init__(self, wsgi, *, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> None:
        self._server = make_server(wsgi, host=host, port=port, threads=threads)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="waitress", daemon=True)
        self.host, self.port = host, self._server.effective_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        try:
            self._server.run()
        except OSError:
            # close() from another thread ends waitress's select() with EBADF; only that is expected.
            if not self._stopping.is_set():
                raise
