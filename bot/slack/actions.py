"""Buttons: "give input", "no input from me" in a DM, and "add input" under a summary. A click
is kept in the inbox, acked, then pressed by the inbox's workers."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import PAGE_LINK_ACTION
from bot.slack.replies import show_reply
from bot.slack.roster import roster_note, roster_notice
from bot.slack.services import SlackServices, team_of
from handlers.interactions import BUTTON_ACTIONS, press_button


def register(app: AsyncApp, services: SlackServices) -> None:
    async def on_button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        # The action bolt matched goes with the body: the work reads it from there.
        kept = {**body, "actions": [action]}
        entry = await services.inbox.keep("action", kept)
        await ack()
        services.inbox.hand_over(entry, "action", kept)

    async def on_link_opened(ack: AsyncAck) -> None:
        await ack()  # the browser opened the link; Slack wants the click acked all the same

    app.action(PAGE_LINK_ACTION)(on_link_opened)
    for action_id in BUTTON_ACTIONS:
        # "input.mark", or "input.mark#2" for the second such button in one block.
        app.action(re.compile(rf"^{re.escape(action_id)}(#\d+)?$"))(on_button)


async def press(
    services: SlackServices,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
) -> None:
    action = body["actions"][0]
    team, user_id = team_of(body), body["user"]["id"]
    actor = await services.directory.person(team, user_id, body["user"].get("name", ""))
    action_id = str(action["action_id"]).partition("#")[0]
    reply = await asyncio.to_thread(
        press_button, services.deps, actor, action_id, action.get("value") or ""
    )
    channel = (body.get("channel") or {}).get("id")
    if (form := reply.form) is not None:
        # A form that offers people (a workshop's invitees), while the roster is being read.
        notice = roster_notice(services.rosters, form, team, channel)
        if notice is not None:
            reply = replace(reply, form=None, message=notice)
        else:
            reply = replace(reply, form=roster_note(services.rosters, form, team, channel))
    # A button in App Home has no response_url: its answers go to the person's DM instead.
    await show_reply(
        reply,
        client=client,
        user_id=user_id,
        channel_id=channel,
        trigger_id=body.get("trigger_id"),
        respond=respond if body.get("response_url") else None,
        page_url=services.page_url(team, user_id),
    )
    services.nudge()
