"""One chat platform's renderers: notice kind -> a function from the kind's typed payload to that platform's message.

The wiring builds one per platform (`handlers.blocks.slack.slack_renderers()` for Slack) and hands it to that
platform's sender; nothing registers itself on import, so a platform shows exactly what its registry says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from bot.notice_payloads import payload_type

R = TypeVar("R")


class Renderers(Generic[R]):
    """Kind -> renderer for one platform; `render` reads the row's JSON as the kind's payload first."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._typed: dict[str, Callable[[Any], R]] = {}
        self._raw: dict[str, Callable[[dict[str, Any]], R]] = {}

    def add(self, kind: str, fn: Callable[[Any], R]) -> None:
        """Render `kind` with `fn`, given the kind's payload (a NoticePayload subclass)."""
        self._check_new(kind)
        self._typed[str(kind)] = fn

    def add_raw(self, kind: str, fn: Callable[[dict[str, Any]], R]) -> None:
        """Render `kind` with `fn`, given the row's JSON as written (still checked against the payload first).

        For builders not yet moved to the typed payload: the row is read as its payload all the same, so a row
        it cannot read fails here, and the builder sees exactly what was written.
        """
        self._check_new(kind)
        self._raw[str(kind)] = fn

    def kinds(self) -> frozenset[str]:
        """The kinds this platform can show."""
        return frozenset(self._typed) | frozenset(self._raw)

    def render(self, kind: str, data: Mapping[str, Any] | None) -> R:
        """Render one row; LookupError for a kind this platform has no renderer for, PayloadError for a bad row."""
        kind = str(kind)
        if kind not in self.kinds():
            raise LookupError(f"no {self.platform} renderer for notice kind {kind!r}")
        payload = payload_type(kind).from_json(data)
        if kind in self._typed:
            return self._typed[kind](payload)
        return self._raw[kind](dict(data or {}))

    def _check_new(self, kind: str) -> None:
        if str(kind) in self.kinds():
            raise ValueError(f"two {self.platform} renderers for notice kind {kind!r}")
