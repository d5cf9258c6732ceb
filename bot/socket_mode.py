"""`samskab socket`: the same Slack app over Socket Mode (no public URL needed), with the
delivery worker beside it."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.server import background
from bot.settings import Settings
from bot.slack.app import build_slack_app, slack_client
from bot.slack.messenger import SlackMessenger
from handlers.context import Deps


async def run_socket_mode(settings: Settings, deps: Deps) -> None:
    assert settings.slack_app_token is not None
    client = slack_client(settings)
    app, services = build_slack_app(settings, deps, client)
    async with background(settings, deps, {"slack": SlackMessenger(client)}) as worker:
        services.nudge = worker.nudge
        handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
        try:
            await handler.start_async()
        finally:
            await handler.close_async()
