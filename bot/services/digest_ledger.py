"""The digest's lines from the ledger of obligations: one small renderer per kind (kind → lines).

A kind joins the digest by registering a renderer (`@renderer(kind, section=...)`, in `bot/services/digest_lines.py`):
the digest reads the overdue rows, the rows falling due soon and the few kinds listed at any stage in one indexed
query each (for every organisation whose digest is built), hands each kind's rows to its renderer, and the renderer
fetches the feature's details for those rows only, in one query. What is owed, by whom, by when is the ledger's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.calendar import WorkingCalendar
from bot.digest import DigestItem
from bot.obligations import Stage
from store.models import Obligation, Organisation
from store.repositories import CaseLine
from store.uow import UnitOfWork

OVERDUE: tuple[str, ...] = (Stage.OVERDUE, Stage.BREACHED)
_MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Context:
    """What every renderer needs: the unit of work, the organisation, its day and calendar, the listed rows' cases."""

    uow: UnitOfWork
    organisation: Organisation
    now: datetime
    today: date
    calendar: WorkingCalendar
    cases: dict[int, CaseLine]
    horizons: dict[int, datetime] = field(default_factory=dict)  # working days ahead -> the instant, worked out once

    def until(self, working_days: int) -> datetime:
        """The start of the day after the working day `working_days` after today."""
        if working_days not in self.horizons:
            self.horizons[working_days] = _day_after(self.calendar, self.today, working_days)
        return self.horizons[working_days]


Lines = Callable[[Context, Sequence[Obligation]], list[DigestItem]]


@dataclass(frozen=True)
class Renderer:
    """How one kind (or kinds shown together) becomes digest items, and which of its rows are listed."""

    kinds: tuple[str, ...]
    section: str
    lines: Lines
    stages: tuple[str, ...] = OVERDUE  # overdue stages listed (an overdue row counts against "on time" regardless)
    due_soon_working_days: int | None = None  # also list rows due within this many working days
    any_stage: bool = False  # list every open row (kinds whose rows are few: letters, referrals, decisions)


RENDERERS: dict[str, Renderer] = {}


def renderer(
    *kinds: str,
    section: str,
    stages: tuple[str, ...] = OVERDUE,
    due_soon_working_days: int | None = None,
    any_stage: bool = False,
) -> Callable[[Lines], Lines]:
    """Register `fn(context, rows) -> items` as the digest's lines for `kinds` (the rows of all of them together)."""

    def register(fn: Lines) -> Lines:
        entry = Renderer(tuple(str(k) for k in kinds), section, fn, tuple(stages), due_soon_working_days, any_stage)
        RENDERERS.update({str(kind): entry for kind in kinds})
        return fn

    return register


def ledger_kinds() -> tuple[str, ...]:
    """The kinds the ledger keeps (opened, discharged and chased through it): only their rows say what is owed.

    A kind not chased by the ledger (no entry in the sweep's NOTICES or STEPS) may still have rows backfilled by
    migration 0012 that its feature does not close; those are left out.
    """
    from bot.services.obligation_sweep import NOTICES, STEPS  # here, not at import: the sweep imports the features

    return tuple(sorted({*NOTICES, *STEPS}))


def listed_kinds() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(kinds listed when overdue, kinds listed when due soon, kinds listed at any stage), all on the ledger."""
    kept = set(ledger_kinds())
    entries = {k: r for k, r in RENDERERS.items() if k in kept}
    overdue = tuple(sorted(k for k, r in entries.items() if not r.any_stage))
    soon = tuple(sorted(k for k, r in entries.items() if r.due_soon_working_days is not None and not r.any_stage))
    anytime = tuple(sorted(k for k, r in entries.items() if r.any_stage))
    return overdue, soon, anytime


def due_soon_horizon(calendar: WorkingCalendar, today: date) -> datetime | None:
    """The furthest any renderer looks ahead: the start of the day after its last working day."""
    days = [r.due_soon_working_days for r in RENDERERS.values() if r.due_soon_working_days is not None]
    return _day_after(calendar, today, max(days)) if days else None


def ledger_items(ctx: Context, rows: Sequence[Obligation]) -> dict[str, list[DigestItem]]:
    """Each section's items from the organisation's rows read: each renderer is called once, with its rows only."""
    chosen: dict[Renderer, dict[int, Obligation]] = defaultdict(dict)
    for row in rows:
        entry = RENDERERS.get(row.kind)
        if entry is None or row.case_id not in ctx.cases:
            continue
        if entry.any_stage or row.stage in entry.stages or _due_soon(ctx, entry, row):
            chosen[entry][row.id] = row
    found: dict[str, list[DigestItem]] = defaultdict(list)
    for entry, listed in chosen.items():
        found[entry.section] += entry.lines(ctx, list(listed.values()))
    return found


def _due_soon(ctx: Context, entry: Renderer, row: Obligation) -> bool:
    if entry.due_soon_working_days is None or row.stage in OVERDUE:
        return False
    return row.due_at < ctx.until(entry.due_soon_working_days)


def _day_after(calendar: WorkingCalendar, today: date, working_days: int) -> datetime:
    last = calendar.add_working_days(today, working_days)
    return calendar.at_local(date.fromordinal(last.toordinal() + 1), _MIDNIGHT)
