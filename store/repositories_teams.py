"""Microsoft Teams conversation references: upserted from inbound activities, read by the Teams notice sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import rowcount
from store.models import RefStatus, TeamsConversationRef, TeamsMember

PERSONAL = "personal"


@dataclass(frozen=True)
class SeenConversation:
    """What one inbound activity says about the conversation it came from."""

    tenant_id: str
    conversation_id: str
    conversation_type: str
    service_url: str
    team_id: str | None = None
    channel_id: str | None = None
    user_teams_id: str | None = None
    user_aad_object_id: str | None = None


class TeamsRefRepository:
    """Conversation references, one row per (tenant, conversation)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, conversation: SeenConversation, *, now: datetime) -> TeamsConversationRef:
        """Record (or refresh) a conversation the bot heard from; a reference seen again is active again."""
        row = self.get(conversation.tenant_id, conversation.conversation_id)
        if row is None:
            row = TeamsConversationRef(
                tenant_id=conversation.tenant_id,
                conversation_id=conversation.conversation_id,
                conversation_type=conversation.conversation_type,
                service_url=conversation.service_url,
                status=RefStatus.ACTIVE,
                last_seen_at=now,
            )
            self.session.add(row)
        row.service_url = conversation.service_url
        row.conversation_type = conversation.conversation_type
        row.last_seen_at = now
        row.status = RefStatus.ACTIVE
        row.inactive_since = None
        # Later activities may carry less (a channel message has no install settings): keep what was learnt.
        row.team_id = conversation.team_id or row.team_id
        row.channel_id = conversation.channel_id or row.channel_id
        if conversation.conversation_type == PERSONAL:
            row.user_teams_id = conversation.user_teams_id or row.user_teams_id
            row.user_aad_object_id = conversation.user_aad_object_id or row.user_aad_object_id
        self.session.flush()
        return row

    def get(self, tenant_id: str, conversation_id: str) -> TeamsConversationRef | None:
        query = select(TeamsConversationRef).where(
            TeamsConversationRef.tenant_id == tenant_id, TeamsConversationRef.conversation_id == conversation_id
        )
        return self.session.scalars(query).first()

    def by_conversation(self, conversation_id: str) -> TeamsConversationRef | None:
        query = select(TeamsConversationRef).where(TeamsConversationRef.conversation_id == conversation_id)
        return self.session.scalars(query.order_by(TeamsConversationRef.id)).first()

    def personal_for(self, aad_object_id: str) -> TeamsConversationRef | None:
        """The user's 1:1 chat with the bot, the most recently seen first."""
        query = select(TeamsConversationRef).where(
            TeamsConversationRef.user_aad_object_id == aad_object_id,
            TeamsConversationRef.conversation_type == PERSONAL,
        )
        return self.session.scalars(query.order_by(TeamsConversationRef.last_seen_at.desc())).first()

    def member_seen(
        self, *, tenant_id: str, aad_object_id: str, teams_id: str, service_url: str, now: datetime
    ) -> None:
        """Learn (or refresh) which Teams id an Entra user has in a tenant."""
        query = select(TeamsMember).where(
            TeamsMember.tenant_id == tenant_id, TeamsMember.aad_object_id == aad_object_id
        )
        row = self.session.scalars(query).first()
        if row is None:
            row = TeamsMember(tenant_id=tenant_id, aad_object_id=aad_object_id, teams_id=teams_id, service_url="")
            self.session.add(row)
        row.teams_id, row.service_url, row.last_seen_at = teams_id, service_url, now
        self.session.flush()

    def member(self, aad_object_id: str) -> TeamsMember | None:
        """What the bot has learnt of an Entra user (the most recently seen, should two tenants know them)."""
        query = select(TeamsMember).where(TeamsMember.aad_object_id == aad_object_id)
        return self.session.scalars(query.order_by(TeamsMember.last_seen_at.desc())).first()

    def for_channel(self, channel_id: str) -> TeamsConversationRef | None:
        """The reference of a Teams channel (its conversation id is the channel id)."""
        query = select(TeamsConversationRef).where(
            (TeamsConversationRef.conversation_id == channel_id) | (TeamsConversationRef.channel_id == channel_id)
        )
        return self.session.scalars(query.order_by(TeamsConversationRef.last_seen_at.desc())).first()

    def deactivate(self, conversation_id: str, *, now: datetime) -> bool:
        """Mark a conversation the bot may no longer write to; True if it was active."""
        statement = (
            update(TeamsConversationRef)
            .where(
                TeamsConversationRef.conversation_id == conversation_id,
                TeamsConversationRef.status == RefStatus.ACTIVE,
            )
            .values(status=RefStatus.INACTIVE, inactive_since=now)
        )
        return rowcount(self.session.execute(statement)) >= 1

    def all(self) -> list[TeamsConversationRef]:
        return list(self.session.scalars(select(TeamsConversationRef).order_by(TeamsConversationRef.id)).all())
