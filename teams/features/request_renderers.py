"""The Teams renderers of the request notices: the decider's and the coordinator's cards (live for the deciders, with
a refresh naming their Teams ids), and what the requester hears (approved, refused, the coordinator's outcome)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.notices import NoticeKind
from teams.cards.decisions import build_decision_card, build_review_card
from teams.cards.requests import build_approved_card, build_outcome_card, build_refused_card

#: An Entra object id -> the Teams id (`29:...`) the bot learnt for them, or None.
TeamsIdOf = Callable[[str], str | None]


def deciders_of(payload: Mapping[str, Any]) -> list[str]:
    """Who may decide from this card: its recipient, and the decider or delegate who has it too."""
    return [p for p in (payload.get("recipient"), payload.get("decider"), payload.get("delegate")) if p]


def reviewers_of(payload: Mapping[str, Any]) -> list[str]:
    """Who may convene or uphold from the coordinator's card: its recipient and the coordinator."""
    return [p for p in (payload.get("recipient"), payload.get("coordinator")) if p]


def _ids(people: list[str], teams_id_of: TeamsIdOf) -> list[str]:
    return [t for t in (teams_id_of(p) for p in people) if t]


def add_renderers(registry: Any, *, teams_id_of: TeamsIdOf | None = None) -> None:
    """Register the request renderers on the Teams registry (`add_raw`: they read the row's JSON)."""
    lookup: TeamsIdOf = teams_id_of or (lambda person: None)

    def decision(payload: Mapping[str, Any]) -> dict[str, Any]:
        return build_decision_card(payload=payload, decider_ids=_ids(deciders_of(payload), lookup))

    def review(payload: Mapping[str, Any]) -> dict[str, Any]:
        return build_review_card(payload=payload, reviewer_ids=_ids(reviewers_of(payload), lookup))

    registry.add_raw(NoticeKind.REQUEST_DECISION, decision)
    registry.add_raw(NoticeKind.REQUEST_COORDINATOR_REVIEW, review)
    registry.add_raw(NoticeKind.REQUEST_APPROVED, lambda payload: build_approved_card(payload=payload))
    registry.add_raw(NoticeKind.REQUEST_REFUSED, lambda payload: build_refused_card(payload=payload))
    registry.add_raw(NoticeKind.REQUEST_OUTCOME, lambda payload: build_outcome_card(payload=payload))


def teams_id_lookup(uow_factory: Any) -> TeamsIdOf:
    """Entra object id -> Teams id, from the members the bot has learnt (read when a card is rendered)."""

    def teams_id_of(person: str) -> str | None:
        with uow_factory() as uow:
            member = uow.teams_refs.member(person)
            return member.teams_id if member is not None else None

    return teams_id_of
