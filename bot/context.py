"""What the chat surfaces need from the core, handed to them by the entry point."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from store.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Services:
    """The unit-of-work factory and the clock, shared by every listener."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
