"""The `coregroup` command as an admin uses it: messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.harness import CASE, organisation_file, write_organisation_file


def coregroup(*args: str, database_url: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COREGROUP_", "DATABASE_URL"))}
    if database_url:
        environment["DATABASE_URL"] = database_url
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_check_config_accepts_a_good_file(tmp_path):
    path = write_organisation_file(tmp_path / "org.yml", organisation_file())
    result = coregroup("check-config", path)
    assert result.returncode == 0
    assert "OK — South Ayrshire Council, profile south-ayrshire, 1 cases." in result.stdout


def test_check_config_names_each_problem_and_exits_non_zero(tmp_path):
    broken = {k: v for k, v in CASE.items() if k != "team_leader"}
    path = write_organisation_file(
        tmp_path / "org.yml",
        organisation_file(
            cases=[dict(CASE, reference="CP-1", channel="C01"), dict(CASE, reference="CP-2", channel="C02"), broken]
        ),
    )
    result = coregroup("check-config", path)
    assert result.returncode == 1
    assert "cases[2].team_leader: missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_reads_the_file_named_in_the_environment(tmp_path):
    path = write_organisation_file(tmp_path / "org.yml", organisation_file())
    assert coregroup("check-config", env={"COREGROUP_CONFIG": path}).returncode == 0
    missing = coregroup("check-config")
    assert missing.returncode == 2 and "COREGROUP_CONFIG" in missing.stderr


def test_import_then_list_then_reimport_reports_changes(engine, tmp_path):
    path = write_organisation_file(tmp_path / "org.yml", organisation_file())
    first = coregroup("cases", "import", path, database_url=url_of(engine))
    assert first.returncode == 0, first.stderr
    assert "created CP-2027-0142" in first.stdout
    listing = coregroup("cases", "list", database_url=url_of(engine))
    assert "CP-2027-0142" in listing.stdout and "C0CASE142" in listing.stdout and "U0CHAIR" in listing.stdout
    changed = organisation_file(cases=[dict(CASE, chair="U0CHAIR2")])
    write_organisation_file(tmp_path / "org.yml", changed)
    second = coregroup("cases", "import", path, database_url=url_of(engine))
    assert "updated CP-2027-0142: chair added: U0CHAIR2; chair removed: U0CHAIR" in second.stdout
    assert "0 created, 1 updated, 0 unchanged" in second.stdout


def test_a_bad_file_is_refused_whole_and_changes_nothing(engine, tmp_path):
    good = write_organisation_file(tmp_path / "good.yml", organisation_file())
    assert coregroup("cases", "import", good, database_url=url_of(engine)).returncode == 0
    data = organisation_file(cases=[dict(CASE, chair="U0NEWCHAIR"), dict(CASE, reference="CP-9", channel="nope")])
    bad = write_organisation_file(tmp_path / "bad.yml", data)
    result = coregroup("cases", "import", bad, database_url=url_of(engine))
    assert result.returncode == 1
    assert "cases[1].channel: 'nope' is not a Slack channel id (C... or G...)" in result.stderr
    listing = coregroup("cases", "list", database_url=url_of(engine)).stdout
    assert "U0CHAIR " in listing and "U0NEWCHAIR" not in listing and "CP-9" not in listing


def test_migrate_reports_the_revision(tmp_path):
    result = coregroup("migrate", database_url=f"sqlite:///{tmp_path / 'm.db'}")
    assert result.returncode == 0 and "Database at revision 0" in result.stdout


def test_run_with_only_some_credentials_says_exactly_what_else_to_set(tmp_path):
    # With none at all, `run` starts the local sandbox instead: tests/sandbox/test_demo_command.py.
    result = coregroup(
        "run", database_url=f"sqlite:///{tmp_path / 'r.db'}", env={"SLACK_BOT_TOKEN": "xoxb-half-set-up"}
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert "manifest.yml" in result.stderr and "sandbox" not in result.stderr


def test_sweep_refuses_a_time_without_a_zone(tmp_path):
    result = coregroup("sweep", "--now", "2027-06-01T09:00", database_url=f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode == 2 and "needs a time zone" in result.stderr
