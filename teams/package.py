"""`coregroup teams-package`: the Teams app package (manifest.json and its two icons, zipped) from the settings.

The manifest is checked against the vendored v1.30 schema (teams/manifest/, from npm @microsoft/app-manifest 1.1.2,
MIT) before anything is written, and its commands are the ones `teams.commands` answers.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from importlib import resources
from typing import Any

import jsonschema

from teams.commands import COMMANDS

MANIFEST_VERSION = "1.30"
SCHEMA = f"MicrosoftTeams.schema.v{MANIFEST_VERSION}.json"
ACCENT = (0x1F, 0x4E, 0x79)  # the colour icon's background and the manifest's accentColor


def manifest_schema() -> dict[str, Any]:
    return json.loads(resources.files("teams").joinpath("manifest", SCHEMA).read_text(encoding="utf-8"))


def build_manifest(*, app_id: str, version: str, developer: str, website: str, name: str = "Core Group") -> dict:
    """The app manifest: one bot (personal, team and group chat) with the command list, no tabs of its own."""
    commands = [{"title": title, "description": line} for title, line in COMMANDS.items()]
    website = website.rstrip("/")
    return {
        "$schema": f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer,
            "websiteUrl": website,
            "privacyUrl": f"{website}/privacy",
            "termsOfUseUrl": f"{website}/terms",
        },
        "name": {"short": name[:30], "full": "Child protection core group assistant"},
        "description": {
            "short": "Core group meetings, plan copies and requests, to procedure",
            "full": (
                "Keeps child-protection core groups running to their local procedure: meeting reminders, "
                "requests for an additional meeting, plan copies and the coordinator's daily digest."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "supportsTargetedMessages": True,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team", "groupChat"], "triggers": ["mention", "slash"], "commands": commands},
                ],
            }
        ],
        "staticTabs": [{"entityId": "conversations", "scopes": ["personal"]}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def manifest_problems(manifest: dict) -> list[str]:
    """Every way the manifest breaks the vendored schema (empty when it is valid)."""
    validator = jsonschema.Draft4Validator(manifest_schema())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(manifest)'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def build_package(manifest: dict) -> bytes:
    """The zip Teams takes: manifest.json and the two icons at its root."""
    problems = manifest_problems(manifest)
    if problems:
        raise ValueError("the manifest does not match the Teams schema: " + "; ".join(problems[:5]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()


# --- icons: a tiny PNG writer (RGBA, no dependencies) ---------------------------------------


def png(width: int, height: int, pixel) -> bytes:
    """A PNG of `pixel(x, y) -> (r, g, b, a)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _ring(x: int, y: int, size: int) -> bool:
    """Three linked circles (a group), drawn as rings."""
    for cx, cy in ((0.35, 0.42), (0.65, 0.42), (0.5, 0.66)):
        distance = ((x + 0.5) / size - cx) ** 2 + ((y + 0.5) / size - cy) ** 2
        if 0.14**2 <= distance <= 0.2**2:
            return True
    return False


def color_icon() -> bytes:
    """192x192: white rings on the accent colour (Teams' full-colour icon)."""
    return png(192, 192, lambda x, y: (255, 255, 255, 255) if _ring(x, y, 192) else (*ACCENT, 255))


def outline_icon() -> bytes:
    """32x32: white rings on transparency (Teams' outline icon)."""
    return png(32, 32, lambda x, y: (255, 255, 255, 255) if _ring(x, y, 32) else (0, 0, 0, 0))
