"""One sweeper's loop: small transactions, one batch at a time (its own module, so `bot.sweep`, which lists the
sweepers, and the sweepers, which use this, do not import each other)."""

from __future__ import annotations

from collections.abc import Callable

from store.uow import UnitOfWork, UnitOfWorkFactory


def in_batches(uow_factory: UnitOfWorkFactory, step: Callable[[UnitOfWork], tuple[int, int]], batch: int) -> int:
    """Run `step` (claim up to `batch` due rows, enqueue) in its own transaction until a batch comes back short.

    Small transactions keep locks short, so a second sweeper process can work beside this one.
    """
    total = 0
    while True:
        with uow_factory() as uow:
            claimed, enqueued = step(uow)
            uow.commit()
        total += enqueued
        if claimed < batch:
            return total
