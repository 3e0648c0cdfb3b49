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
from teams.app_factory import asgi_of, build_teams_app
from teams.commands import CommandHandler
from teams.config import TeamsSettings
from teams.connector import BotConnector
from teams.delivery import TeamsNoticeSender
from teams.render import Rendered
from teams.renderers import teams_renderers
from teams.tokens import ClientCredentialsToken


@dataclass
class TeamsSurface:
    """The Teams side of a running bot."""

    settings: TeamsSettings
    app: Any  # microsoft_teams.apps.App
    tokens: ClientCredentialsToken
    connector: BotConnector
    sender: TeamsNoticeSender
    wsgi: Any  # the WSGI callable for POST /api/messages (body-limited, then the SDK, which verifies the token)


def build_teams_surface(
    settings: TeamsSettings,
    services: Services,
    *,
    renderers: Renderers[Rendered] | None = None,
    commands: Mapping[str, CommandHandler] | None = None,
    http: httpx.Client | None = None,
) -> TeamsSurface:
    """Wire the Teams surface; `http` is the client for the identity platform and the connector (tests, proxies)."""
    http = http or httpx.Client(timeout=15.0, trust_env=False)
    tokens = ClientCredentialsToken(settings, http=http)
    connector = BotConnector(tokens, app_id=settings.app_id, http=http)
    sender = TeamsNoticeSender(
        connector=connector,
        renderers=renderers if renderers is not None else teams_renderers(),
        uow_factory=services.uow_factory,
        now=services.clock.now,
    )
    app = build_teams_app(settings, services, tokens=tokens, commands=commands)
    # waitress stays the one server: the SDK's FastAPI app runs on a2wsgi's event loop thread behind the gate.
    wsgi = JsonBodyGate(ASGIMiddleware(asgi_of(app)))
    return TeamsSurface(settings=settings, app=app, tokens=tokens, connector=connector, sender=sender, wsgi=wsgi)
