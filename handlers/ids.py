"""Slash commands and the action, block and callback ids of every feature, in one place."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """The app's slash commands (must match manifest.yml)."""

    CORE_GROUP = "/core-group"
    REQUEST_CORE_GROUP = "/request-core-group"
