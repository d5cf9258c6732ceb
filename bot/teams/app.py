"""`POST /api/messages`: Teams activities, authenticated, once each, to the right handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.bodies import read_limited
from bot.settings import Settings
from bot.teams.activities import (
    TeamsServices,
    on_conversation_update,
    on_message,
    once_key,
    reply_to,
)
from bot.teams.auth import BotFrameworkAuth, Unauthorized
from bot.teams.cards import activity_for
from bot.teams.connector import BotConnector
from bot.teams.inbound import MAX_BODY, Refusal, meaningless, parse_activity
from bot.teams.messenger import TeamsMessenger
from bot.teams.references import remember
from handlers.context import Deps
from handlers.i18n import N_, Translator, normalise_language
from handlers.messages import Message
from storage.events import first_time

log = logging.getLogger(__name__)

# The same words as Slack's apology (bot.slack.app.APOLOGY), so the catalogs hold them once.
APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a moment.")
LISTENED = ("message", "conversationUpdate", "invoke")  # the activity types we act on
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
        settings.teams_app_id,
        settings.teams_openid_metadata_url,
        http,
        settings.teams_tenant_id,
        clock=lambda: deps.clock().timestamp(),
    )
    services = TeamsServices(deps=deps, connector=connector, app_id=settings.teams_app_id)

    async def api_messages(request: Request) -> Response:
        body = await read_limited(request, MAX_BODY)
        activity = (
            Refusal(413, f"the body is larger than {MAX_BODY // 1024} KB")
            if body is None
            else parse_activity(body)
        )
        if isinstance(activity, Refusal):
            log.info("refused a Teams request (%d): %s", activity.status, activity.reason)
            return JSONResponse({"error": activity.reason}, status_code=activity.status)
        try:
            await auth.validate(request.headers.get("Authorization"), activity)
        except Unauthorized as refusal:
            log.info("refused a Teams request (401): %s", refusal)
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        reason = meaningless(activity)
        if reason is not None:
            log.info("ignored a Teams activity: %s", reason)
            return Response(status_code=200)
        kind = activity["type"]
        try:
            return await dispatch(services, activity)
        except Exception as error:  # the adapter's one error handler: logged, and the person told
            named = kind if kind in LISTENED else "other"  # a type is text from the body
            log.error("error handling a Teams %s activity", named, exc_info=error)
            if kind == "message":  # someone is waiting for an answer
                await apologise(services, activity)
            return JSONResponse({"error": "internal"}, status_code=500)

    return api_messages, TeamsMessenger(connector, deps.db), services


async def dispatch(services: TeamsServices, activity: dict[str, Any]) -> Response:
    """A verified activity of the shape `inbound.Activity`: once, to its listener."""
    deps = services.deps
    now = deps.clock()
    if activity.get("id") and not await asyncio.to_thread(
        first_time, deps.db, once_key("activity", activity, activity["id"]), now
    ):
        return Response(status_code=200)  # a retry of what we already handled
    await asyncio.to_thread(remember, deps.db, activity, now)
    kind = activity["type"]
    if kind == "message":
        await on_message(services, activity)
    elif kind == "conversationUpdate":
        await on_conversation_update(services, activity)
    elif kind == "invoke":
        # We use Action.Submit only; any invoke still gets the answer Teams expects.
        return JSONResponse({"status": 200, "body": {}})
    return Response(status_code=200)


async def apologise(services: TeamsServices, activity: dict[str, Any]) -> None:
    """Tells the person who wrote that it failed on our side, in their client's language."""
    locale = activity.get("locale")
    tr = Translator(normalise_language(locale, services.deps.language))
    try:
        await reply_to(
            services, activity, activity_for(Message(tr._(APOLOGY), language=tr.language))
        )
    except Exception as error:  # telling failed too: the error above has the detail
        log.warning("could not apologise in Teams: %r", error)
