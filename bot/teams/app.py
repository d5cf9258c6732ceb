"""`POST /api/messages`: Teams activities, authenticated, once each, to the right handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.settings import Settings
from bot.teams.activities import TeamsServices, on_conversation_update, on_message
from bot.teams.auth import BotFrameworkAuth, Unauthorized
from bot.teams.connector import BotConnector
from bot.teams.messenger import TeamsMessenger
from bot.teams.references import remember
from handlers.context import Deps
from storage.events import first_time

log = logging.getLogger(__name__)

DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"


def token_url(settings: Settings) -> str:
    """A single-tenant bot (the kind Azure creates now) gets its token from its own tenant."""
    if settings.teams_tenant_id and settings.teams_token_url == DEFAULT_TOKEN_URL:
        return f"https://login.microsoftonline.com/{settings.teams_tenant_id}/oauth2/v2.0/token"
    return settings.teams_token_url


def build_teams(
    settings: Settings, deps: Deps
) -> tuple[Callable[[Request], Awaitable[Response]], TeamsMessenger, TeamsServices]:
    assert settings.teams_app_id and settings.teams_app_password
    http = httpx.AsyncClient()
    connector = BotConnector(
        settings.teams_app_id,
        settings.teams_app_password.get_secret_value(),
        token_url(settings),
        http,
    )
    auth = BotFrameworkAuth(
        settings.teams_app_id, settings.teams_openid_metadata_url, http, settings.teams_tenant_id
    )
    services = TeamsServices(deps=deps, connector=connector, app_id=settings.teams_app_id)

    async def api_messages(request: Request) -> Response:
        try:
            activity = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(activity, dict) or not activity.get("type"):
            return JSONResponse({"error": "not an activity"}, status_code=400)
        try:
            await auth.validate(request.headers.get("Authorization"), activity)
        except Unauthorized as refusal:
            log.info("refused a Teams request: %s", refusal)
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        now = deps.clock()
        if activity.get("id") and not await asyncio.to_thread(
            first_time, deps.db, f"teams:activity:{activity['id']}", now
        ):
            return Response(status_code=200)  # a retry of what we already handled
        await asyncio.to_thread(remember, deps.db, activity, now)
        kind = activity["type"]
        try:
            if kind == "message":
                await on_message(services, activity)
            elif kind == "conversationUpdate":
                await on_conversation_update(services, activity)
            elif kind == "invoke":
                # We use Action.Submit only; any invoke still gets the answer Teams expects.
                return JSONResponse({"status": 200, "body": {}})
        except Exception:  # one error handler for the adapter: logged, and Teams gets a 500
            log.exception("error handling a Teams %s activity", kind)
            return JSONResponse({"error": "internal"}, status_code=500)
        return Response(status_code=200)

    return api_messages, TeamsMessenger(connector, deps.db), services
