"""Events: membership follows the channel, and App Home shows a person their page.

bolt acks an event before its listeners run, so these are not bolt listeners: `keep_event`
writes the event to the inbox (with its event_id, so a retry of it is dropped) and answers
Slack; the inbox's workers then call `handle_event`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import render_home
from bot.slack.services import SlackServices, channel_ref
from handlers.context import PersonRef
from handlers.process.membership import member_joined, member_left
from handlers.status.home import home_for

log = logging.getLogger(__name__)

HANDLED = frozenset({"member_joined_channel", "member_left_channel", "app_home_opened"})


async def keep_event(services: SlackServices, body: dict[str, Any]) -> BoltResponse | None:
    """The answer to an event we handle, once it is kept (or was kept before: a retry); None
    for any other request."""
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return None
    if (body.get("event") or {}).get("type") not in HANDLED:
        return None
    key = f"slack:event:{body['event_id']}"
    entry = await services.inbox.keep("event", body, once_key=key)
    if entry is not None:
        services.inbox.hand_over(entry, "event", body)
    return BoltResponse(status=200, body="")


async def handle_event(
    services: SlackServices, client: AsyncWebClient, body: dict[str, Any]
) -> None:
    event = body["event"]
    kind = event["type"]
    if kind == "member_joined_channel":
        await _member_joined(services, event, body)
    elif kind == "member_left_channel":
        team = event.get("team") or body.get("team_id", "")
        person = await services.directory.person(team, event["user"])
        await asyncio.to_thread(
            member_left, services.deps, channel_ref(team, event["channel"]), person
        )
    elif kind == "app_home_opened" and event.get("tab", "home") == "home":
        person = await services.directory.person(body.get("team_id", ""), event["user"])
        await publish_home(services, client, person)


async def _member_joined(
    services: SlackServices, event: dict[str, Any], body: dict[str, Any]
) -> None:
    team = event.get("team") or body.get("team_id", "")
    user = await services.directory.user(team, event["user"], patient=True)
    if user.is_bot or user.person.user_id == await services.directory.bot_user_id():
        return  # the app itself, or another bot: not a colleague
    if not user.named:
        # Never enrolled under a bare id: the next roster reconcile enrols them by name.
        log.warning("%s joined %s; name not known yet", event["user"], event["channel"])
        return
    channel = channel_ref(team, event["channel"])
    if await asyncio.to_thread(member_joined, services.deps, channel, user.person):
        services.nudge()


async def publish_home(services: SlackServices, client: AsyncWebClient, person: PersonRef) -> None:
    """The person's App Home as it stands now."""
    messages = await asyncio.to_thread(home_for, services.deps, person)
    page_url = services.page_url(person.workspace, person.user_id)
    await client.views_publish(
        user_id=person.user_id, view=render_home(messages, page_url=page_url)
    )
