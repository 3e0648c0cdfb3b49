"""`coregroup teams-package`: a zip Teams accepts, whose commands are the ones the bot answers."""

from __future__ import annotations

import io
import json
import struct
import zipfile

from bot.cli import main
from teams.commands import COMMANDS, parse_command
from teams.package import build_manifest, manifest_problems
from tests.teams.conftest import APP_ID


def _build(tmp_path, monkeypatch, *extra: str) -> tuple[int, zipfile.ZipFile | None]:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    out = tmp_path / "app.zip"
    status = main(
        [
            "teams-package",
            "--out",
            str(out),
            "--developer",
            "Example Council",
            "--website",
            "https://cg.example.gov.uk",
            *extra,
        ]
    )
    return status, (zipfile.ZipFile(io.BytesIO(out.read_bytes())) if out.exists() else None)


def test_the_package_holds_a_manifest_valid_against_the_vendored_schema_and_its_two_icons(tmp_path, monkeypatch):
    status, package = _build(tmp_path, monkeypatch)

    assert status == 0
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(package.read("manifest.json"))
    assert manifest_problems(manifest) == []
    assert manifest["manifestVersion"] == "1.30" and manifest["bots"][0]["botId"] == APP_ID
    sizes = {name: struct.unpack(">II", package.read(name)[16:24]) for name in ("color.png", "outline.png")}
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}


def test_every_command_in_the_manifest_is_one_the_bot_answers(tmp_path, monkeypatch):
    _, package = _build(tmp_path, monkeypatch)
    manifest = json.loads(package.read("manifest.json"))

    for command_list in manifest["bots"][0]["commandLists"]:
        titles = [command["title"] for command in command_list["commands"]]
        assert titles == ["help", "status", "request"]
        assert all(parse_command(title).name in COMMANDS for title in titles)


def test_a_manifest_the_schema_refuses_is_named_rather_than_zipped():
    manifest = build_manifest(app_id="not-a-guid", version="1.0.0", developer="x", website="https://cg.example.gov.uk")

    assert any(problem.startswith("id:") for problem in manifest_problems(manifest))


def test_without_teams_app_id_the_command_says_what_to_set(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)

    status = main(["teams-package", "--developer", "x", "--website", "https://cg.example.gov.uk"])

    assert status == 2
    assert "Set TEAMS_APP_ID" in capsys.readouterr().err
