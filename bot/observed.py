"""The WSGI layer's part in observability: a request id per request, and its latency by route."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.logs import REQUEST_ID, new_request_id
from bot.metrics import Metrics, route_of

REQUEST_ID_HEADER = "X-Request-Id"


def observe_requests(wsgi, metrics: Metrics, *, timer: Callable[[], float] = time.perf_counter):
    """Wrap a WSGI app: each request gets a fresh id (in its logs and the `X-Request-Id` answer header) and its
    time to answer is observed by route."""

    def observed(environ, start_response):
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        started = timer()

        def start_with_id(status, headers, exc_info=None):
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

        try:
            return wsgi(environ, start_with_id)
        finally:
            metrics.request_duration.labels(route_of(environ.get("PATH_INFO", ""))).observe(timer() - started)
            REQUEST_ID.reset(token)

    return observed


class ContextCarryingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, running each task in a copy of the submitter's context: the work a request hands
    to a thread after its ack still logs under that request's id."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
