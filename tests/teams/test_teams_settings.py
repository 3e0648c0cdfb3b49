"""Teams settings: read from the environment by their exact names, secrets never shown, auth never switched off."""

from __future__ import annotations

from bot.config import Settings
from teams.config import TeamsSettings
from tests.teams.conftest import APP_ID, MEMBER, PASSWORD, TENANT_ID, TeamsHarness

TEAMS_ENV = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": PASSWORD, "TEAMS_TENANT_ID": TENANT_ID}


def test_teams_alone_is_enough_for_coregroup_run():
    assert Settings.from_env(TEAMS_ENV).missing_for_run() == []


def test_with_neither_slack_nor_teams_run_still_lists_slacks_variables_for_the_sandbox():
    missing = Settings.from_env({}).missing_for_run()

    assert missing and missing[0].startswith("SLACK_BOT_TOKEN")


def test_a_teams_setting_missing_is_named_with_what_it_is():
    missing = Settings.from_env({"TEAMS_APP_ID": APP_ID}).missing_for_run()

    assert any(m.startswith("TEAMS_APP_PASSWORD") for m in missing)
    assert any(m.startswith("TEAMS_TENANT_ID") for m in missing)


def test_the_password_never_appears_in_the_settings_repr():
    settings = Settings.from_env({**TEAMS_ENV, "TEAMS_LOGIN_URL": "http://127.0.0.1:9/"})

    assert PASSWORD not in repr(settings)
    assert settings.teams == TeamsSettings(
        app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT_ID, login_url="http://127.0.0.1:9"
    )


def test_the_sdks_unauthenticated_switch_in_the_environment_does_not_switch_verification_off(
    sqlite_only_engine, fake_teams, monkeypatch
):
    monkeypatch.setenv("DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "true")
    monkeypatch.delenv("CLIENT_SECRET", raising=False)
    with TeamsHarness(engine=sqlite_only_engine, fake=fake_teams) as bot:
        status, _ = bot.post(bot.activities.message(MEMBER, "help"), token=None)

    assert status == 401
    assert fake_teams.sent() == []
