"""Retention: each organisation keeps a closed case's records for `retention_years`, then they are removed.

`cases_past_retention` lists them (references and dates only); `apply_retention` removes each case with
everything that hangs off it and leaves one audit event with the counts, never the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.deregistration import retention_ends_on
from bot.organisation import calendar_for
from store.db import required
from store.models import Case
from store.uow import UnitOfWork


@dataclass(frozen=True)
class ExpiredCase:
    """A closed case whose retention period is over: what the listing shows (no content)."""

    case_id: int
    reference: str
    organisation: str
    closed_on: date
    retention_years: int
    remove_from: date


@dataclass
class RetentionReport:
    """What a retention run found, and (when applied) how many rows of each table went."""

    now: datetime
    applied: bool
    cases: list[ExpiredCase] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.removed.values())

    def lines(self) -> list[str]:
        """The report for the terminal: references, dates and counts, never content."""
        at = self.now.isoformat(timespec="minutes")
        noun = "closed case" if len(self.cases) == 1 else "closed cases"
        if not self.cases:
            return [f"Retention at {at}: no closed case is past its retention period. Nothing to remove."]
        head = (
            f"Retention at {at}: removed {len(self.cases)} {noun} past the retention period ({self.total_rows} rows)."
            if self.applied
            else f"Retention at {at} (dry run): {len(self.cases)} {noun} past the retention period would be removed "
            f"({self.total_rows} rows)."
        )
        lines = [head]
        for c in self.cases:
            lines.append(
                f"  {c.reference:<16} closed {c.closed_on.isoformat()}  kept {c.retention_years} years, "
                f"until {c.remove_from.isoformat()}  ({c.organisation})"
            )
        lines.append("  rows: " + ", ".join(f"{table} {count}" for table, count in sorted(self.removed.items())))
        lines.append(
            "An audit entry records the counts."
            if self.applied
            else "Nothing was removed. Run `coregroup retention --apply` to remove them."
        )
        return lines


def cases_past_retention(*, uow: UnitOfWork, now: datetime) -> list[ExpiredCase]:
    """Closed cases whose organisation's retention period ended on or before today, oldest closure first."""
    expired = []
    for case in uow.retention.closed_cases():
        organisation = case.organisation
        calendar = calendar_for(organisation)
        closed_on = calendar.local_date(required(case.closed_at, Case, f"{case.id} closed_at"))  # set on closing
        remove_from = retention_ends_on(closed_on, organisation.retention_years)
        if remove_from <= calendar.local_date(now):
            expired.append(
                ExpiredCase(
                    case.id, case.reference, organisation.name, closed_on, organisation.retention_years, remove_from
                )
            )
    return expired


def review_retention(*, uow: UnitOfWork, now: datetime) -> RetentionReport:
    """What `--apply` would remove, with the row counts; changes nothing."""
    cases = cases_past_retention(uow=uow, now=now)
    return RetentionReport(
        now=now, applied=False, cases=cases, removed=uow.retention.rows_for([c.case_id for c in cases])
    )


def apply_retention(*, uow: UnitOfWork, now: datetime, actor: str = "cli") -> RetentionReport:
    """Remove every closed case past its retention period, with all it holds; the caller commits."""
    report = review_retention(uow=uow, now=now)
    report.applied = True
    if not report.cases:
        return report
    uow.retention.remove([c.case_id for c in report.cases])
    uow.audit.record(
        action="retention.applied",
        at=now,
        actor=actor,
        cases=len(report.cases),
        rows=dict(report.removed),
        references=[c.reference for c in report.cases],
    )
    return report
