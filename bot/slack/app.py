"""The Slack app: slack-bolt's AsyncApp with our listeners, retry handling and error handler."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.inbox import Inbox
from bot.settings import Settings
from bot.slack import actions, events, slash_command, submissions
from bot.slack.apology import apologise, apology_for, apology_response
from bot.slack.directory import SlackDirectory
from bot.slack.identity import bot_identity
from bot.slack.inbound import meaningless
from bot.slack.patience import Patience
from bot.slack.services import SlackServices
from bot.web.access import StatusLinks
from handlers.context import Deps
from schedules.shared_pace import SharedPace
from storage.processed_events import first_time

log = logging.getLogger(__name__)


def slack_client(settings: Settings) -> AsyncWebClient:
    assert settings.slack_bot_token is not None
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )


async def only_meaningful(body: dict[str, Any], next: Any) -> BoltResponse | None:
    """Over HTTP the route checked this already; Socket Mode's requests come this way only."""
    reason = meaningless(body)
    if reason is not None:
        log.info("ignored a Slack request: %s", reason)
        return BoltResponse(status=200, body="")
    await next()
    return None


def build_slack_app(
    settings: Settings, deps: Deps, client: AsyncWebClient, links: StatusLinks | None = None
) -> tuple[AsyncApp, SlackServices]:
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    # bolt gives each listener a client with the token `authorize` returns; given a token of
    # its own as well, it warns at every start that it ignores it.
    tokenless = AsyncWebClient(base_url=client.base_url, timeout=client.timeout)
    app = AsyncApp(
        client=tokenless,
        signing_secret=signing_secret,
        authorize=bot_identity(client),
        before_authorize=only_meaningful,
    )
    services = SlackServices(
        deps=deps,
        directory=SlackDirectory(client, Patience(pace=SharedPace(deps.db))),
        inbox=Inbox(deps.db, "slack"),
        status_links=links or StatusLinks(signing_secret, deps.clock, settings.public_url),
    )

    @app.use
    async def once_per_event(body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Slack retries an event it thinks we missed (X-Slack-Retry-Num) with the same
        event_id; the database remembers ids across restarts, so a retry is acked and dropped.
        An event we act on is kept in the inbox with its id, and answered here."""
        kept = await events.keep_event(services, body)
        if kept is not None:
            return kept
        if body.get("type") == "event_callback" and body.get("event_id"):
            key = f"slack:event:{body['event_id']}"
            if not await asyncio.to_thread(first_time, deps.db, key, deps.clock()):
                return BoltResponse(status=200, body="")
        await next()
        return None

    @app.error
    async def on_error(
        error: Exception, body: dict[str, Any], context: AsyncBoltContext, response: Any
    ) -> BoltResponse | None:
        """A listener or middleware failed before it acked (`response` is the answer still to be
        sent: the apology goes in it), or bolt reports one that failed after."""
        log.error("error in a Slack listener", exc_info=error)
        told = apology_for(services, body)
        if told is not None and isinstance(response, BoltResponse):
            return apology_response(body, told[1])
        respond = context.respond if isinstance(body.get("response_url"), str) else None
        await apologise(services, client, body, respond)
        return None

    slash_command.register(app, services)
    actions.register(app, services)
    submissions.register(app, services)
    return app, services
