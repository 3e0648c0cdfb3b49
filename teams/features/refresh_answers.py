"""The request cards' refresh answers, kept with the change token they were worked out under.

Teams asks for a fresh card (`request.refresh`, `review.refresh`) each time a decider looks at one. The answer
depends on the request as it is, its organisation's coordinator and calendar, the delegations of the people it names,
the viewer and their local day. An answer is given again only while the token of `store.changes` is the one it was
worked out under (nothing it depends on has changed since, in any replica or the worker) and it is still the same
local day for the viewer (a delegation runs to a date). Clicks never come from here: every decision is checked and
taken in the database.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

Answer = dict[str, Any]
Key = tuple[int, bool, str]


@dataclass(frozen=True)
class _Kept:
    token: Hashable
    timezone: str
    day: date
    answer: str  # as JSON: each caller gets its own copy, and the SDK may change what it is given


def local_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


class RefreshAnswers:
    """The last `size` refresh answers, by (request, card, viewer)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._answers: OrderedDict[Key, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, *, token: Hashable | None, now: datetime) -> Answer | None:
        """The answer kept for `key` if it was worked out under `token` and it is still that local day; else None."""
        if token is None:
            return None
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept.token != token:
                return None
            self._answers.move_to_end(key)
        if local_day(now, kept.timezone) != kept.day:
            return None
        return json.loads(kept.answer)

    def put(self, key: Key, answer: Answer, *, token: Hashable | None, now: datetime, timezone: str) -> None:
        """Keep `answer`, worked out from what was read after `token` was taken (None: keep nothing)."""
        if token is None:
            return
        kept = _Kept(token=token, timezone=timezone, day=local_day(now, timezone), answer=json.dumps(answer))
        with self._lock:
            self._answers[key] = kept
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
