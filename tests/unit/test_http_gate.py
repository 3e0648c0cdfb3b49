"""The gate in front of Bolt, under any WSGI server: it reads at most one byte past the limit."""

from __future__ import annotations

import io

from bot.http_guard import MAX_BODY, SlackGate


class CountingInput(io.RawIOBase):
    """A request body of `size` bytes that records how much of it was read."""

    def __init__(self, size: int) -> None:
        self.size, self.read_so_far = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_so_far if n is None or n < 0 else min(n, self.size - self.read_so_far)
        self.read_so_far += n
        return b"a" * n


def call(gate: SlackGate, environ: dict) -> str:
    answered: list[str] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", **environ}
    gate(environ, lambda status, headers: answered.append(status))
    return answered[0]


def never_called(environ, start_response):
    raise AssertionError("the request reached Bolt")


def test_a_declared_oversize_body_is_refused_unread():
    body = CountingInput(5 * MAX_BODY)
    gate = SlackGate(never_called, signing_secret="s")
    status = call(gate, {"CONTENT_LENGTH": str(5 * MAX_BODY), "wsgi.input": body})
    assert (status, body.read_so_far) == ("413 Request Entity Too Large", 0)


def test_an_undeclared_oversize_body_is_read_one_byte_past_the_limit_and_refused():
    body = CountingInput(5 * MAX_BODY)
    status = call(SlackGate(never_called, signing_secret="s"), {"wsgi.input": body, "wsgi.input_terminated": True})
    assert (status, body.read_so_far) == ("413 Request Entity Too Large", MAX_BODY + 1)


def test_without_a_signing_secret_every_request_is_refused():
    body = CountingInput(10)
    status = call(SlackGate(never_called, signing_secret=""), {"CONTENT_LENGTH": "10", "wsgi.input": body})
    assert status == "401 Unauthorized"
