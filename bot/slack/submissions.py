"""Modal submissions: errors answered inside the modal, in the person's language; a modal that
is submitted twice acts once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import follow
from bot.slack.directory import FAILURES
from bot.slack.events import publish_home
from bot.slack.modals import modal_errors, read_modal_values
from bot.slack.replies import modal_for, notice_modal, show_reply, view_title
from bot.slack.roster import reconcile_channel, roster_note, roster_notice
from bot.slack.services import SlackServices, channel_ref, read_metadata, team_of
from handlers.interactions import FORM_CALLBACKS, submit_form
from handlers.messages import FollowUp, Form, FormField, FormOutcome, Message
from storage.processed_events import first_time, forget

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: SlackServices) -> None:
    async def on_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        deps = services.deps
        team, user_id = team_of(body), body["user"]["id"]
        callback_id = view["callback_id"]
        # The hash too: a modal answered with `response_action: update` (a form's next step)
        # keeps its id, and only its hash tells the next submission from a replay of this one.
        key = f"slack:view:{view['id']}:{view.get('hash', '')}:{callback_id}"
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
        follow_ups = _follow_ups(outcome, team, body["user"])
        # Kept before the ack: what the submission still has to do is done even after a crash.
        entry = await services.inbox.keep("submission", follow_ups) if follow_ups else None
        reply = outcome.reply
        notice = (
            roster_notice(services.rosters, reply.form, team, channel_id)
            if reply.form is not None
            else None
        )
        if notice is not None and reply.form is not None:
            # The next step offers people (the summary's attendees) while the roster is read.
            await ack(response_action="update", view=notice_modal(reply.form.title, notice))
        elif reply.form is not None:
            form = roster_note(services.rosters, reply.form, team, channel_id)
            await ack(response_action="update", view=modal_for(form, channel_id))
        elif reply.message is not None:
            await ack(response_action="update", view=notice_modal(view_title(view), reply.message))
        else:
            await ack()
        if reply.attachment is not None:  # a file for the person only: lost in a crash, asked again
            attachment = show_reply(
                reply.__class__(attachment=reply.attachment),
                client=client,
                user_id=user_id,
                channel_id=channel_id,
            )
            follow(services.background, attachment)
        if follow_ups:
            services.inbox.hand_over(entry, "submission", follow_ups)
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


def _follow_ups(outcome: FormOutcome, team: str, user: dict[str, Any]) -> dict[str, Any]:
    """What is left to do once the submission is answered, as the inbox keeps it ({}: nothing)."""
    enrol = FollowUp.ENROL_CHANNEL in outcome.follow_ups and outcome.channel is not None
    home = FollowUp.REFRESH_HOME in outcome.follow_ups
    if not enrol and not home:
        return {}
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": user["id"], "name": user.get("name", "")},
        "enrol_channel": outcome.channel.channel_id if enrol and outcome.channel else None,
        "refresh_home": home,
    }


async def follow_up(services: SlackServices, client: AsyncWebClient, kept: dict[str, Any]) -> None:
    """What `_follow_ups` kept: the channel enrolled after setup, the App Home refreshed."""
    team, user = kept["team"]["id"], kept["user"]
    if kept.get("enrol_channel"):
        await _enrol_channel(services, client, team, kept["enrol_channel"])
    if kept.get("refresh_home"):
        # The facilitator's App Home lists what is still to follow up: not this one now.
        actor = await services.directory.person(team, user["id"], user.get("name", ""))
        await publish_home(services, client, actor)


def _enrol_channel(
    services: SlackServices, client: AsyncWebClient, team: str, channel_id: str
) -> Coroutine[Any, Any, None]:
    """After setup: the bot joins a public channel, and the channel's people become members.
    The channel counts as being read from this call on (bot.slack.roster)."""
    read = reconcile_channel(services.directory, services.rosters, services.deps, team, channel_id)

    async def work() -> None:
        try:
            await client.conversations_join(channel=channel_id)
        except FAILURES as error:  # a private channel needs an invitation; posting will tell
            log.info("could not join %s: %s", channel_id, error)
        await read

    return work()
