"""`POST /api/messages`: Teams activities, authenticated, once each, to the right handler.

Acked means kept, as in Slack: an activity that is authenticated and well-formed is written to
the inbox (bot.inbox, one short transaction) with its once-key before the Bot Framework gets its
200, and the inbox's workers do the work (bot.teams.kept). The Bot Framework does not send again
an activity it got a 200 for; a process killed after answering leaves the row, and the next one
does the work. A retry of an activity kept before is answered and dropped; a failure to keep
answers 500, so that the Bot Framework tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.background import follow
from bot.bodies import Refusal, read_limited
from bot.inbox import Inbox
from bot.settings import Settings
from bot.teams.activities import TEAMS, TeamsServices, once_key, submit_key
from bot.teams.auth import BotFrameworkAuth, Unauthorized
from bot.teams.connector import BotConnector
from bot.teams.inbound import MAX_BODY, meaningless, parse_activity
from bot.teams.kept import kind_of, report
from bot.teams.messenger import TeamsMessenger
from handlers.context import Deps

log = logging.getLogger(__name__)

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
    services = TeamsServices(
        deps=deps, connector=connector, app_id=settings.teams_app_id, inbox=Inbox(deps.db, TEAMS)
    )

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
        kind = kind_of(activity)
        # The address it came in on goes with it: download links made by its work point there.
        kept = {"activity": activity, "base_url": str(request.base_url)}
        try:
            entry = await services.inbox.keep(kind, kept, once_key=activity_key(activity))
        except Exception as error:  # not kept, so not answered: the retry may keep it
            follow(services.background, report(services, activity, error))
            return JSONResponse({"error": "internal"}, status_code=500)
        if entry is not None:  # None: a retry of what was kept before
            services.inbox.hand_over(entry, kind, kept)
        return answer(activity)

    return api_messages, TeamsMessenger(connector, deps.db), services


def activity_key(activity: dict[str, Any]) -> str | None:
    """What makes a retry of the Bot Framework (it sends one when our answer is late) known
    when it is kept: a card's form by its card (so a second submit of it is dropped too), any
    other activity by its id. An activity without an id is kept without a key."""
    key = submit_key(activity)
    if key is None and activity.get("id"):
        key = once_key("activity", activity, activity["id"])
    return key


def answer(activity: dict[str, Any]) -> Response:
    if activity["type"] == "invoke":
        # We use Action.Submit only; any invoke still gets the answer Teams expects.
        return JSONResponse({"status": 200, "body": {}})
    return Response(status_code=200)
