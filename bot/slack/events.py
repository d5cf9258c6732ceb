"""Events: membership follows the channel, and App Home shows a person their page."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import render_home
from bot.slack.services import SlackServices, channel_ref
from handlers.context import PersonRef
from handlers.process.membership import member_joined, member_left
from handlers.status.home import home_for


def register(app: AsyncApp, services: SlackServices) -> None:
    @app.event("member_joined_channel")
    async def on_member_joined_channel(event: dict[str, Any], body: dict[str, Any]) -> None:
        team = event.get("team") or body.get("team_id", "")
        user = await services.directory.user(team, event["user"])
        if user.is_bot:
            return  # the app itself, or another bot: not a colleague
        channel = channel_ref(team, event["channel"])
        if await asyncio.to_thread(member_joined, services.deps, channel, user.person):
            services.nudge()

    @app.event("member_left_channel")
    async def on_member_left_channel(event: dict[str, Any], body: dict[str, Any]) -> None:
        team = event.get("team") or body.get("team_id", "")
        person = await services.directory.person(team, event["user"])
        await asyncio.to_thread(
            member_left, services.deps, channel_ref(team, event["channel"]), person
        )

    @app.event("app_home_opened")
    async def on_app_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        person = await services.directory.person(body.get("team_id", ""), event["user"])
        await publish_home(services, client, person)


async def publish_home(services: SlackServices, client: AsyncWebClient, person: PersonRef) -> None:
    """The person's App Home as it stands now."""
    messages = await asyncio.to_thread(home_for, services.deps, person)
    await client.views_publish(user_id=person.user_id, view=render_home(messages))
