"""The Slack app manifest at the repository root asks for what the bot uses, and no more."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "manifest.yml"
REQUEST_URL = "https://coregroup.example.org/slack/events"

# The scopes the bot may ask for. Anything else (channels:read, groups:read, chat:write.public,
# *:history, files:read, users:read.email …) needs a reason in manifest.yml and a change here.
ALLOWED_BOT_SCOPES = {"commands", "chat:write", "im:write", "users:read", "files:write"}
REQUIRED_BOT_SCOPES = {"commands", "chat:write", "files:write"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def commands(manifest) -> dict:
    return {c["command"]: c for c in manifest["features"]["slash_commands"]}


def test_the_manifest_is_version_one(manifest):
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}


def test_the_app_is_called_core_group_with_a_coregroup_bot_user(manifest):
    assert manifest["display_information"]["name"] == "Core group"
    assert manifest["features"]["bot_user"] == {"display_name": "coregroup", "always_online": True}


def test_the_descriptions_hold_no_personal_data(manifest):
    info = manifest["display_information"]
    text = f"{info['description']} {info.get('long_description', '')}"
    assert len(info["description"]) <= 140
    assert not re.search(r"\bCP-\d{4}-\d+\b", text)  # no case reference
    assert not re.search(r"\b[UW][0-9A-Z]{6,}\b", text)  # no Slack user id
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}", text)  # no date (of birth)
    assert "@" not in text  # no e-mail address


def test_both_slash_commands_are_declared_with_their_usage_hints(commands):
    assert set(commands) == {"/request-core-group", "/core-group"}
    assert commands["/request-core-group"]["usage_hint"] == "[what has changed]"
    assert commands["/request-core-group"]["should_escape"] is False
    hint = commands["/core-group"]["usage_hint"]
    for subcommand in (
        "status", "schedule", "record", "plan-sent", "cp9-sent",
        "delegate", "institution", "report", "deregister", "help",
    ):  # fmt: skip
        assert subcommand in hint.split(" | ")
    assert all(c["url"] == REQUEST_URL and c["description"] for c in commands.values())


def test_the_home_and_messages_tabs_are_enabled(manifest):
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }


def test_the_app_home_opened_event_is_subscribed(manifest):
    events = manifest["settings"]["event_subscriptions"]
    assert events["bot_events"] == ["app_home_opened"]
    assert events["request_url"] == REQUEST_URL


def test_interactivity_is_enabled_on_the_same_endpoint(manifest):
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": REQUEST_URL}


def test_socket_mode_is_on_and_org_deploy_and_token_rotation_are_off(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_every_bot_scope_is_in_the_allowed_minimal_set(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) <= ALLOWED_BOT_SCOPES, set(scopes) - ALLOWED_BOT_SCOPES
    assert set(scopes) >= REQUIRED_BOT_SCOPES
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user-token scopes


def test_every_bot_scope_is_explained_by_a_comment(manifest):
    lines = MANIFEST_PATH.read_text(encoding="utf-8").splitlines()
    for scope in manifest["oauth_config"]["scopes"]["bot"]:
        index = next(i for i, line in enumerate(lines) if line.strip() == f"- {scope}")
        assert lines[index - 1].strip().startswith("#"), f"{scope} has no comment saying why"
