"""Deliver outbox notices to Teams: find (or open) the conversation, post or update, translate the connector's answers.

A notice's recipient is a person (their Entra object id) or a case channel (a Teams channel id, `19:...`). A person
is reached in their 1:1 chat with the bot, created on the first notice from the Teams id the bot learnt for them;
a channel at the service URL its team's activities came from. The delivery's `channel` is the conversation id and
its `ts` the activity id, so a later notice can update the card in place (PUT).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.dispatch import Delivery, PermanentFailure, RetryLater, TemporaryFailure
from bot.notice_payloads.base import PayloadError
from bot.notice_payloads.renderers import Renderers
from store.models import RefStatus
from store.repositories_teams import PERSONAL, SeenConversation
from store.uow import UnitOfWorkFactory
from teams.config import GUID
from teams.connector import BotConnector, ConnectorError, NetworkError
from teams.render import Rendered, as_activity
from teams.tokens import TokenError

log = logging.getLogger("coregroup.teams")

#: Statuses Microsoft asks bots to retry with backoff (besides 429, which says how long to wait).
RETRYABLE = frozenset({412, 500, 502, 503, 504})


class TeamsNoticeSender:
    """The dispatcher's Teams surface (`bot.dispatch.NoticeSender`)."""

    def __init__(
        self,
        *,
        connector: BotConnector,
        renderers: Renderers[Rendered],
        uow_factory: UnitOfWorkFactory,
        now: Callable[[], datetime],
        on_inactive: Callable[[str], None] | None = None,
    ) -> None:
        self.connector = connector
        self.renderers = renderers
        self.uow_factory = uow_factory
        self.now = now
        self.on_inactive = on_inactive  # the inbound side's cache forgets it: the next activity reactivates it

    def send(self, *, kind: str, recipient: str, payload: dict[str, Any], replaces: Delivery | None) -> Delivery:
        """Post the notice to `recipient` (a person's 1:1 chat or a channel), or update `replaces` in place."""
        try:
            activity = as_activity(self.renderers.render(kind, payload))
        except LookupError:
            # A step not in Teams yet (teams/renderers.py NOT_IN_TEAMS_YET): failed now, and the admins are told,
            # rather than holding up every other message in the pass.
            raise PermanentFailure("not_in_teams_yet") from None
        except PayloadError:
            raise PermanentFailure("bad_payload") from None
        conversation_id = replaces.channel if replaces is not None else None
        try:
            if replaces is not None:
                service_url = self._service_url_of(replaces.channel)
                activity_id = self.connector.update(
                    service_url=service_url,
                    conversation_id=replaces.channel,
                    activity_id=replaces.ts,
                    activity=activity,
                )
                return Delivery(channel=replaces.channel, ts=activity_id)
            conversation_id, service_url = self._conversation_for(recipient)
            activity_id = self.connector.send(
                service_url=service_url, conversation_id=conversation_id, activity=activity
            )
        except ConnectorError as exc:
            raise self._classify(exc, conversation_id) from None
        except (NetworkError, TokenError) as exc:
            raise TemporaryFailure(str(exc)) from None
        return Delivery(channel=conversation_id, ts=activity_id)

    # --- where to -------------------------------------------------------------------------

    def _conversation_for(self, recipient: str) -> tuple[str, str]:
        """(conversation id, service URL) for a person or a channel; opens the person's 1:1 the first time."""
        with self.uow_factory() as uow:
            if not GUID.fullmatch(recipient):
                ref = uow.teams_refs.for_channel(recipient)
                if ref is None:
                    raise PermanentFailure("channel_not_installed")
                if ref.status != RefStatus.ACTIVE:
                    raise PermanentFailure("conversation_inactive")
                return recipient, ref.service_url
            ref = uow.teams_refs.personal_for(recipient)
            if ref is not None:
                if ref.status != RefStatus.ACTIVE:
                    raise PermanentFailure("conversation_inactive")
                return ref.conversation_id, ref.service_url
            member = uow.teams_refs.member(recipient)
            if member is None:
                raise PermanentFailure("user_not_reachable")
            tenant_id, teams_id, service_url = member.tenant_id, member.teams_id, member.service_url
        try:
            conversation_id = self.connector.create_personal(
                service_url=service_url, tenant_id=tenant_id, member_id=teams_id
            )
        except ConnectorError as exc:
            if exc.status == 403 or exc.status == 404:
                raise PermanentFailure(exc.sub_code or "user_not_reachable") from None
            raise
        with self.uow_factory() as uow:
            seen = SeenConversation(
                tenant_id=tenant_id,
                conversation_id=conversation_id,
                conversation_type=PERSONAL,
                service_url=service_url,
                user_teams_id=teams_id,
                user_aad_object_id=recipient,
            )
            uow.teams_refs.seen(seen, now=self.now())
            uow.commit()
        log.info("opened a Teams 1:1 chat for a notice")
        return conversation_id, service_url

    def _service_url_of(self, conversation_id: str) -> str:
        with self.uow_factory() as uow:
            ref = uow.teams_refs.by_conversation(conversation_id)
            if ref is None:
                raise PermanentFailure("conversation_not_found")
            return ref.service_url

    # --- what the connector said ----------------------------------------------------------

    def _classify(self, exc: ConnectorError, conversation_id: str | None) -> Exception:
        if exc.status == 429:
            return RetryLater(exc.retry_after if exc.retry_after is not None else 1.0, scope=conversation_id or "")
        if exc.status in RETRYABLE or exc.status == 401:
            return TemporaryFailure(str(exc))
        if exc.status == 403 and exc.sub_code == "MessageWritesBlocked":
            self._deactivate(conversation_id)
            return PermanentFailure("MessageWritesBlocked")
        if exc.status == 404:
            self._deactivate(conversation_id)
            return PermanentFailure("conversation_not_found")
        return PermanentFailure(f"http_{exc.status}" + (f"_{exc.code}" if exc.code else ""))

    def _deactivate(self, conversation_id: str | None) -> None:
        """The bot may no longer write there: later notices fail at once instead of calling Teams again."""
        if not conversation_id:
            return
        if self.on_inactive is not None:
            self.on_inactive(conversation_id)
        with self.uow_factory() as uow:
            if uow.teams_refs.deactivate(conversation_id, now=self.now()):
                uow.audit.record(action="teams.conversation_inactive", at=self.now(), conversation=conversation_id)
            uow.commit()
