"""The organisation file is validated with errors that name the field and the case."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.errors import ConfigError
from bot.orgfile import load_organisation_file, parse_organisation_file
from tests.harness import CASE, organisation_file


def errors_of(data) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_organisation_file(data)
    return caught.value.errors


def test_the_design_example_is_valid_and_times_are_read_in_the_organisations_zone():
    file = parse_organisation_file(organisation_file())
    case = file.cases[0]
    assert file.organisation.nation == "scotland"
    assert file.organisation.closure_days == (date(2027, 12, 29),)
    assert case.members == ("U0HV", "U0TEACH", "U0POL")
    assert case.participants_without_slack == ("Mother", "Father")
    # 10:00 on 24 May is BST, so 09:00 UTC.
    assert case.first_meeting == datetime(2027, 5, 24, 9, 0, tzinfo=timezone.utc)


def test_a_missing_team_leader_is_named_with_its_case_index():
    cases = [dict(CASE), dict(CASE, reference="CP-2", channel="C0TWO"), {k: v for k, v in CASE.items() if k != "team_leader"}]
    cases[2]["reference"], cases[2]["channel"] = "CP-3", "C0THREE"
    assert errors_of(organisation_file(cases=cases)) == ["cases[2].team_leader: missing"]


def test_every_problem_is_reported_at_once():
    bad = dict(CASE, channel="general", registered_on="10/05/2027", members=["U0HV", "bob"], colour="red")
    errors = errors_of(organisation_file(cases=[bad]))
    assert "cases[0].channel: 'general' is not a Slack channel id (C... or G...)" in errors
    assert "cases[0].registered_on: '10/05/2027' is not a date (YYYY-MM-DD)" in errors
    assert "cases[0].members[1]: 'bob' is not a Slack user id (U... or W...)" in errors
    assert "cases[0].colour: unknown field" in errors


def test_duplicate_references_and_channels_are_refused():
    errors = errors_of(organisation_file(cases=[dict(CASE), dict(CASE)]))
    assert "cases[1].reference: 'CP-2027-0142' is already used by cases[0]" in errors
    assert "cases[1].channel: 'C0CASE142' is already used by cases[0]" in errors


def test_a_name_instead_of_a_role_label_is_refused():
    errors = errors_of(organisation_file(cases=[dict(CASE, participants_without_slack=["Mother", "Jane Smith, 12 Acacia Road"])]))
    assert errors == [
        "cases[0].participants_without_slack[1]: must be a short role label such as 'Mother', never a name"
    ]


def test_an_unknown_profile_lists_the_known_ones():
    (error,) = errors_of(organisation_file(organisation={"profile": "kent"}))
    assert error.startswith("organisation.profile: unknown profile 'kent' (known: ")
    assert "fife" in error and "south-ayrshire" in error


def test_a_nation_that_contradicts_the_profile_is_refused():
    (error,) = errors_of(organisation_file(organisation={"nation": "england"}))
    assert error == "organisation.nation: 'england' does not match profile 'south-ayrshire', which is for scotland"


def test_a_bad_policy_override_is_named():
    errors = errors_of(organisation_file(organisation={"policy": {"cp9": {"days": -3}}}))
    assert len(errors) == 1 and errors[0].startswith("organisation.policy: ") and "cp9.days" in errors[0]


def test_an_unknown_time_zone_and_a_bad_coordinator_are_named():
    errors = errors_of(organisation_file(organisation={"timezone": "Mars/Olympus", "coordinator": "coordinator"}))
    assert "organisation.timezone: 'Mars/Olympus' is not a known time zone" in errors
    assert "organisation.coordinator: 'coordinator' is not a Slack user id (U... or W...)" in errors


def test_a_file_that_is_not_yaml_says_where(tmp_path):
    path = tmp_path / "org.yml"
    path.write_text("organisation: {name: x\ncases: [")
    with pytest.raises(ConfigError) as caught:
        load_organisation_file(path)
    assert caught.value.errors[0].startswith(f"{path}: not valid YAML at line ")


def test_a_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_organisation_file(tmp_path / "nope.yml")
    assert caught.value.errors == [f"{tmp_path / 'nope.yml'}: file not found"]
