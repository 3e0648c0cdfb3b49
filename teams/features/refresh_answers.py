"""The request cards' refresh answers, kept with the state they were worked out from.

Teams asks for a fresh card (`request.refresh`, `review.refresh`) each time a decider looks at one. The answer
depends only on the request as it is, its organisation's coordinator and calendar, the delegations of the people it
names, the viewer and their local day; `MeetingRequestRepository.decision_state` reads all of that in one statement.
An answer is given again only while that state is exactly the same, so a decision, a reminder, an escalation, a new
or ended delegation or a new coordinator, made by any replica or the worker, shows at the very next refresh. Clicks
never come from here: every decision is checked and taken in the database.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from store.repositories_requests import DecisionState

Answer = dict[str, Any]
Key = tuple[int, bool, str, date]


class RefreshAnswers:
    """The last `size` refresh answers, by (request, card, viewer, their local day), each with its state."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._answers: OrderedDict[Key, tuple[DecisionState, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(*, request_id: int, review: bool, viewer: str, now: datetime, timezone: str) -> Key:
        """Who may act turns on the local day (a delegation runs to a date), so the day is part of the key."""
        return (request_id, review, viewer, now.astimezone(ZoneInfo(timezone)).date())

    def get(self, key: Key, state: DecisionState) -> Answer | None:
        """The answer kept for `key` if it was worked out from exactly `state`; else None."""
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept[0] != state:
                return None
            self._answers.move_to_end(key)
            answer = kept[1]
        return json.loads(answer)  # kept as its JSON: each caller gets its own, and the SDK may change what it gets

    def put(self, key: Key, state: DecisionState, answer: Answer) -> None:
        """Keep `answer`, worked out from `state` or anything newer (a newer state only makes the next look a miss)."""
        with self._lock:
            self._answers[key] = (state, json.dumps(answer))
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
