"""Importing the organisation file is idempotent, reports what changed, and audits it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.errors import ConfigError
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation, list_cases
from store.models import Role
from tests.harness import CASE, database_snapshot, organisation_file

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
        assert [(e.action, e.detail.get("kind")) for e in uow.audit.list()] == [
            ("organisation.imported", None),
            ("case.registered", None),
            ("meeting.scheduled", "first"),
            ("obligation.opened", "meeting_record"),
            ("obligation.opened", "first_meeting"),
        ]
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
    assert sorted(report.updated["CP-2027-0142"]) == sorted(
        [
            "team_leader added: U0TL2",
            "member added: U0GP",
            "team_leader removed: U0TL",
            "member removed: U0TEACH",
        ]
    )
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


FIFE = {
    "name": "Fife Council",
    "profile": "fife",
    "coordinator": "U0FIFECO",
    "eligible_chairs": ["U0CHAIR", "U0FIFECH"],
}


def refused_import(uow_factory, data) -> list[str]:
    with uow_factory() as uow, pytest.raises(ConfigError) as caught:
        import_organisation(parse_organisation_file(data), uow=uow, now=NOW)
    return caught.value.errors


def test_another_organisations_file_cannot_take_over_a_case_or_change_anything(engine, uow_factory):
    run_import(uow_factory, organisation_file())
    before = database_snapshot(engine)
    errors = refused_import(
        uow_factory,
        organisation_file(
            organisation=FIFE, cases=[dict(CASE, reference="CP-F1", channel="C0F1"), dict(CASE, chair="U0FIFECH")]
        ),
    )
    assert errors == [
        "cases[1].reference: 'CP-2027-0142' is a case of another organisation; a case never moves between organisations"
    ]
    assert database_snapshot(engine) == before
    with uow_factory() as uow:
        assert uow.organisations.get_by_name("Fife Council") is None
        case = uow.cases.get_by_reference("CP-2027-0142")
        assert case.organisation.name == "South Ayrshire Council" and case.chair == "U0CHAIR"


def test_a_new_case_cannot_reuse_a_channel_and_the_rest_of_the_file_is_not_applied(engine, uow_factory):
    run_import(uow_factory, organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2", channel="C0TWO")]))
    before = database_snapshot(engine)
    errors = refused_import(
        uow_factory,
        organisation_file(
            cases=[
                dict(CASE, reference="CP-2", channel="C0TWO", chair="U0NEWCHAIR"),
                dict(CASE, reference="CP-3", channel="C0CASE142"),
            ]
        ),
    )
    assert errors == [
        "cases[1].channel: 'C0CASE142' is already the channel of case CP-2027-0142; give this case its own channel"
    ]
    assert database_snapshot(engine) == before


def test_a_channel_of_another_organisations_case_is_refused_without_naming_that_case(engine, uow_factory):
    run_import(uow_factory, organisation_file())
    before = database_snapshot(engine)
    errors = refused_import(
        uow_factory, organisation_file(organisation=FIFE, cases=[dict(CASE, reference="CP-F1", channel="C0CASE142")])
    )
    assert errors == [
        "cases[0].channel: 'C0CASE142' is already the channel of a case of another organisation; "
        "give this case its own channel"
    ]
    assert "CP-2027-0142" not in " ".join(errors)
    assert database_snapshot(engine) == before


def test_swapping_two_cases_channels_is_refused_rather_than_failing_in_the_database(engine, uow_factory):
    run_import(uow_factory, organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2", channel="C0TWO")]))
    before = database_snapshot(engine)
    errors = refused_import(
        uow_factory,
        organisation_file(cases=[dict(CASE, channel="C0TWO"), dict(CASE, reference="CP-2", channel="C0CASE142")]),
    )
    assert errors == [
        "cases[0].channel: 'C0TWO' is already the channel of case CP-2; give this case its own channel",
        "cases[1].channel: 'C0CASE142' is already the channel of case CP-2027-0142; give this case its own channel",
    ]
    assert database_snapshot(engine) == before


def test_another_organisations_cases_are_not_listed_as_missing_from_a_file(uow_factory):
    run_import(uow_factory, organisation_file())
    report = run_import(
        uow_factory, organisation_file(organisation=FIFE, cases=[dict(CASE, reference="CP-F1", channel="C0F1")])
    )
    assert report.created == ["CP-F1"] and report.not_in_file == []


def test_an_organisations_worked_bank_holidays_are_kept_and_count_as_working_days(uow_factory):
    from datetime import date

    from bot.organisation import calendar_for

    # St Andrew's Day, Tue 30 Nov 2027, is a Scottish bank holiday this council works.
    run_import(uow_factory, organisation_file(organisation={"working_days": ["2027-11-30"]}))
    with uow_factory() as uow:
        organisation = uow.cases.get_by_reference("CP-2027-0142").organisation
        assert organisation.working_days == ["2027-11-30"]
        calendar = calendar_for(organisation)
        assert calendar.is_working_day(date(2027, 11, 30))
        assert calendar.add_working_days(date(2027, 11, 29), 1) == date(2027, 11, 30)
    report = run_import(uow_factory, organisation_file())  # the list removed: the holiday is a rest day again
    assert report.organisation_changes
    with uow_factory() as uow:
        organisation = uow.cases.get_by_reference("CP-2027-0142").organisation
        assert organisation.working_days == []
        assert not calendar_for(organisation).is_working_day(date(2027, 11, 30))


def test_the_files_review_conference_and_conference_chair_are_imported_and_a_changed_date_moves_it(uow_factory):
    case = dict(CASE, review_conference="2027-08-10", conference_chair="U0CPPM")
    run_import(uow_factory, organisation_file(cases=[case]))
    report = run_import(uow_factory, organisation_file(cases=[dict(case, review_conference="2027-08-17")]))
    assert report.updated == {"CP-2027-0142": ["review_conference: 2027-08-17"]}
    with uow_factory() as uow:
        registered = uow.cases.get_by_reference("CP-2027-0142")
        assert registered.conference_chair == "U0CPPM"
        assert [(c.held_on.isoformat(), c.status, c.set_by) for c in uow.reviews.for_case(registered.id)] == [
            ("2027-08-17", "scheduled", "cli")
        ]
        assert [
            (o.kind, o.due_local_date.isoformat())
            for o in uow.obligations.open_for_case(registered.id)
            if o.kind.startswith("review")
        ] == [("review_report", "2027-08-10"), ("review_outcome", "2027-08-18")]
        assert [e.detail["via"] for e in uow.audit.list(action="review_conference.set")] == ["organisation file"] * 2


def test_a_file_not_updated_after_the_conference_does_not_bring_its_date_back(uow_factory):
    case = dict(CASE, review_conference="2027-08-10")
    run_import(uow_factory, organisation_file(cases=[case]))
    with uow_factory() as uow:
        registered = uow.cases.get_by_reference("CP-2027-0142")
        (conference,) = uow.reviews.for_case(registered.id)
        assert uow.reviews.decide(conference.id, status="continues", by="U0COORD", now=NOW)
        uow.commit()
    report = run_import(uow_factory, organisation_file(cases=[case]))
    assert report.unchanged == ["CP-2027-0142"]
    with uow_factory() as uow:
        assert uow.reviews.scheduled_for(uow.cases.get_by_reference("CP-2027-0142").id) is None
