"""Middleware run on every verified activity: only the home tenant is served, and every activity refreshes the
conversation reference it came from (install events are not reliably delivered, so nothing waits for them)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.context import Services
from store.repositories_teams import SeenConversation

log = logging.getLogger("coregroup.teams")


def seen_conversation(activity: Any) -> SeenConversation | None:
    """What an activity says about its conversation; None when it lacks what a reference needs."""
    conversation = getattr(activity, "conversation", None)
    service_url = getattr(activity, "service_url", None)
    tenant = tenant_of(activity)
    if conversation is None or not conversation.id or not service_url or not tenant:
        return None
    data = getattr(activity, "channel_data", None)
    team = getattr(data, "team", None)
    channel = getattr(data, "channel", None)
    kind = str(getattr(conversation, "conversation_type", None) or "personal")
    sender = getattr(activity, "from_", None)
    return SeenConversation(
        tenant_id=tenant,
        # A channel message's conversation is its thread (`19:...;messageid=...`): the reference is the channel.
        conversation_id=conversation.id.split(";messageid=")[0],
        conversation_type=kind,
        service_url=service_url,
        team_id=getattr(team, "id", None),
        channel_id=getattr(channel, "id", None) or (conversation.id.split(";")[0] if kind == "channel" else None),
        user_teams_id=getattr(sender, "id", None) if kind == "personal" else None,
        user_aad_object_id=getattr(sender, "aad_object_id", None) if kind == "personal" else None,
    )


def tenant_of(activity: Any) -> str | None:
    data = getattr(activity, "channel_data", None)
    tenant = getattr(getattr(data, "tenant", None), "id", None)
    return tenant or getattr(getattr(activity, "conversation", None), "tenant_id", None)


def is_removal(activity: Any) -> bool:
    """The app was uninstalled from this conversation (or the bot removed from it)."""
    if getattr(activity, "type", None) == "installationUpdate":
        return str(getattr(activity, "action", "") or "").startswith("remove")
    return False


#: A reference seen again, unchanged, within this long is not written again (its `last_seen_at` is that coarse).
REFRESH_SECONDS = 300.0
#: Activities that change whether the bot may write to a conversation: always written.
_ALWAYS_RECORDED = frozenset({"installationUpdate", "conversationUpdate"})


class RecentlyRecorded:
    """References this process wrote lately, so a busy conversation costs one write per `REFRESH_SECONDS`, not one
    per click. `forget` is called when the sender marks a conversation inactive, so the next activity from it makes
    it active again at once (another process's cache catches up within `REFRESH_SECONDS`)."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._at: dict[tuple, float] = {}
        self._lock = threading.Lock()

    def fresh(self, key: tuple) -> bool:
        with self._lock:
            at = self._at.get(key)
        return at is not None and self.monotonic() - at < REFRESH_SECONDS

    def recorded(self, key: tuple) -> None:
        with self._lock:
            if len(self._at) > 10_000:
                self._at.clear()  # a bound, not a policy: at worst some references are written again
            self._at[key] = self.monotonic()

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._at = {k: v for k, v in self._at.items() if k[0].conversation_id != conversation_id}


def remember_conversations(services: Services, *, home_tenant: str, recent: RecentlyRecorded | None = None):
    """The middleware: refuse other tenants' activities, then upsert the reference and the sender's Teams id."""
    recent = recent or RecentlyRecorded()

    async def middleware(ctx: Any) -> None:
        activity = ctx.activity
        if tenant_of(activity) != home_tenant:
            # A multi-tenant Entra app can be added elsewhere: this deployment serves its own organisation only.
            log.warning("ignored a Teams activity from another tenant")
            return
        seen = seen_conversation(activity)
        if seen is not None:
            sender = getattr(activity, "from_", None)
            key = (seen, getattr(sender, "id", None), getattr(sender, "aad_object_id", None))
            if getattr(activity, "type", None) in _ALWAYS_RECORDED or not recent.fresh(key):
                await asyncio.to_thread(_record, services, seen, activity)
                recent.recorded(key)
        await ctx.next()

    return middleware


def _record(services: Services, seen: SeenConversation, activity: Any) -> None:
    now = services.clock.now()
    sender = getattr(activity, "from_", None)
    with services.uow_factory() as uow:
        if is_removal(activity):
            uow.teams_refs.seen(seen, now=now)
            uow.teams_refs.deactivate(seen.conversation_id, now=now)
        else:
            uow.teams_refs.seen(seen, now=now)
        teams_id, aad = getattr(sender, "id", None), getattr(sender, "aad_object_id", None)
        if teams_id and aad and str(teams_id).startswith("29:"):
            uow.teams_refs.member_seen(
                tenant_id=seen.tenant_id, aad_object_id=aad, teams_id=teams_id, service_url=seen.service_url, now=now
            )
        uow.commit()
