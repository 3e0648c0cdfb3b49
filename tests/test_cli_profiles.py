"""`coregroup profiles` and the organisation file's procedure settings, through the real CLI."""

from __future__ import annotations

from tests.harness import CASE, organisation_file, write_organisation_file
from tests.test_cli import coregroup

FIFE = {"name": "Fife Council", "profile": "fife", "nation": "scotland", "coordinator": "U0FIFECO"}


def test_profiles_lists_the_nation_defaults_and_the_local_procedures():
    result = coregroup("profiles")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert set(lines) == {"england", "wales", "scotland", "northern-ireland", "south-ayrshire", "fife"}
    assert "nation default" in lines["england"]
    assert "local procedure, on top of scotland" in lines["fife"]
    assert "_defaults" not in result.stdout


def test_profiles_show_scotland_prints_each_rule_with_its_value_and_source():
    result = coregroup("profiles", "show", "scotland")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "first_meeting: {days: 15, kind: calendar}\n    source: National Guidance for Child Protection in "
        "Scotland 2021, para 3.137"
    ) in out
    assert "meetings_in_person: true\n    source: National Guidance for Child Protection in Scotland 2021" in out
    assert "cp9.enabled: false\n    source: default: not from guidance" in out
    # Every rule has a source line, and a nation profile holds no local procedure's rule.
    settings = [line for line in out.splitlines()[1:] if not line.startswith("    ")]
    sources = [line for line in out.splitlines() if line.startswith("    source: ")]
    assert len(settings) == len(sources) > 20
    assert "local procedure" not in out


def test_profiles_show_with_an_organisation_file_names_its_overrides(tmp_path):
    path = write_organisation_file(
        tmp_path / "org.yml",
        organisation_file(
            organisation={"profile": "scotland", "policy": {"cp9": {"enabled": True}, "meeting_cadence": {"weeks": 4}}}
        ),
    )
    result = coregroup("profiles", "show", "scotland", "--organisation", path)
    assert result.returncode == 0, result.stderr
    assert "cp9.enabled: true\n    source: organisation file: South Ayrshire Council" in result.stdout
    assert "meeting_cadence: {weeks: 4}\n    source: organisation file: South Ayrshire Council" in result.stdout
    assert "cp9.days: 7\n    source: default: not from guidance" in result.stdout


def test_profiles_show_refuses_an_unknown_profile_or_another_organisations_profile(tmp_path):
    unknown = coregroup("profiles", "show", "kent")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "unknown profile 'kent' (known: england, fife, northern-ireland, scotland, south-ayrshire, wales)"
    )
    path = write_organisation_file(tmp_path / "org.yml", organisation_file())
    mismatched = coregroup("profiles", "show", "england", "--organisation", path)
    assert mismatched.returncode == 2
    assert "uses profile 'south-ayrshire', not 'england'" in mismatched.stderr
    assert "Traceback" not in unknown.stderr + mismatched.stderr


def test_check_config_refuses_a_fife_case_whose_chair_is_not_an_eligible_chair(tmp_path):
    data = organisation_file(
        organisation={**FIFE, "eligible_chairs": ["U0TM", "U0SP"]},
        cases=[dict(CASE, chair="U0TM"), dict(CASE, reference="CP-2", channel="C0TWO")],
    )
    result = coregroup("check-config", write_organisation_file(tmp_path / "org.yml", data))
    assert result.returncode == 1
    assert (
        "cases[1].chair: 'U0CHAIR' is not one of organisation.eligible_chairs (profile 'fife': the chair is the "
        "responsible Social Work Team Manager or a Senior Practitioner)"
    ) in result.stderr
    assert "cases[0]" not in result.stderr


def test_check_config_asks_a_fife_organisation_for_its_eligible_chairs(tmp_path):
    result = coregroup(
        "check-config", write_organisation_file(tmp_path / "org.yml", organisation_file(organisation=FIFE))
    )
    assert result.returncode == 1
    assert "organisation.eligible_chairs: missing (profile 'fife' asks for the chairs" in result.stderr


def test_check_config_accepts_listed_chairs_and_ignores_the_list_where_the_profile_does_not_ask(tmp_path):
    fife = coregroup(
        "check-config",
        write_organisation_file(
            tmp_path / "fife.yml", organisation_file(organisation={**FIFE, "eligible_chairs": ["U0CHAIR"]})
        ),
    )
    assert fife.returncode == 0, fife.stderr
    elsewhere = coregroup(
        "check-config",
        write_organisation_file(tmp_path / "sa.yml", organisation_file(organisation={"eligible_chairs": ["U0OTHER"]})),
    )
    assert elsewhere.returncode == 0, elsewhere.stderr


def test_check_config_accepts_worked_bank_holidays_and_refuses_days_that_are_not_bank_holidays(tmp_path):
    # St Andrew's Day (Tue 30 Nov 2027) is a Scottish bank holiday; Wed 1 Dec is not; 29 Dec is a closure day.
    good = coregroup(
        "check-config",
        write_organisation_file(
            tmp_path / "good.yml", organisation_file(organisation={"working_days": ["2027-11-30"]})
        ),
    )
    assert good.returncode == 0, good.stderr
    bad = coregroup(
        "check-config",
        write_organisation_file(
            tmp_path / "bad.yml",
            organisation_file(organisation={"working_days": ["2027-12-01", "2027-12-29", "30 Nov"]}),
        ),
    )
    assert bad.returncode == 1
    assert (
        "organisation.working_days[0]: 2027-12-01 is not a weekday bank holiday in scotland (list only bank "
        "holidays the organisation works)"
    ) in bad.stderr
    assert "organisation.working_days[1]: 2027-12-29 is also a closure day: it cannot be both" in bad.stderr
    assert "organisation.working_days[2]: '30 Nov' is not a date (YYYY-MM-DD)" in bad.stderr
