"""Microsoft Teams conversation references: where the bot can write, learnt from every activity it receives."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["RefStatus", "TeamsConversationRef", "TeamsMember"]


class RefStatus(StrEnum):
    """Whether the bot may still write to a conversation."""

    ACTIVE = "active"
    INACTIVE = "inactive"  # the user blocked or uninstalled the app (403 MessageWritesBlocked) or it was removed


class TeamsConversationRef(Base):
    """One Teams conversation (a 1:1 chat, a group chat or a channel) and the service URL that reaches it.

    A personal (1:1) reference also maps the user's Entra object id (what the organisation file names) to their
    Teams id (`29:...`, what the Bot Connector needs to create a 1:1)."""

    __tablename__ = "teams_conversation_ref"
    __table_args__ = (
        UniqueConstraint("tenant_id", "conversation_id", name="uq_teams_ref_conversation"),
        Index("ix_teams_ref_user_aad", "user_aad_object_id"),
        Index("ix_teams_ref_channel", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(255))
    conversation_type: Mapped[str] = mapped_column(String(20))  # personal | groupChat | channel
    service_url: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[str | None] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(100))
    user_teams_id: Mapped[str | None] = mapped_column(String(255))  # 29:... (personal conversations)
    user_aad_object_id: Mapped[str | None] = mapped_column(String(64))  # the Entra object id (personal)
    status: Mapped[str] = mapped_column(String(20), default=RefStatus.ACTIVE)
    last_seen_at: Mapped[datetime]
    inactive_since: Mapped[datetime | None]


class TeamsMember(Base):
    """A person as Teams knows them: their Entra object id mapped to their Teams id (`29:...`), learnt from any
    activity they sent (a channel message, a 1:1, an install), with the service URL that reaches their tenant."""

    __tablename__ = "teams_member"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id", name="uq_teams_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    teams_id: Mapped[str] = mapped_column(String(255))
    service_url: Mapped[str] = mapped_column(String(255))
    last_seen_at: Mapped[datetime]
