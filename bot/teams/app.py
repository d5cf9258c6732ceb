"""`POST /api/messages`: Teams activities, authenticated, once each, to the right handler.

The Bot Framework is answered as soon as an activity is authenticated, well-formed and new; the
work follows in the background (bot.background.follow), as Slack is acked first. Work started
but unfinished when the server stops is given a moment to finish (bot.server.running), and is
lost beyond it, as Slack's is: nothing stores an answered activity before its work is done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.background import follow
from bot.bodies import Refusal, read_limited
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
from bot.teams.inbound import MAX_BODY, meaningless, parse_activity
from bot.teams.messenger import TeamsMessenger
from bot.teams.references import remember
from handlers.context import Deps
from handlers.errors import APOLOGY
from handlers.i18n import Translator, normalise_language
from handlers.messages import Message
from storage.processed_events import first_time

log = logging.getLogger(__name__)

LISTENED = ("message", "conversationUpdate", "invoke")  # the activity types we act on
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"


def token_url(settings: Settings) -> str:
    """A single-tenant bot (the kind Azure creates now) gets its token from its own tenant."""
    if settings.teams_tenant_id and settings.teams_token_url == DEFAULT_TOKEN_URL:
        return f"https://login.microsoftonline.com/{settings.teams_tenant_id}/oauth2/v2.0/token"
    return settings.teams_token_url


def bot_connector(settings: Settings, http: httpx.AsyncClient) -> BotConnector:
    """The Bot Connector as our app: what sends, and its own token."""
    assert settings.teams_app_id and settings.teams_app_password
    return BotConnector(
        settings.teams_app_id,
        settings.teams_app_password.get_secret_value(),
        token_url(settings),
        http,
    )


def build_teams(
    settings: Settings, deps: Deps
) -> tuple[Callable[[Request], Awaitable[Response]], TeamsMessenger, TeamsServices]:
    assert settings.teams_app_id
    http = httpx.AsyncClient()
    connector = bot_connector(settings, http)
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
        try:
            new = await first_time_here(services, activity)
        except Exception as error:  # not recorded, so not done: a retry may still do it
            follow(services.background, report(services, activity, error))
            return JSONResponse({"error": "internal"}, status_code=500)
        if not new:
            return Response(status_code=200)  # a retry of what we already handled
        # Answered now, as Slack is acked first: the work follows, and its failure is told.
        follow(services.background, handle(services, activity))
        return answer(activity)

    return api_messages, TeamsMessenger(connector, deps.db), services


async def first_time_here(services: TeamsServices, activity: dict[str, Any]) -> bool:
    """Whether a verified activity is new: checked before the answer, so that a retry the Bot
    Framework sends (it sends one when our answer is late) is recognised and dropped."""
    if not activity.get("id"):
        return True
    deps = services.deps
    key = once_key("activity", activity, activity["id"])
    return await asyncio.to_thread(first_time, deps.db, key, deps.clock())


def answer(activity: dict[str, Any]) -> Response:
    if activity["type"] == "invoke":
        # We use Action.Submit only; any invoke still gets the answer Teams expects.
        return JSONResponse({"status": 200, "body": {}})
    return Response(status_code=200)


async def handle(services: TeamsServices, activity: dict[str, Any]) -> None:
    """The work after the answer. It never raises: an error is reported."""
    try:
        await dispatch(services, activity)
    except Exception as error:
        await report(services, activity, error)


async def report(services: TeamsServices, activity: dict[str, Any], error: Exception) -> None:
    """The adapter's one error handler: the error is logged once, and the person who wrote is
    told, as in Slack."""
    kind = activity["type"]
    named = kind if kind in LISTENED else "other"  # a type is text from the body
    log.error("error handling a Teams %s activity", named, exc_info=error)
    if kind == "message":  # someone is waiting for an answer
        await apologise(services, activity)


async def dispatch(services: TeamsServices, activity: dict[str, Any]) -> None:
    """A verified, new activity of the shape `inbound.Activity`: to its listener."""
    deps = services.deps
    try:
        await asyncio.to_thread(remember, deps.db, activity, deps.clock())
    except IntegrityError:  # another activity stored the same reference just now: ours updates it
        await asyncio.to_thread(remember, deps.db, activity, deps.clock())
    kind = activity["type"]
    if kind == "message":
        await on_message(services, activity)
    elif kind == "conversationUpdate":
        await on_conversation_update(services, activity)


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
