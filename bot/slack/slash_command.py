"""`/samskab …`: kept (when it may change something), acked, then run by the inbox's workers,
which show its reply."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import follow
from bot.slack.replies import notice_modal, show_reply
from bot.slack.roster import may_heal, reconcile_channel, roster_note, roster_notice
from bot.slack.services import SlackServices, channel_ref
from bot.strangers import is_stranger
from handlers.commands import BY_WORD, handle_command

COMMAND = "/samskab"
# Commands that only answer the person: lost in a crash, they are simply typed again.
ONLY_ANSWER = frozenset({"help", "status"})


def register(app: AsyncApp, services: SlackServices) -> None:
    @app.command(COMMAND)
    async def on_samskab(ack: AsyncAck, body: dict[str, Any]) -> None:
        inbox = services.inbox
        entry = None if only_answers(body.get("text", "")) else await inbox.keep("command", body)
        await ack()  # within Slack's 3 seconds; the work follows in the inbox's workers
        inbox.hand_over(entry, "command", body)


def only_answers(text: str) -> bool:
    words = text.strip().split(maxsplit=1)
    if not words:
        return True  # help
    spec = BY_WORD.get(words[0].casefold())
    return spec is None or spec.name in ONLY_ANSWER  # an unknown word gets the help


async def run_command(
    services: SlackServices,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
) -> None:
    team, user_id = body["team_id"], body["user_id"]
    actor = await services.directory.person(team, user_id, body.get("user_name", ""))
    channel = channel_ref(team, body["channel_id"], body.get("channel_name", ""))
    if await asyncio.to_thread(is_stranger, services.deps, actor, channel) and may_heal(
        services.rosters, team, channel.channel_id
    ):
        # Someone the process does not know: their join may have been missed.
        reconcile = reconcile_channel(
            services.directory, services.rosters, services.deps, team, channel.channel_id
        )
        follow(services.background, reconcile)
    reply = await asyncio.to_thread(
        handle_command, services.deps, actor, channel, body.get("text", "")
    )
    if (form := reply.form) is not None:
        notice = roster_notice(services.rosters, form, team, channel.channel_id)
        if notice is not None and body.get("trigger_id"):
            view = notice_modal(form.title, notice)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            reply = replace(reply, form=None)
        else:
            form = roster_note(services.rosters, form, team, channel.channel_id)
            reply = replace(reply, form=form)
    await show_reply(
        reply,
        client=client,
        user_id=user_id,
        channel_id=channel.channel_id,
        trigger_id=body.get("trigger_id"),
        respond=respond,
        page_url=services.page_url(team, user_id),
    )
    services.nudge()
