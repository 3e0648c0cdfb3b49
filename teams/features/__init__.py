"""The Teams listeners of each feature: `register(app, services)` adds a feature's invokes and dialogs to the SDK app;
`commands(services)` gives its typed commands."""

from __future__ import annotations

from typing import Any

from bot.context import Services
from store.changes import Changes
from teams.commands import CommandHandler
from teams.features import receipts, requests, status


def register(app: Any, services: Services, *, changes: Changes) -> None:
    """Every feature's card actions and dialogs (`changes`: when a kept refresh answer still holds)."""
    receipts.register(app, services)
    requests.register(app, services, changes=changes)


def commands(services: Services) -> dict[str, CommandHandler]:
    """Every feature's typed commands (`help` is the listeners' own)."""
    from teams.listeners import answer_privately

    async def answer_status(ctx: Any, args: str) -> None:
        await answer_privately(ctx, status.status_answer(services, ctx))

    return {"status": answer_status, "request": requests.request_command(services)}
