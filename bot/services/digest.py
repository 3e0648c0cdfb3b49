"""The coordinator's digest: what is owed, by whom, by when, from the ledger; the digest it makes; the daily sweeper.

The ledger's rows (overdue, falling due soon, and the few kinds listed whenever they are owed) are read in one
indexed query each and turned into items by each kind's renderer (`bot/services/digest_lines.py`). A case is on time
when nothing it owes is overdue. Nothing here reads every case, and the day's digests of several organisations are
read together: the cost follows what is owed, not how many cases or organisations there are. `build_digest` is also
what the coordinator's Home tab shows live. `send_daily_digests` enqueues one digest per organisation per working
day, at the profile's `digest_time`, keyed by digest + organisation + local date, so however often the sweep runs,
exactly one goes; none on a weekend, bank holiday or closure day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot import digest as rules
from bot.authority import Duty, delegates_for_many, recipient_for
from bot.calendar import WorkingCalendar
from bot.digest import Digest, DigestItem, assemble_digest, digest_day, digest_key
from bot.notices import NoticeKind
from bot.organisation import calendar_for, policy_for
from bot.requests import SYSTEM_ACTOR
from bot.services import digest_lines  # noqa: F401 - registers each kind's digest lines
from bot.services.digest_ledger import Context, due_soon_horizon, ledger_items, ledger_kinds, listed_kinds
from store.models import CaseStatus, Obligation, Organisation
from store.repositories import CaseLine
from store.uow import UnitOfWork, UnitOfWorkFactory

#: Digests built and enqueued per transaction by the daily sweep: each query is one statement for the whole batch,
#: so 150 organisations cost what one does, plus their rows.
BATCH = 200


@dataclass(frozen=True)
class Scope:
    """The organisations whose digests are built together, each with its calendar and local day."""

    organisations: dict[int, Organisation]
    calendars: dict[int, WorkingCalendar]
    today: dict[int, date]

    @classmethod
    def of(cls, organisations: Iterable[Organisation], now: datetime) -> Scope:
        by_id = {o.id: o for o in organisations}
        calendars = {i: calendar_for(o) for i, o in by_id.items()}
        return cls(by_id, calendars, {i: c.local_date(now) for i, c in calendars.items()})

    @property
    def ids(self) -> list[int]:
        return list(self.organisations)


def build_digest(*, uow: UnitOfWork, organisation: Organisation, now: datetime) -> Digest:
    """Everything that needs the organisation's coordinator at `now`, section by section, oldest first."""
    return build_digests(uow=uow, organisations=[organisation], now=now)[organisation.id]


def build_digests(*, uow: UnitOfWork, organisations: Sequence[Organisation], now: datetime) -> dict[int, Digest]:
    """The digests of several organisations, read together: each query is one statement for all of them."""
    scope = Scope.of(organisations, now)
    if not scope.ids:
        return {}
    rows = _listed_rows(uow, scope)
    cases = {i: c for i, c in uow.cases.lines(r.case_id for r in rows).items() if c.status != CaseStatus.CLOSED}
    rows_of: dict[int, list[Obligation]] = defaultdict(list)
    cases_of: dict[int, dict[int, CaseLine]] = defaultdict(dict)
    for row in rows:
        if (case := cases.get(row.case_id)) is not None:
            rows_of[case.organisation_id].append(row)
            cases_of[case.organisation_id][case.id] = case
    items: dict[int, dict[str, list[DigestItem]]] = {i: defaultdict(list) for i in scope.ids}
    for organisation_id, listed in rows_of.items():
        context = Context(
            uow=uow,
            organisation=scope.organisations[organisation_id],
            now=now,
            today=scope.today[organisation_id],
            calendar=scope.calendars[organisation_id],
            cases=cases_of[organisation_id],
        )
        for key, found in ledger_items(context, listed).items():
            items[organisation_id][key] += found
    for organisation_id, item in held_late_items(uow, scope, now):
        items[organisation_id]["meetings"].append(item)
    open_cases = uow.cases.count_open_by_organisation(scope.ids)
    overdue_cases = uow.obligations.count_cases_overdue_by_organisation(scope.ids, kinds=ledger_kinds())
    return {
        i: assemble_digest(
            organisation=o.name,
            day=scope.today[i],
            open_cases=open_cases.get(i, 0),
            overdue_cases=overdue_cases.get(i, 0),
            items=items[i],
            titles={"cp9": f"{policy_for(o).cp9.form_name}s due and overdue"},
        )
        for i, o in scope.organisations.items()
    }


def _listed_rows(uow: UnitOfWork, scope: Scope) -> list[Obligation]:
    """The rows the digests may list, each once: overdue, due before the furthest horizon, and the kinds listed
    whenever they are owed."""
    overdue_kinds, soon_kinds, anytime_kinds = listed_kinds()
    found = {r.id: r for r in uow.obligations.overdue_for_organisation(scope.ids, kinds=overdue_kinds)}
    # One per calendar and day (organisations of a nation share their calendar object): not one per organisation.
    days = {(id(scope.calendars[i]), scope.today[i]): i for i in scope.ids}
    horizons = [h for i in days.values() if (h := due_soon_horizon(scope.calendars[i], scope.today[i])) is not None]
    if horizons and soon_kinds:
        soon = uow.obligations.due_soon_for_organisation(scope.ids, until=max(horizons), kinds=soon_kinds)
        found.update((r.id, r) for r in soon)
    found.update((r.id, r) for r in uow.obligations.open_of_kinds_for_organisation(scope.ids, kinds=anytime_kinds))
    return list(found.values())


def held_late_items(uow: UnitOfWork, scope: Scope, now: datetime) -> list[tuple[int, DigestItem]]:
    """Meetings held after their due date this past week (not owed any more: for the coordinator's information)."""
    late = uow.meetings.held_late(organisation_id=scope.ids, since=now - timedelta(days=rules.HELD_LATE_DAYS))
    cases = uow.cases.lines(d.case_id for d in late)
    return [
        (
            case.organisation_id,
            rules.meeting_late_item(
                reference=case.reference,
                channel=case.channel,
                due_on=due.due_on,
                days_late=due.days_late or 0,
                chair=case.chair,
            ),
        )
        for due in late
        if (case := cases.get(due.case_id)) is not None and case.status != CaseStatus.CLOSED
    ]


def send_daily_digests(*, uow_factory: UnitOfWorkFactory, now: datetime, batch: int = BATCH) -> int:
    """Enqueue today's digest for each organisation whose digest time has come on a working day; how many.

    The organisations due are built `batch` at a time in one transaction, so 150 digests cost a few statements per
    query, not a few per organisation; a digest already enqueued today (its key) is not built again.
    """
    with uow_factory() as uow:
        organisations = uow.organisations.list()
        due = [
            (o.id, day)
            for o in organisations
            if (day := digest_day(now, calendar=calendar_for(o), policy=policy_for(o))) is not None
        ]
        if not due:
            return 0
        sent = 0
        for start in range(0, len(due), batch):
            sent += _send_batch(uow, organisations, dict(due[start : start + batch]), now=now)
            uow.commit()
    return sent


def _send_batch(uow: UnitOfWork, everyone: Sequence[Organisation], days: dict[int, date], *, now: datetime) -> int:
    """Build and enqueue the digests of these organisations (id -> local day) not enqueued yet; how many."""
    sent_already = uow.outbox.existing_keys([digest_key(i, day) for i, day in days.items()])
    organisations = [o for o in everyone if o.id in days and digest_key(o.id, days[o.id]) not in sent_already]
    if not organisations:
        return 0
    digests = build_digests(uow=uow, organisations=organisations, now=now)
    delegates = {
        day: delegates_for_many(uow, [o.coordinator for o in organisations], Duty.COORDINATE, on=day)
        for day in set(days.values())
    }
    notices: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for organisation in organisations:
        day, digest, coordinator = days[organisation.id], digests[organisation.id], organisation.coordinator
        delegate = delegates[day].get(coordinator)
        to, on_behalf_of = (delegate, coordinator) if delegate and delegate != coordinator else (coordinator, None)
        # Already the row's JSON (`Digest.to_payload`): the dispatcher reads it as a `CoordinatorDigest` when it
        # sends, so the 09:00 bulk path does not build and dump every organisation's digest a second time.
        payload = {**digest.to_payload(), "recipient": to, "on_behalf_of": on_behalf_of, "coordinator": coordinator}
        notices.append(
            dict(
                key=digest_key(organisation.id, day),
                kind=NoticeKind.COORDINATOR_DIGEST,
                recipient=to,
                payload=payload,
                platform=organisation.platform,  # no case: the organisation's own platform
            )
        )
        events.append(
            dict(
                action="digest.sent",
                actor=SYSTEM_ACTOR,
                to=to,
                on_behalf_of=on_behalf_of,
                day=day.isoformat(),
                items=digest.total,
                sections={s.key: s.count for s in digest.non_empty()},
            )
        )
    added = uow.outbox.enqueue_many(notices, now=now)
    if added != len(notices):  # another sweep enqueued some meanwhile: again, one by one, auditing only ours
        uow.rollback()
        added = 0
        for notice, event in zip(notices, events, strict=True):
            if uow.outbox.enqueue(now=now, **notice):
                uow.audit.record(at=now, **event)
                added += 1
        return added
    uow.audit.record_many(events, at=now)
    return added


def coordinator_route(uow: UnitOfWork, organisation: Organisation, *, now: datetime) -> tuple[str, str | None]:
    """Who gets what is meant for the coordinator today: their active delegate (on their behalf), else them."""
    return recipient_for(
        uow=uow, organisation=organisation, principal=organisation.coordinator, duty=Duty.COORDINATE, now=now
    )
