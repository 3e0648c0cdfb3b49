"""The coordinator's daily digest: what needs the Co-ordinator, Children Services today, section by section.

Pure: no database, no chat platform, no clock. The service (`bot/services/digest.py`) reads what is owed from the
ledger and hands the items here; this module orders them (oldest first), counts them, says when a digest is due and
what its idempotency key is, and turns a digest into an outbox payload and back. A case is "on time" when nothing it
owes is overdue: the service counts those cases on the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.calendar import WorkingCalendar
from bot.notices import notice_key
from bot.policy import Policy

#: The digest's sections, in the order they are shown: key -> title.
SECTIONS: dict[str, str] = {
    "cp9": "CP9s due and overdue",
    "escalations": "Escalations waiting for you",
    "referrals": "Referred for significant amendment of the plan",
    "reviews": "Review conferences in the next 10 working days without a report",
    "letters": "Institution letters not yet sent",
    "plan_copies": "Plan copies overdue",
    "meetings": "Meetings overdue or not scheduled",
    "unrecorded": "Meetings held but not recorded",
    "actions": "Actions overdue",
    "outcomes": "Review conference decisions not recorded",
    "requests": "Requests undecided past their limit",
    "deregistrations": "Post-deregistration meetings missed",
}

#: A review conference this many working days ahead, or nearer, with no report is listed.
REVIEW_WORKING_DAYS = 10
#: A meeting not scheduled yet shows this many working days before it is due; one held late, this many days after.
NOT_SCHEDULED_WORKING_DAYS = 5
HELD_LATE_DAYS = 7


@dataclass(frozen=True)
class DigestItem:
    """One thing that needs the coordinator: the case, what it is in plain words, and since when."""

    reference: str
    channel: str
    summary: str
    since: date  # when it became due (or was asked for): the oldest is shown first
    people: tuple[str, ...] = ()  # who it waits on (Slack user ids), shown after the summary

    def to_payload(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "channel": self.channel,
            "summary": self.summary,
            "since": self.since.isoformat(),
            "people": list(self.people),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> DigestItem:
        return cls(
            data["reference"],
            data["channel"],
            data["summary"],
            date.fromisoformat(data["since"]),
            tuple(data.get("people") or ()),
        )


@dataclass(frozen=True)
class DigestSection:
    """One section of the digest, its items oldest first."""

    key: str
    title: str
    items: tuple[DigestItem, ...] = ()

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Digest:
    """The whole digest of one organisation for one local day."""

    organisation: str
    day: date
    open_cases: int
    on_time: int  # open cases with nothing overdue
    sections: tuple[DigestSection, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def empty(self) -> bool:
        return self.total == 0

    def non_empty(self) -> tuple[DigestSection, ...]:
        return tuple(s for s in self.sections if s.items)

    def headline(self) -> str:
        """One line: "Nothing needs you today — 14 cases on time", or the counts."""
        cases = f"{self.on_time} case{'s' if self.on_time != 1 else ''} on time"
        if self.empty:
            return f"Nothing needs you today — {cases}"
        things = f"{self.total} thing{'s' if self.total != 1 else ''} need{'s' if self.total == 1 else ''} you"
        return f"{things} today — {cases}"

    def to_payload(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "day": self.day.isoformat(),
            "open_cases": self.open_cases,
            "on_time": self.on_time,
            "sections": [
                {"key": s.key, "title": s.title, "items": [i.to_payload() for i in s.items]} for s in self.sections
            ],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Digest:
        sections = tuple(
            DigestSection(s["key"], s["title"], tuple(DigestItem.from_payload(i) for i in s.get("items") or ()))
            for s in data.get("sections") or ()
        )
        return cls(
            data["organisation"],
            date.fromisoformat(data["day"]),
            int(data.get("open_cases") or 0),
            int(data.get("on_time") or 0),
            sections,
        )


def assemble_digest(
    *,
    organisation: str,
    day: date,
    open_cases: int,
    overdue_cases: int,
    items: Mapping[str, Iterable[DigestItem]],
    titles: Mapping[str, str] | None = None,
) -> Digest:
    """Every section in its fixed order, each oldest first; a case is on time when nothing it owes is overdue."""
    unknown = set(items) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown digest sections: {sorted(unknown)}")
    titles = {**SECTIONS, **(titles or {})}
    sections = tuple(
        DigestSection(key, titles[key], tuple(sorted(items.get(key, ()), key=_oldest_first))) for key in SECTIONS
    )
    return Digest(organisation, day, open_cases, max(open_cases - overdue_cases, 0), sections)


def _oldest_first(item: DigestItem) -> tuple[date, str, str]:
    return item.since, item.reference, item.summary


def digest_day(now: datetime, *, calendar: WorkingCalendar, policy: Policy) -> date | None:
    """The local day whose digest is due at `now`: a working day once its digest time has come; else None.

    No digest on a weekend, bank holiday or closure day: the next working day's covers them.
    """
    today = calendar.local_date(now)
    if not calendar.is_working_day(today):
        return None
    if now < calendar.at_local(today, policy.digest_time):
        return None
    return today


def digest_key(organisation_id: int, day: date) -> str:
    """The digest's idempotency key: digest + organisation + local date (exactly one per working day)."""
    return notice_key("digest", organisation_id, day.isoformat())


# --- the items, in plain words ------------------------------------------------------------------


def words(day: date) -> str:
    """'Fri 6 Aug 2027'."""
    return day.strftime("%a %-d %b %Y")


def days_word(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def cp9_overdue_item(
    *, reference: str, channel: str, form_name: str, held_on: date, due_on: date, today: date, chair: str | None
) -> DigestItem:
    late = (today - due_on).days
    return DigestItem(
        reference,
        channel,
        f"{form_name} overdue by {days_word(late)}: due {words(due_on)} (meeting of {words(held_on)}), not marked sent",
        due_on,
        _people(chair),
    )


def cp9_due_item(
    *, reference: str, channel: str, form_name: str, held_on: date, due_on: date, chair: str | None
) -> DigestItem:
    return DigestItem(
        reference, channel, f"{form_name} due by {words(due_on)} (meeting of {words(held_on)})", due_on, _people(chair)
    )


def cp9_sent_item(*, reference: str, channel: str, form_name: str, sent_on: date, due_on: date) -> DigestItem:
    return DigestItem(reference, channel, f"{form_name} sent on {words(sent_on)}: mark it received", due_on)


def escalation_item(
    *, reference: str, channel: str, concern: str, urgency: str, since: date, asked: bool, requester: str, decider: str
) -> DigestItem:
    what = f"request for an additional meeting ({concern} concerns, {urgency})"
    if asked:
        return DigestItem(
            reference,
            channel,
            f"Refused {what}: the member asked you to review it on {words(since)}",
            since,
            _people(requester),
        )
    return DigestItem(
        reference, channel, f"Undecided {what}: escalated to you on {words(since)}", since, _people(decider)
    )


def request_item(
    *, reference: str, channel: str, concern: str, urgency: str, requested_on: date, waiting_on: str
) -> DigestItem:
    return DigestItem(
        reference,
        channel,
        f"Request for an additional meeting ({concern} concerns, {urgency}) undecided since {words(requested_on)}",
        requested_on,
        _people(waiting_on),
    )


def referral_item(
    *, reference: str, channel: str, held_on: date, to_name: str, due_on: date, today: date, waiting_on: str | None
) -> DigestItem:
    late = f", overdue since {words(due_on)}" if due_on < today else f", to answer by {words(due_on)}"
    return DigestItem(
        reference,
        channel,
        f"The meeting of {words(held_on)} found the plan needs significant "
        f"amendment: referred to {to_name}, not answered{late}",
        held_on,
        _people(waiting_on),
    )


def review_item(
    *, reference: str, channel: str, name: str, held_on: date, due_on: date, today: date, chair: str | None
) -> DigestItem:
    due = f"was due {words(due_on)}" if due_on < today else f"due {words(due_on)}"
    return DigestItem(
        reference, channel, f"The {name} is on {words(held_on)}: no report yet ({due})", due_on, _people(chair)
    )


def letter_item(
    *,
    reference: str,
    channel: str,
    status: str,
    since: date,
    relationship: str | None,
    kind: str | None,
    waiting_on: str | None,
) -> DigestItem:
    if status == "details_needed":
        return DigestItem(
            reference,
            channel,
            f"Institution letter: details awaited from the chair since {words(since)}",
            since,
            _people(waiting_on),
        )
    about = f"the child's {relationship}" if relationship else "a person connected with the child"
    where = {"prison": "a prison", "hospital": "a hospital"}.get(kind or "", "an institution")
    return DigestItem(
        reference, channel, f"Letter to the head of {where} about {about}: not sent (asked {words(since)})", since
    )


def plan_copies_item(
    *, reference: str, channel: str, held_on: date, due_on: date, owed: int, today: date, chair: str | None
) -> DigestItem:
    late = (today - due_on).days
    return DigestItem(
        reference,
        channel,
        f"{owed} plan cop{'y' if owed == 1 else 'ies'} overdue by "
        f"{days_word(late)}: due {words(due_on)} (meeting of {words(held_on)})",
        due_on,
        _people(chair),
    )


def meeting_overdue_item(*, reference: str, channel: str, due_on: date, chair: str | None) -> DigestItem:
    return DigestItem(
        reference, channel, f"Meeting overdue: due by {words(due_on)}, nothing scheduled", due_on, _people(chair)
    )


def meeting_not_scheduled_item(*, reference: str, channel: str, due_on: date, chair: str | None) -> DigestItem:
    return DigestItem(reference, channel, f"Meeting not scheduled yet: due by {words(due_on)}", due_on, _people(chair))


def meeting_breach_item(*, reference: str, channel: str, breach_on: date, chair: str | None) -> DigestItem:
    return DigestItem(
        reference,
        channel,
        f"Breach: no meeting held by {words(breach_on)}, the limit since the last meeting; tell the chair",
        breach_on,
        _people(chair),
    )


def meeting_late_item(*, reference: str, channel: str, due_on: date, days_late: int, chair: str | None) -> DigestItem:
    return DigestItem(
        reference, channel, f"Meeting held {days_word(days_late)} late (due by {words(due_on)})", due_on, _people(chair)
    )


def unrecorded_meeting_item(
    *, reference: str, channel: str, held_on: date, today: date, chair: str | None
) -> DigestItem:
    ago = days_word((today - held_on).days)
    return DigestItem(
        reference,
        channel,
        f"Meeting of {words(held_on)} not recorded ({ago} ago): recorded, or marked as not held, by the chair",
        held_on,
        _people(chair),
    )


def action_item(
    *, reference: str, channel: str, held_on: date, due_on: date, today: date, owner: str | None, chair: str | None
) -> DigestItem:
    """An action past its date (its words are the chair's free text: never shown here)."""
    late = (today - due_on).days
    return DigestItem(
        reference,
        channel,
        f"Action from the meeting of {words(held_on)} overdue by {days_word(late)}: due {words(due_on)}, not done",
        due_on,
        _people(owner or chair),
    )


def outcome_item(*, reference: str, channel: str, name: str, held_on: date, coordinator: str | None) -> DigestItem:
    return DigestItem(
        reference, channel, f"{name} of {words(held_on)}: its decision is not recorded", held_on, _people(coordinator)
    )


def window_missed_item(*, reference: str, channel: str, closes_on: date, convener: str | None) -> DigestItem:
    return DigestItem(
        reference,
        channel,
        f"Post-deregistration meeting: its window closed on {words(closes_on)} with no outcome recorded",
        closes_on,
        _people(convener),
    )


def _people(*users: str | None) -> tuple[str, ...]:
    return tuple(u for u in users if u)
