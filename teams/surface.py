"""Everything a running bot holds for Teams: the SDK app behind POST /api/messages, the token, the connector and the
outbox sender, wired from the settings and the shared services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from a2wsgi import ASGIMiddleware

from bot.context import Services
from bot.http_guard import JsonBodyGate
from bot.notice_payloads.renderers import Renderers
from store.changes import Changes, Unknown
from teams.app_factory import asgi_of, build_teams_app
from teams.commands import CommandHandler
from teams.config import TeamsSettings
from teams.connector import BotConnector
from teams.delivery import TeamsNoticeSender
from teams.features.request_renderers import teams_id_lookup
from teams.middleware import RecentlyRecorded
from teams.pacing import TeamsPacer
from teams.render import Rendered
from teams.renderers import teams_renderers
from teams.tenants import TenantDirectory
from teams.tokens import ClientCredentialsToken


@dataclass
class TeamsSurface:
    """The Teams side of a running bot."""

    settings: TeamsSettings
    app: Any  # microsoft_teams.apps.App
    tokens: ClientCredentialsToken
    connector: BotConnector
    sender: TeamsNoticeSender
    pacer: TeamsPacer  # the dispatcher's pacing of Teams, kept for the bot's lifetime
    wsgi: Any  # the WSGI callable for POST /api/messages (body-limited, then the SDK, which verifies the token)
    changes: Changes  # when a card refresh answered from memory still holds; closed with the bot

    def close(self) -> None:
        """Stop listening for the database's changes."""
        self.changes.close()


def build_teams_surface(
    settings: TeamsSettings,
    services: Services,
    *,
    renderers: Renderers[Rendered] | None = None,
    commands: Mapping[str, CommandHandler] | None = None,
    http: httpx.Client | None = None,
    changes: Changes | None = None,
) -> TeamsSurface:
    """Wire the Teams surface; `http` is the client for the identity platform and the connector (tests, proxies);
    `changes` (store.changes) lets card refreshes be answered from memory while nothing has changed."""
    changes = changes or Unknown()
    http = http or httpx.Client(timeout=15.0, trust_env=False)
    tokens = ClientCredentialsToken(settings, http=http)
    connector = BotConnector(tokens, app_id=settings.app_id, http=http)
    recent = RecentlyRecorded()
    sender = TeamsNoticeSender(
        connector=connector,
        renderers=renderers
        if renderers is not None
        else teams_renderers(teams_id_of=teams_id_lookup(services.uow_factory)),
        uow_factory=services.uow_factory,
        now=services.clock.now,
        on_inactive=recent.forget,
    )
    app = build_teams_app(settings, services, tokens=tokens, commands=commands, recent=recent, changes=changes)
    # waitress stays the one server: the SDK's FastAPI app runs on a2wsgi's event loop thread behind the gate.
    wsgi = JsonBodyGate(ASGIMiddleware(asgi_of(app)))
    pacer = TeamsPacer(tenant_of=TenantDirectory(services.uow_factory, home_tenant=settings.tenant_id))
    return TeamsSurface(
        settings=settings,
        app=app,
        tokens=tokens,
        connector=connector,
        sender=sender,
        pacer=pacer,
        wsgi=wsgi,
        changes=changes,
    )
