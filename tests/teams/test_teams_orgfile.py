"""`platform: teams` in the organisation file: Entra object ids for people, Teams ids for each case's team and channel."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.orgfile import parse_organisation_file
from tests.teams.conftest import CHANNEL, MEMBER, TEAM, teams_organisation_file


def _problems(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_organisation_file(data)
    return raised.value.errors


def test_a_teams_organisation_file_is_read_with_its_platform_team_and_channel():
    file = parse_organisation_file(teams_organisation_file())

    assert file.organisation.platform == "teams"
    [case] = file.cases
    assert (case.team, case.channel, case.members) == (TEAM, CHANNEL, (MEMBER[1],))


def test_a_file_without_a_platform_is_for_slack():
    from tests.harness import organisation_file

    assert parse_organisation_file(organisation_file()).organisation.platform == "slack"


def test_an_unknown_platform_is_named():
    data = teams_organisation_file()
    data["organisation"]["platform"] = "zoom"

    assert "organisation.platform: 'zoom' is not one of slack, teams" in _problems(data)


def test_slack_ids_in_a_teams_file_are_each_named_with_what_teams_expects():
    data = teams_organisation_file()
    data["organisation"]["coordinator"] = "U0COORD"
    data["cases"][0]["members"] = ["U0HV", MEMBER[1]]
    data["cases"][0]["channel"] = "C0CASE142"

    problems = _problems(data)

    assert any(p.startswith("organisation.coordinator: 'U0COORD' is not a Microsoft Entra object id") for p in problems)
    assert any(p.startswith("cases[0].members[0]: 'U0HV' is not a Microsoft Entra object id") for p in problems)
    assert any(
        p.startswith("cases[0].channel: 'C0CASE142' is not a Teams channel id (19:...@thread.tacv2") for p in problems
    )


def test_a_malformed_guid_and_team_id_are_named():
    data = teams_organisation_file()
    data["cases"][0]["chair"] = "c0000000-0000-4000-8000-0000000c4a1"  # one digit short
    data["cases"][0]["team"] = "19:team@thread.v2"  # a group chat, not a team

    problems = _problems(data)

    assert any(
        p.startswith("cases[0].chair: 'c0000000-0000-4000-8000-0000000c4a1' is not a Microsoft Entra") for p in problems
    )
    assert "cases[0].team: '19:team@thread.v2' is not a Teams team id (19:...@thread.tacv2)" in problems


def test_a_teams_case_needs_its_team_and_a_slack_case_may_not_have_one():
    teams = teams_organisation_file()
    del teams["cases"][0]["team"]
    from tests.harness import CASE, organisation_file

    slack = organisation_file(cases=[{**CASE, "team": TEAM}])

    assert "cases[0].team: missing" in _problems(teams)
    assert "cases[0].team: only for an organisation with platform: teams" in _problems(slack)


def test_check_config_names_the_teams_problems(tmp_path, capsys):
    from bot.cli import main
    from tests.harness import write_organisation_file

    data = teams_organisation_file()
    data["cases"][0]["channel"] = "general"
    path = write_organisation_file(tmp_path / "org.yml", data)

    status = main(["check-config", path])

    assert status == 1
    assert "cases[0].channel: 'general' is not a Teams channel id" in capsys.readouterr().err


def test_a_teams_organisation_is_imported_with_its_long_ids_on_both_engines(teams_bot):
    teams_bot.import_organisation()

    with teams_bot.services.uow_factory() as uow:
        [case] = uow.cases.list()
        assert case.channel == CHANNEL
        assert MEMBER[1] in case.people_with_slack()
