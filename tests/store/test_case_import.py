"""Importing the organisation file is idempotent, reports what changed, and audits it."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation, list_cases
from store.models import Role
from tests.harness import CASE, organisation_file

NOW = datetime(2027, 5, 17, 8, 0, tzinfo=timezone.utc)


def run_import(uow_factory, data):
    with uow_factory() as uow:
        report = import_organisation(parse_organisation_file(data), uow=uow, now=NOW)
        uow.commit()
    return report


def test_first_import_creates_the_organisation_and_its_cases(uow_factory):
    report = run_import(uow_factory, organisation_file())
    assert report.organisation_changes == ["created"]
    assert report.created == ["CP-2027-0142"]
    with uow_factory() as uow:
        case = uow.cases.get_by_channel("C0CASE142")
        assert case.chair == "U0CHAIR" and case.team_leader == "U0TL"
        assert case.members == ["U0HV", "U0TEACH", "U0POL"]
        assert case.participants_without_slack == ["Mother", "Father"]
        assert [e.action for e in uow.audit.list()] == ["organisation.imported", "case.registered", "meeting.scheduled",
                                                        "obligation.opened"]
        (first,) = uow.meetings.for_case(case.id)
        assert (first.kind, first.starts_at) == ("first", datetime(2027, 5, 24, 9, 0, tzinfo=timezone.utc))
        (notice,) = uow.outbox.list()
        assert (notice.kind, notice.recipient) == ("meeting_scheduled", "C0CASE142")


def test_importing_the_same_file_twice_changes_nothing(uow_factory):
    run_import(uow_factory, organisation_file())
    report = run_import(uow_factory, organisation_file())
    assert report.created == [] and report.updated == {} and report.unchanged == ["CP-2027-0142"]
    with uow_factory() as uow:
        assert len(list_cases(uow=uow)) == 1
        assert len(uow.cases.get_by_reference("CP-2027-0142").roles) == 7


def test_reimport_reports_each_change_and_never_duplicates(uow_factory):
    run_import(uow_factory, organisation_file())
    changed = dict(CASE, team_leader="U0TL2", members=["U0HV", "U0POL", "U0GP"])
    report = run_import(uow_factory, organisation_file(cases=[changed, dict(CASE, reference="CP-2", channel="C0TWO")]))
    assert report.created == ["CP-2"]
    assert sorted(report.updated["CP-2027-0142"]) == sorted([
        "team_leader added: U0TL2", "member added: U0GP", "team_leader removed: U0TL", "member removed: U0TEACH",
    ])
    with uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        assert case.team_leader == "U0TL2"
        assert sorted(case.users_with(Role.MEMBER)) == ["U0GP", "U0HV", "U0POL"]
        assert [c.reference for c in list_cases(uow=uow)] == ["CP-2", "CP-2027-0142"]
        (updated,) = uow.audit.list(action="case.updated")
        assert updated.case_id == case.id


def test_cases_left_out_of_a_file_are_reported_and_kept(uow_factory):
    run_import(uow_factory, organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2", channel="C0TWO")]))
    report = run_import(uow_factory, organisation_file(cases=[dict(CASE)]))
    assert report.not_in_file == ["CP-2"]
    with uow_factory() as uow:
        assert len(list_cases(uow=uow)) == 2


def test_moving_the_first_meeting_in_the_file_moves_the_scheduled_meeting(uow_factory):
    run_import(uow_factory, organisation_file())
    report = run_import(uow_factory, organisation_file(cases=[dict(CASE, first_meeting="2027-05-25T14:00")]))
    assert report.updated["CP-2027-0142"] == ["first_meeting_at: 2027-05-24T09:00+00:00 -> 2027-05-25T13:00+00:00"]
    with uow_factory() as uow:
        (first,) = uow.meetings.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
        assert first.starts_at == datetime(2027, 5, 25, 13, 0, tzinfo=timezone.utc)
