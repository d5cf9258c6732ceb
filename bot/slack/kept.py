"""What the inbox's workers do with a Slack request they are handed: the kind says which
listener's work it is. A failure is logged and the person told, as after any ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.inbox import Work
from bot.slack.actions import press
from bot.slack.apology import apologise
from bot.slack.events import handle_event
from bot.slack.services import SlackServices
from bot.slack.slash_command import run_command
from bot.slack.submissions import follow_up
from storage.models.inbox import InboxKind
from storage.request_in_hand import AlreadyDone

log = logging.getLogger(__name__)


def kept_work(services: SlackServices, client: AsyncWebClient) -> Work:
    """`client` carries the bot token, as the client bolt hands its listeners does."""

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        url = body.get("response_url")
        respond = AsyncRespond(response_url=url) if isinstance(url, str) and url else None
        try:
            if kind == "command":
                await run_command(services, body, client, respond)
            elif kind == "action":
                await press(services, body, client, respond)
            elif kind == "submission":
                await follow_up(services, client, body)
            else:
                await handle_event(services, client, body)
        except AlreadyDone:  # applied before: nothing to say to anyone; the inbox logs it
            raise
        except Exception as error:  # the adapter's one place for errors after the ack
            log.error("error in a Slack listener after its ack", exc_info=error)
            await apologise(services, client, body, respond)

    return work
