"""Serve a WSGI app with waitress on a background thread (tests, the sandbox and benchmarks)."""

from __future__ import annotations

import threading

from waitress.server import create_server


class BackgroundServer:
    """A waitress server on its own thread that stops cleanly."""

    def __init__(self, wsgi, *, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> None:
        self._server = create_server(wsgi, host=host, port=port, threads=threads)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="waitress", daemon=True)
        self.host, self.port = host, self._server.effective_port  # type: ignore[union-attr] # not in the stubs

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
