"""Build the Teams SDK app from explicit settings: nothing read from the environment, no globals.

The SDK reads CLIENT_ID, CLIENT_SECRET, TENANT_ID, SERVICE_URL, CLOUD and DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS
(and a .env file) when an option is left out: every one of them is given here, so none of that can change what runs,
and above all no variable can switch the verification of inbound tokens off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from microsoft_teams.api import TokenCredentials
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
from microsoft_teams.apps import App

from bot.context import Services
from store.changes import Changes, Unknown
from teams import features, listeners
from teams.commands import CommandHandler
from teams.config import TeamsSettings
from teams.middleware import RecentlyRecorded, remember_conversations
from teams.tokens import ClientCredentialsToken

#: A placeholder for the SDK's default service URL: every send names the conversation's own service URL.
UNUSED_SERVICE_URL = "https://smba.trafficmanager.net/teams"


def cloud_for(settings: TeamsSettings) -> CloudEnvironment:
    """Microsoft's public cloud, with the OpenID metadata (signing keys) and sign-in host the settings name."""
    return with_overrides(PUBLIC, openid_metadata_url=settings.openid_metadata_url, login_endpoint=settings.login_url)


def build_teams_app(
    settings: TeamsSettings,
    services: Services,
    *,
    tokens: ClientCredentialsToken,
    commands: Mapping[str, CommandHandler] | None = None,
    recent: RecentlyRecorded | None = None,
    changes: Changes | None = None,
) -> App:
    """The SDK app with the middleware and listeners registered, initialised (its /api/messages route exists);
    without `changes` every card refresh reads the database."""
    app = App(
        client_id=settings.app_id,
        client_secret=None,
        tenant_id=settings.tenant_id,
        token=tokens.for_sdk(),
        dangerously_allow_unauthenticated_requests=False,
        skip_auth=None,
        service_url=UNUSED_SERVICE_URL,
        cloud=cloud_for(settings),
        state=False,
        fetch_user_token=False,
    )
    credentials: Any = app.credentials
    if not isinstance(credentials, TokenCredentials) or credentials.client_id != settings.app_id:
        # CLIENT_SECRET in the environment would win over our token provider: refuse rather than run on it.
        raise RuntimeError(
            "the Teams SDK did not take the bot's credentials from TeamsSettings (is CLIENT_SECRET set?)"
        )
    app.use(remember_conversations(services, home_tenant=settings.tenant_id, recent=recent))
    listeners.register(app, commands={**features.commands(services), **(commands or {})})
    features.register(app, services, changes=changes or Unknown())
    asyncio.run(app.initialize())
    if app.options.dangerously_allow_unauthenticated_requests:  # never, whatever the SDK's defaults become
        raise RuntimeError("the Teams app must verify every inbound token")
    return app


def asgi_of(app: App) -> Any:
    """The SDK's ASGI (FastAPI) application serving POST /api/messages."""
    return app.server.adapter.app  # type: ignore[attr-defined]  # the FastAPI adapter has it; the protocol does not say
