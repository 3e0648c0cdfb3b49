"""Settings from the environment (DESIGN §5)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from teams.config import TeamsSettings

DEFAULT_DATABASE_URL = "sqlite:///coregroup.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment; tokens never appear in repr()."""

    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    config_path: str | None = None
    teams: TeamsSettings | None = None  # set when TEAMS_APP_ID is

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            # slack_sdk joins the method name straight onto the base URL.
            api_url += "/"
        return cls(
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_api_url=api_url,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_path=env.get("COREGROUP_CONFIG") or None,
            teams=TeamsSettings.from_env(env),
        )

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def has_slack(self) -> bool:
        """Whether any Slack credential is set (then Slack's are checked as a whole)."""
        return bool(self.slack_bot_token or self.slack_signing_secret or self.slack_app_token)

    def missing_for_run(self) -> list[str]:
        """Names of the variables `coregroup run` still needs, with what each is for (Slack, Teams or both)."""
        if self.teams is not None:
            problems = self.teams.problems()
            return problems + (self._missing_for_slack() if self.has_slack else [])
        return self._missing_for_slack()

    def _missing_for_slack(self) -> list[str]:
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-...)")
        if not self.socket_mode and not self.slack_signing_secret:
            missing.append(
                "SLACK_SIGNING_SECRET (Basic Information > Signing Secret; HTTP mode) "
                "or SLACK_APP_TOKEN (an xapp-... token with connections:write; Socket Mode)"
            )
        return missing
