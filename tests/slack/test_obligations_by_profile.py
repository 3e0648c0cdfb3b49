"""What a recorded meeting leaves owed, profile by profile (issue 14): each procedure's obligations, and no other's."""

from __future__ import annotations

import pytest

from tests.slack.meeting_steps import local
from tests.slack.receipt_steps import case_meeting_at, record_meeting

MEETING = local(2027, 7, 28, 10, 0)  # a Wednesday
ORGANISATIONS = {
    "england": {"name": "Kent County Council", "profile": "england", "nation": "england", "closure_days": []},
    "wales": {"name": "Cardiff Council", "profile": "wales", "nation": "wales", "closure_days": []},
    "scotland": {"name": "Angus Council", "profile": "scotland", "nation": "scotland"},
    "south-ayrshire": {},  # the harness's own organisation
    "fife": {"name": "Fife Council", "profile": "fife", "nation": "scotland", "eligible_chairs": ["U0CHAIR"]},
}


def owed_after_the_record(bot, profile: str) -> dict[str, list]:
    """Record the case's first meeting under `profile`; what is then open on the ledger, by kind."""
    case_meeting_at(bot, MEETING, organisation=ORGANISATIONS[profile])
    record_meeting(bot, at=local(2027, 7, 28, 12, 0))
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        owed: dict[str, list] = {}
        for row in uow.obligations.open_for_case(case.id):
            owed.setdefault(row.kind, []).append(row)
        return owed


@pytest.mark.parametrize("profile", list(ORGANISATIONS))
def test_a_recorded_meeting_leaves_owed_what_the_procedure_asks_and_nothing_else(bot, profile):
    owed = owed_after_the_record(bot, profile)
    expected = {"next_meeting", "plan_copy_sent"} | ({"cp9_sent"} if profile == "south-ayrshire" else set())
    assert set(owed) == expected
    # Everyone invited is owed the plan: who attended, and the absent (Father, U0POL); the team leader was taken off.
    assert sorted(r.recipient for r in owed["plan_copy_sent"]) == ["Father", "Mother", "U0HV", "U0POL", "U0TEACH"]
    (next_meeting,) = owed["next_meeting"]
    # A calendar month after the meeting is Sat 28 Aug 2027: due the working day before.
    assert next_meeting.due_local_date.isoformat() == "2027-08-27"
    # Only Wales makes 6 weeks without a meeting a breach that tells the coordinator.
    assert (next_meeting.breach_at is not None) == (profile == "wales")
