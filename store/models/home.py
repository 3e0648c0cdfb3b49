"""Who has opened the app's Home tab, and when: the Home is re-published only for people who look at it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.core import Base

__all__ = ["HomeTab"]


class HomeTab(Base):
    """One person's Home tab: when they last opened it and when it was last published for them."""

    __tablename__ = "home_tab"
    __table_args__ = (Index("ix_home_tab_opened", "opened_at"),)

    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    opened_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
