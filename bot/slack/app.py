"""The Slack app: slack-bolt's AsyncApp with our listeners, retry handling and error handler."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack import actions, commands, events, forms
from bot.slack.directory import SlackDirectory
from bot.slack.replies import tell
from bot.slack.services import SlackServices, team_of
from handlers.context import Deps
from handlers.i18n import N_, Translator
from handlers.messages import Message
from storage.events import first_time

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


def slack_client(settings: Settings) -> AsyncWebClient:
    assert settings.slack_bot_token is not None
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )


def build_slack_app(
    settings: Settings, deps: Deps, client: AsyncWebClient
) -> tuple[AsyncApp, SlackServices]:
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    app = AsyncApp(client=client, signing_secret=signing_secret)
    services = SlackServices(deps=deps, directory=SlackDirectory(client))

    @app.use
    async def once_per_event(body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Slack retries an event it thinks we missed (X-Slack-Retry-Num) with the same
        event_id; the database remembers ids across restarts, so a retry is acked and dropped."""
        if body.get("type") == "event_callback" and body.get("event_id"):
            key = f"slack:event:{body['event_id']}"
            if not await asyncio.to_thread(first_time, deps.db, key, deps.clock()):
                return BoltResponse(status=200, body="")
        await next()
        return None

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
        log.error("error in a Slack listener: %r", error, exc_info=error)
        user = (
            body.get("user_id")
            or (body.get("user") or {}).get("id")
            or (body.get("event") or {}).get("user")
        )
        if not user or body.get("type") == "event_callback":
            return  # nobody is waiting for an answer
        person = await services.directory.person(team_of(body), str(user))
        tr = Translator(person.locale or deps.language)
        try:
            await tell(
                Message(tr._(APOLOGY), language=tr.language),
                client=client,
                user_id=str(user),
                channel_id=None,
                respond=context.respond,
            )
        except Exception:  # telling failed too: the log above has the detail
            log.exception("could not tell %s about the error", user)

    commands.register(app, services)
    actions.register(app, services)
    forms.register(app, services)
    events.register(app, services)
    return app, services
