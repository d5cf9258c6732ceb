"""Modal submissions: errors answered inside the modal, in the person's language; a modal that
is submitted twice acts once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import follow
from bot.slack.events import publish_home
from bot.slack.modals import modal_errors, read_modal_values
from bot.slack.replies import modal_for, notice_modal, show_reply, view_title
from bot.slack.services import SlackServices, channel_ref, read_metadata, team_of
from handlers.interactions import FORM_CALLBACKS, submit_form
from handlers.messages import FollowUp, Form, FormField, FormOutcome, Message
from handlers.process.membership import sync_members
from storage.processed_events import first_time, forget

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: SlackServices) -> None:
    async def on_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        deps = services.deps
        team, user_id = team_of(body), body["user"]["id"]
        callback_id = view["callback_id"]
        key = f"slack:view:{view['id']}:{callback_id}"
        if not await asyncio.to_thread(first_time, deps.db, key, deps.clock()):
            await ack()  # the same modal again (a double submit): it already acted once
            return
        actor = await services.directory.person(team, user_id, body["user"].get("name", ""))
        channel_id, metadata = read_metadata(view.get("private_metadata", ""))
        channel = channel_ref(team, channel_id) if channel_id else None
        values = read_modal_values(view["state"]["values"])
        outcome: FormOutcome = await asyncio.to_thread(
            submit_form, deps, actor, channel, callback_id, metadata, values
        )
        if not outcome.ok:
            await asyncio.to_thread(forget, deps.db, key)  # the corrected modal may come again
            form = Form(callback_id, "", "", _fields_of(view))
            placed = modal_errors(form, outcome.errors)
            if placed:
                await ack(response_action="errors", errors=placed)
            else:  # a modal with no field to put them beside: they are all it says
                told = Message("\n".join(outcome.errors.values()))
                await ack(response_action="update", view=notice_modal(view_title(view), told))
            return
        reply = outcome.reply
        if reply.form is not None:
            await ack(response_action="update", view=modal_for(reply.form, channel_id))
        elif reply.message is not None:
            await ack(response_action="update", view=notice_modal(view_title(view), reply.message))
        else:
            await ack()
        if reply.attachment is not None:
            await show_reply(
                reply.__class__(attachment=reply.attachment),
                client=client,
                user_id=user_id,
                channel_id=channel_id,
            )
        if FollowUp.ENROL_CHANNEL in outcome.follow_ups and outcome.channel is not None:
            enrol = _enrol_channel(services, client, team, outcome.channel.channel_id)
            follow(services.background, enrol)
        if FollowUp.REFRESH_HOME in outcome.follow_ups:
            # The facilitator's App Home lists what is still to follow up: not this one now.
            follow(services.background, publish_home(services, client, actor))
        services.nudge()

    for callback_id in FORM_CALLBACKS:
        app.view(callback_id)(on_submit)


def _fields_of(view: dict[str, Any]) -> tuple[FormField, ...]:
    """The modal's field ids as form fields, enough to place errors on the right blocks."""
    ids = [
        block.get("block_id", "")
        for block in view.get("blocks", [])
        if block.get("type") == "input"
    ]
    fields = {}
    for block_id in ids:
        field_id, _, part = block_id.partition("__")
        fields[field_id] = FormField(field_id, "", "datetime" if part else "text")
    return tuple(fields.values())


async def _enrol_channel(
    services: SlackServices, client: AsyncWebClient, team: str, channel_id: str
) -> None:
    """After setup: the bot joins a public channel, and the channel's people become members."""
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as error:  # a private channel needs an invitation; posting will tell
        log.info("could not join %s: %s", channel_id, error)
    roster = await services.directory.roster(team, channel_id)
    await asyncio.to_thread(sync_members, services.deps, channel_ref(team, channel_id), roster)
