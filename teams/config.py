"""Teams settings from the environment: the bot's Entra app, its home tenant, and (tests, sovereign clouds) where
Microsoft's sign-in and signing keys live. The password never appears in repr() or a log."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
#: The scope of a Bot Connector token (client credentials).
BOT_SCOPE = "https://api.botframework.com/.default"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class TeamsSettings:
    """The Teams bot's registration: app id and password (client secret), home tenant, endpoints."""

    app_id: str
    app_password: str = field(repr=False)
    tenant_id: str
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    login_url: str = DEFAULT_LOGIN_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TeamsSettings | None:
        """The settings when TEAMS_APP_ID is set (None otherwise: no Teams)."""
        env = os.environ if environ is None else environ
        app_id = (env.get("TEAMS_APP_ID") or "").strip()
        if not app_id:
            return None
        return cls(
            app_id=app_id,
            app_password=env.get("TEAMS_APP_PASSWORD") or "",
            tenant_id=(env.get("TEAMS_TENANT_ID") or "").strip(),
            openid_metadata_url=(env.get("TEAMS_OPENID_METADATA_URL") or "").strip() or DEFAULT_OPENID_METADATA_URL,
            login_url=((env.get("TEAMS_LOGIN_URL") or "").strip() or DEFAULT_LOGIN_URL).rstrip("/"),
        )

    @property
    def token_url(self) -> str:
        """The Microsoft identity platform's token endpoint for the home tenant (v2, client credentials)."""
        return f"{self.login_url}/{self.tenant_id}/oauth2/v2.0/token"

    def problems(self) -> list[str]:
        """What is missing or malformed, each with the variable to set; empty when Teams can run."""
        problems = []
        if not GUID.fullmatch(self.app_id):
            problems.append("TEAMS_APP_ID must be the bot's Microsoft Entra application (client) id, a GUID")
        if not self.app_password:
            problems.append("TEAMS_APP_PASSWORD (a client secret of the bot's Entra app registration)")
        if not GUID.fullmatch(self.tenant_id):
            problems.append("TEAMS_TENANT_ID (the Entra directory (tenant) id the bot is registered in, a GUID)")
        for name, url in (
            ("TEAMS_OPENID_METADATA_URL", self.openid_metadata_url),
            ("TEAMS_LOGIN_URL", self.login_url),
        ):
            if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
                problems.append(f"{name} must be an https:// URL")
        return problems
