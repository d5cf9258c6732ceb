"""`samskab socket`, Slack's runner (bot.slack.adapter): the same Slack app over Socket Mode (no
public URL needed), with the delivery worker beside it."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.server import running
from bot.settings import Settings
from bot.slack.adapter import SLACK, assemble
from handlers.context import Deps


async def run_socket_mode(settings: Settings, deps: Deps) -> None:
    assert settings.slack_app_token is not None
    app, slack = assemble(settings, deps)
    async with running(settings, deps, {SLACK.name: slack}):
        handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
        # slack-bolt's Socket Mode handler carries no annotations.
        try:
            await handler.start_async()  # type: ignore[no-untyped-call]
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
