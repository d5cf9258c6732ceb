"""The Slack app: slack-bolt's AsyncApp with our listeners, retry handling and error handler."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack import actions, events, slash_command, submissions
from bot.slack.blocks import render_message
from bot.slack.directory import SlackDirectory
from bot.slack.identity import bot_identity
from bot.slack.inbound import meaningless
from bot.slack.replies import notice_modal, tell
from bot.slack.services import SlackServices, team_of
from handlers.context import Deps
from handlers.i18n import N_, Translator
from handlers.messages import Message
from storage.processed_events import first_time

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


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
    settings: Settings, deps: Deps, client: AsyncWebClient
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
    async def on_error(
        error: Exception, body: dict[str, Any], context: AsyncBoltContext, response: Any
    ) -> BoltResponse | None:
        """Logs, and tells the person where Slack lets us: in the answer itself when the
        listener failed before it acked (`response` is the answer still to be sent), else
        privately after. It never raises: a failure here only adds a log line."""
        log.error("error in a Slack listener", exc_info=error)
        user = _user_of(body)
        if user is None or body.get("type") == "event_callback":
            return None  # nobody is waiting for an answer
        known = services.directory.known(team_of(body), user)
        tr = Translator((known.locale if known else None) or deps.language)
        apology = Message(tr._(APOLOGY), language=tr.language)
        if isinstance(response, BoltResponse):
            return _apology_response(body, apology)
        try:
            await tell(
                apology,
                client=client,
                user_id=user,
                channel_id=None,
                respond=context.respond if isinstance(body.get("response_url"), str) else None,
            )
        except Exception as failure:  # telling failed too; the error above is logged
            log.warning("could not tell %s about the error: %s", user, type(failure).__name__)
        return None

    slash_command.register(app, services)
    actions.register(app, services)
    submissions.register(app, services)
    events.register(app, services)
    return app, services


def _user_of(body: dict[str, Any]) -> str | None:
    """Who acted, where the body says so as Slack writes it."""
    user = body.get("user")
    candidates = [body.get("user_id"), user.get("id") if isinstance(user, dict) else user]
    return next((c for c in candidates if isinstance(c, str) and c), None)


def _apology_response(body: dict[str, Any], apology: Message) -> BoltResponse:
    """The answer Slack is still waiting for: the apology in the modal, or as the command's
    private reply; a button's answer is only an acknowledgement, so it shows nothing."""
    if body.get("type") == "view_submission":
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        title = (view.get("title") or {}).get("text") if isinstance(view, dict) else None
        answer = {
            "response_action": "update",
            "view": notice_modal(title if isinstance(title, str) else "Samskab", apology),
        }
    elif "command" in body:
        answer = {"response_type": "ephemeral", **render_message(apology)}
    else:
        return BoltResponse(status=200, body="")
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )
