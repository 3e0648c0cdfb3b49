"""The demo organisation: fictional people shown by role, three case channels, and their history.

Everything is seeded through the bot's own services (``import_organisation``, ``record_meeting``,
``request_meeting``), replayed on the sandbox clock from ten days before the start, so every message
lands in Slack with the time it would really have had and the sweep has run as it would have.

| case | state at the start |
|---|---|
| CP-DEMO-0001 | first meeting on the next working day at 10:00 |
| CP-DEMO-0002 | first meeting held nine days ago and recorded; neither the plan nor the CP9 (7 days) was sent: the CP9 is overdue |
| CP-DEMO-0003 | a member's request for an additional meeting waits for the team leader |

No child's or family member's name appears anywhere: cases are references, people without Slack are
role labels ("Mother"), and the professionals have obviously fictional first names with their role.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import WorkingCalendar
from sandbox.workspace import Channel, Person, Workspace, app_commands

__all__ = ["DemoOrganisation", "NATION", "TIMEZONE", "demo_workspace", "organisation_file"]

log = logging.getLogger("sandbox.demo")

TIMEZONE = "Europe/London"
NATION = "england"
CHAIR, TEAM_LEADER, COORDINATOR = "U0SAM", "U0ALEX", "U0JO"
HEALTH_VISITOR, TEACHER, POLICE = "U0PRIYA", "U0TOM", "U0KIT"

PEOPLE = [
    Person(CHAIR, "Sam (chair)"),
    Person(TEAM_LEADER, "Alex (team leader)"),
    Person(COORDINATOR, "Jo (coordinator)"),
    Person(HEALTH_VISITOR, "Priya (health visitor)"),
    Person(TEACHER, "Tom (teacher)"),
    Person(POLICE, "Kit (police)"),
]

CASES = [
    {
        "reference": "CP-DEMO-0001",
        "channel": "C0DEMO0001",
        "members": [HEALTH_VISITOR, TEACHER, POLICE],
        "participants_without_slack": ["Mother", "Father"],
    },
    {
        "reference": "CP-DEMO-0002",
        "channel": "C0DEMO0002",
        "members": [HEALTH_VISITOR, POLICE],
        "participants_without_slack": ["Grandmother"],
    },
    {
        "reference": "CP-DEMO-0003",
        "channel": "C0DEMO0003",
        "members": [TEACHER, HEALTH_VISITOR],
        "participants_without_slack": ["Mother"],
    },
]


def demo_workspace() -> Workspace:
    """The sandbox's Slack workspace: the people, and each case channel with its group and the coordinator."""
    channels = []
    for case in CASES:
        members = (CHAIR, TEAM_LEADER, *case["members"], COORDINATOR)
        channels.append(
            Channel(
                id=case["channel"],
                name=case["reference"].lower(),
                members=tuple(dict.fromkeys(members)),
                topic=f"Core group {case['reference']}: case reference only, never names",
            )
        )
    return Workspace(people=list(PEOPLE), channels=channels, commands=app_commands())


@dataclass(frozen=True)
class Timeline:
    """The moments of the demo's history, all tz-aware UTC."""

    begins: datetime  # ten days before the start: the organisation file is imported
    held: datetime  # CP-DEMO-0002's first meeting
    recorded: datetime  # ... and when its chair recorded it
    requested: datetime  # CP-DEMO-0003's request for an additional meeting
    tomorrow: datetime  # CP-DEMO-0001's first meeting
    later: datetime  # CP-DEMO-0003's first meeting
    start: datetime


def timeline(start: datetime, calendar: WorkingCalendar) -> Timeline:
    """The history leading to ``start``, on working days of the demo organisation."""
    zone = ZoneInfo(TIMEZONE)
    today = start.astimezone(zone).date()

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone).astimezone(ZoneInfo("UTC"))

    def working_on_or_before(day: date) -> date:
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working(day: date, count: int = 1) -> date:
        for _ in range(count):
            day += timedelta(days=1)
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
        return day

    held_on = working_on_or_before(today - timedelta(days=9))
    requested_on = working_on_or_before(today - timedelta(days=1))
    return Timeline(
        begins=at(held_on - timedelta(days=1), 9),
        held=at(held_on, 10),
        recorded=at(held_on, 12),
        requested=at(requested_on, 15),
        tomorrow=at(next_working(today), 10),
        later=at(next_working(today, 4), 14),
        start=start,
    )


def organisation_file(times: Timeline) -> dict:
    """The demo organisation file, as data (the same shape as ``COREGROUP_CONFIG``)."""
    zone = ZoneInfo(TIMEZONE)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    first = {"CP-DEMO-0001": times.tomorrow, "CP-DEMO-0002": times.held, "CP-DEMO-0003": times.later}
    registered = {
        "CP-DEMO-0001": times.begins,
        "CP-DEMO-0002": times.begins - timedelta(days=3),
        "CP-DEMO-0003": times.begins,
    }
    cases = [
        {
            "reference": c["reference"],
            "channel": c["channel"],
            "registered_on": registered[c["reference"]].astimezone(zone).date().isoformat(),
            "first_meeting": local(first[c["reference"]]),
            "chair": CHAIR,
            "team_leader": TEAM_LEADER,
            "members": list(c["members"]),
            "participants_without_slack": list(c["participants_without_slack"]),
        }
        for c in CASES
    ]
    # The CP9 is South Ayrshire's form; the demo turns it on, as any organisation can, to show it.
    return {
        "organisation": {
            "name": "Demo Council (sandbox)",
            "profile": NATION,
            "nation": NATION,
            "timezone": TIMEZONE,
            "coordinator": COORDINATOR,
            "admins": [COORDINATOR],
            "policy": {"cp9": {"enabled": True}},
        },
        "cases": cases,
    }


class DemoOrganisation:
    """Seeds the demo through the bot's services, moving the sandbox clock through its history.

    ``replay_to(moment)`` moves the clock forward (running the sweep at 09:00 each day on the way, as the
    running bot would) and dispatches what is due; ``notes`` says what was seeded and what could not be.
    """

    def __init__(self, *, uow_factory, clock, replay_to: Callable[..., object]) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.replay_to = replay_to
        self.notes: list[str] = []

    def seed(self, start: datetime) -> list[str]:
        """Import the organisation and play its history up to ``start``; returns the notes for the page."""
        times = timeline(start, WorkingCalendar(nation=NATION, timezone=TIMEZONE))
        self.replay_to(times.begins)
        self._step("imported the organisation: 3 case channels, first meetings scheduled", self._import, times)
        self.replay_to(times.recorded)
        self._step("CP-DEMO-0002: the chair recorded the first meeting, 9 days ago", self._record, times)
        self.replay_to(times.requested)
        self._step(
            "CP-DEMO-0003: the teacher asked for an additional meeting; it waits for the team leader",
            self._request,
            times,
        )
        self.replay_to(times.start)
        self.notes.append(self._cp9_note())
        return self.notes

    def _step(self, done: str, fn: Callable[[Timeline], None], times: Timeline) -> None:
        try:
            fn(times)
        except Exception as exc:  # the demo still starts; the page says what is missing
            log.exception("sandbox seed step failed: %s", done)
            self.notes.append(f"Not seeded ({exc.__class__.__name__}: {exc}): {done}")
        else:
            self.notes.append(f"Seeded: {done}")
        self.replay_to(self.clock.now())  # deliver what it caused at the time it happened

    def _import(self, times: Timeline) -> None:
        from bot.orgfile import parse_organisation_file
        from bot.services.cases import import_organisation

        file = parse_organisation_file(organisation_file(times))
        with self.uow_factory() as uow:
            import_organisation(file, uow=uow, now=self.clock.now(), actor=COORDINATOR)  # Jo is the admin
            uow.commit()

    def _record(self, times: Timeline) -> None:
        from bot.meetings import RecordDraft
        from bot.services.meeting_records import record_meeting

        channel = CASES[1]["channel"]
        with self.uow_factory() as uow:
            case = uow.cases.get_by_channel(channel)
            meeting = next(m for m in uow.meetings.for_case(case.id) if m.starts_at == times.held)
            draft = RecordDraft(
                meeting_id=meeting.id,
                attended_users=(CHAIR, HEALTH_VISITOR, POLICE),  # the rest were invited
                attended_labels=("Grandmother",),
                checklist={
                    "supports": "Health visiting weekly; a family support worker from next week.",
                    "monitoring": "Health visitor and police share updates weekly with the chair.",
                    "outcomes": "Home conditions improved; school attendance still below target.",
                    "contingency": "If visits are refused twice, the chair convenes the group within 2 days.",
                },
            )
            record_meeting(draft, channel=channel, user=CHAIR, uow=uow, now=self.clock.now())
            uow.commit()

    def _request(self, times: Timeline) -> None:
        from bot.services.requests import NewRequest, request_meeting

        with self.uow_factory() as uow:
            request_meeting(
                NewRequest(
                    channel=CASES[2]["channel"],
                    user=TEACHER,
                    concern="deepening",
                    urgency="routine",
                    details="Attendance has dropped to two days a week since half term.",
                ),
                uow=uow,
                now=self.clock.now(),
            )
            uow.commit()

    def _cp9_note(self) -> str:
        """Whether CP-DEMO-0002's CP9 shows overdue, as the coordinator would see it in status."""
        if importlib.util.find_spec("bot.services.cp9") is None:
            return (
                "Not seeded: CP-DEMO-0002's CP9 is not shown overdue, because CP9 tracking (the CP9 to the "
                "coordinator within 7 days) is not built yet; the meeting it depends on is recorded."
            )
        from bot.services.cp9 import cp9_status

        with self.uow_factory() as uow:
            view = cp9_status(CASES[1]["channel"], COORDINATOR, uow=uow, now=self.clock.now())
        if view is None or view.state != "overdue":
            return f"Not seeded: CP-DEMO-0002's CP9 is {view.state if view else 'not tracked'}, not overdue."
        return (
            f"Seeded: CP-DEMO-0002's {view.form_name} is overdue: it was due with the coordinator on "
            f"{view.due_on:%a %-d %b %Y}, 7 days after the meeting."
        )
