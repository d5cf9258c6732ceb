"""`/samskab …`: ack at once, then run the command and show its reply."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.apology import after_ack
from bot.slack.replies import show_reply
from bot.slack.services import SlackServices, channel_ref
from handlers.commands import handle_command

COMMAND = "/samskab"


def register(app: AsyncApp, services: SlackServices) -> None:
    @app.command(COMMAND)
    async def on_samskab(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()  # within Slack's 3 seconds; the work follows
        after_ack(services, client, body, respond, _run(services, body, client, respond))


async def _run(
    services: SlackServices, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    team, user_id = body["team_id"], body["user_id"]
    actor = await services.directory.person(team, user_id, body.get("user_name", ""))
    channel = channel_ref(team, body["channel_id"], body.get("channel_name", ""))
    reply = await asyncio.to_thread(
        handle_command, services.deps, actor, channel, body.get("text", "")
    )
    await show_reply(
        reply,
        client=client,
        user_id=user_id,
        channel_id=channel.channel_id,
        trigger_id=body.get("trigger_id"),
        respond=respond,
    )
    services.nudge()
