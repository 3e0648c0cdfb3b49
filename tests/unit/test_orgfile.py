"""The organisation file is validated with errors that name the field and the case."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.errors import ConfigError
from bot.orgfile import load_organisation_file, parse_organisation_file
from tests.harness import CASE, organisation_file, organisation_yaml


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
    cases = [
        dict(CASE),
        dict(CASE, reference="CP-2", channel="C0TWO"),
        {k: v for k, v in CASE.items() if k != "team_leader"},
    ]
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
    errors = errors_of(
        organisation_file(cases=[dict(CASE, participants_without_slack=["Mother", "Jane Smith, 12 Acacia Road"])])
    )
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


def errors_in(tmp_path, text: str) -> list[str]:
    """The errors for a file written exactly as `text`, read through the loader an admin's file goes through."""
    path = tmp_path / "org.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_organisation_file(path)
    return caught.value.errors


def test_impossible_dates_are_named_with_their_place_not_raised(tmp_path):
    text = organisation_yaml(organisation_file())
    text = text.replace("2027-12-29", "2027-13-01").replace("'2027-05-10'", "2027-02-30")
    errors = errors_in(tmp_path, text)
    assert "organisation.closure_days[0]: '2027-13-01' is not a date (YYYY-MM-DD)" in errors
    assert "cases[0].registered_on: '2027-02-30' is not a date (YYYY-MM-DD)" in errors


def test_a_nation_written_as_a_list_is_refused_by_name():
    errors = errors_of(organisation_file(organisation={"nation": ["scotland"]}))
    assert errors == ["organisation.nation: '['scotland']' is not one of england, wales, scotland, northern-ireland"]


def test_an_alias_bomb_is_refused_at_its_first_anchor_with_one_short_line(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
    )
    assert len(bomb) < 600
    assert errors_in(tmp_path, bomb) == [
        f"{tmp_path / 'org.yml'}: not valid YAML at line 1, column 4: "
        "anchors and aliases (&name, *name) are not allowed"
    ]


def test_a_second_chair_in_the_same_case_is_refused_not_silently_kept(tmp_path):
    text = organisation_yaml(organisation_file()).replace("  chair: U0CHAIR\n", "  chair: U0CHAIR\n  chair: U0OTHER\n")
    (error,) = errors_in(tmp_path, text)
    line = text.splitlines().index("  chair: U0OTHER") + 1
    assert error == f"{tmp_path / 'org.yml'}: not valid YAML at line {line}, column 3: duplicate key 'chair'"


@pytest.mark.parametrize("years", [0, 101, 99999999999, "7", True, 7.5])
def test_retention_years_outside_1_to_100_are_refused(years):
    assert errors_of(organisation_file(organisation={"retention_years": years})) == [
        f"organisation.retention_years: '{years}' must be a whole number of years from 1 to 100"
    ]


def test_a_hundred_years_of_retention_is_accepted():
    file = parse_organisation_file(organisation_file(organisation={"retention_years": 100}))
    assert file.organisation.retention_years == 100


def test_a_number_too_long_to_convert_is_refused_by_range_with_an_excerpt(tmp_path):
    text = organisation_yaml(organisation_file(organisation={"retention_years": 7})).replace(
        "retention_years: 7", "retention_years: " + "9" * 5000
    )
    (error,) = errors_in(tmp_path, text)
    assert error == f"organisation.retention_years: '{'9' * 40}…' must be a whole number of years from 1 to 100"


def test_a_long_bad_value_is_quoted_only_as_a_short_excerpt():
    errors = errors_of(organisation_file(cases=[dict(CASE, channel="general" * 10_000, members=[{"x": ["y"] * 9999}])]))
    assert errors == [
        f"cases[0].channel: '{('general' * 6)[:40]}…' is not a Slack channel id (C... or G...)",
        "cases[0].members[0]: '{'x': ['y', 'y', 'y', ...]}' is not a Slack user id (U... or W...)",
    ]


def test_a_file_over_2_mib_is_refused_before_it_is_parsed(tmp_path):
    text = organisation_yaml(organisation_file()) + "#" * (2 * 1024 * 1024) + "\n"
    assert errors_in(tmp_path, text) == [
        f"{tmp_path / 'org.yml'}: larger than 2 MiB; an organisation file is far smaller"
    ]


def test_deep_nesting_is_refused_with_its_place(tmp_path):
    (error,) = errors_in(tmp_path, "organisation: " + "[" * 50 + "]" * 50 + "\n")
    assert error == f"{tmp_path / 'org.yml'}: not valid YAML at line 1, column 34: nested more than 20 levels deep"


@pytest.mark.parametrize(
    "value, shown",
    [("!!bool maybe", "tag:yaml.org,2002:bool"), ("!!python/object:os.system x", "tag:yaml.org,2002:python/object:o…")],
)
def test_a_value_its_tag_does_not_fit_is_refused_by_line(tmp_path, value, shown):
    (error,) = errors_in(tmp_path, organisation_yaml(organisation_file()).replace("U0COORD", value))
    assert error.startswith(f"{tmp_path / 'org.yml'}: not valid YAML at line ")
    assert shown in error


def test_dates_outside_this_century_are_refused_rather_than_overflowing():
    errors = errors_of(
        organisation_file(
            organisation={"closure_days": ["2100-01-01"]},
            cases=[dict(CASE, registered_on="1999-12-31", first_meeting="0001-01-01T00:00+05:00")],
        )
    )
    assert errors == [
        "organisation.closure_days[0]: 2100-01-01 is outside 2000-01-01 to 2099-12-31",
        "cases[0].registered_on: 1999-12-31 is outside 2000-01-01 to 2099-12-31",
        "cases[0].first_meeting: 0001-01-01 is outside 2000-01-01 to 2099-12-31",
    ]


def test_a_control_character_in_any_text_is_refused_by_its_place():
    errors = errors_of(
        organisation_file(organisation={"name": "Fife\x00Council", "policy": {"checklist": {"extra": "ok\x1b[2J"}}})
    )
    assert errors == [
        "organisation.name: 'Fife\\x00Council' contains a control character",
        "organisation.policy.checklist.extra: 'ok\\x1b[2J' contains a control character",
    ]


def test_a_policy_count_beyond_a_thousand_and_a_nation_list_are_named():
    assert errors_of(organisation_file(organisation={"policy": {"cp9": {"days": 10**12}}})) == [
        "organisation.policy: overrides: cp9.days: must be at most 1000"
    ]
    assert errors_of(organisation_file(organisation={"policy": {"nation": ["scotland"]}})) == [
        "organisation.policy: overrides: nation: must be one of: england, wales, scotland, northern-ireland"
    ]


def test_keys_of_any_type_are_named_as_unknown_sections(tmp_path):
    errors = errors_in(tmp_path, organisation_yaml(organisation_file()) + "1: x\nnull: y\n")
    assert errors == [
        "1: unknown section (expected organisation and cases)",
        "None: unknown section (expected organisation and cases)",
    ]


def test_at_most_fifty_problems_are_listed():
    cases = [dict(CASE, reference=f"CP-{i}", channel=f"C0{i}", chair="nobody") for i in range(80)]
    errors = errors_of(organisation_file(cases=cases))
    assert len(errors) == 51 and errors[-1] == "… and 30 more problems"


def test_a_long_unknown_policy_setting_is_named_by_an_excerpt():
    assert errors_of(organisation_file(organisation={"policy": {"y" * 1000: 1}})) == [
        f"organisation.policy: overrides: {'y' * 40}…: unknown setting"
    ]


def test_a_cases_review_conference_and_conference_chair_are_read_and_checked():
    case = parse_organisation_file(
        organisation_file(cases=[dict(CASE, review_conference="2027-08-10", conference_chair="U0CPPM")])
    ).cases[0]
    assert (case.review_conference, case.conference_chair) == (date(2027, 8, 10), "U0CPPM")
    assert parse_organisation_file(organisation_file()).cases[0].review_conference is None
    bad = dict(CASE, review_conference="10/08/2027", conference_chair="Dr Smith")
    assert errors_of(organisation_file(cases=[bad])) == [
        "cases[0].review_conference: '10/08/2027' is not a date (YYYY-MM-DD)",
        "cases[0].conference_chair: 'Dr Smith' is not a Slack user id (U... or W...)",
    ]
