"""TeamsMessenger: sends outbox rows through the Bot Connector.

A message reference is "conversation id|activity id". A person is reached in their 1:1 chat,
created on first use (the app must be installed for them). Teams cannot be searched for a
message we may have sent just before a crash, so a row caught mid-call is sent again (see
docs/architecture.md)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Final

import httpx

from bot.teams.cards import activity_for
from bot.teams.connector import BotConnector, ConnectorError
from bot.teams.references import lookup, remember_personal_chat
from schedules.envelopes import Delivered, Envelope, PermanentFailure, RetryLater
from storage.db import Database

TEAMS: Final = "teams"
SEPARATOR = "|"


def split_ref(ref: str) -> tuple[str, str]:
    conversation, _, activity = ref.rpartition(SEPARATOR)
    return conversation, activity


class TeamsMessenger:
    platform = TEAMS

    def __init__(self, connector: BotConnector, db: Database) -> None:
        self.connector = connector
        self.db = db

    async def deliver(self, envelope: Envelope) -> Delivered:
        try:
            return await self._deliver(envelope)
        except ConnectorError as error:
            raise classify(error) from None
        except httpx.HTTPError as error:
            raise RetryLater(f"network: {error!r}") from None
        except ValueError as error:
            # An answer that is not the JSON the connector promised (an HTML page from a proxy
            # or an outage, a Retry-After given as a date): passing, judged by nothing more.
            raise RetryLater(f"unreadable answer: {error!r}"[:200]) from None

    async def _deliver(self, envelope: Envelope) -> Delivered:
        tenant = envelope.workspace
        activity = activity_for(envelope.message, link_url=None)
        if envelope.recipient is not None:
            user = envelope.recipient.user_id
            reference = await asyncio.to_thread(lookup, self.db, "user", tenant, user)
            if reference is None:
                raise PermanentFailure("not_found")  # never seen: no service URL to call
            conversation = envelope.recipient.dm_channel or reference.conversation_id
            if conversation is None:
                conversation = await self.connector.create_conversation(
                    reference.service_url, tenant, user
                )
                await asyncio.to_thread(
                    remember_personal_chat, self.db, tenant, user, conversation, datetime.now(UTC)
                )
        else:
            assert envelope.channel_id is not None
            conversation = envelope.channel_id
            reference = await asyncio.to_thread(lookup, self.db, "channel", tenant, conversation)
            if reference is None:
                raise PermanentFailure("not_found")
        service_url = reference.service_url
        if envelope.replaces_ref:
            target, activity_id = split_ref(envelope.replaces_ref)
            await self.connector.update(service_url, target, activity_id, activity)
            return Delivered(ref=envelope.replaces_ref)
        if envelope.thread_ref:
            target, parent = split_ref(envelope.thread_ref)
            activity_id = await self.connector.reply(service_url, target, parent, activity)
        else:
            activity_id = await self.connector.send(service_url, conversation, activity)
        dm = conversation if envelope.recipient is not None else None
        return Delivered(ref=f"{conversation}{SEPARATOR}{activity_id}", dm_channel=dm)


def classify(error: ConnectorError) -> RetryLater | PermanentFailure:
    if error.status == 429:
        return RetryLater("throttled", error.retry_after)
    if error.status == 403:
        return PermanentFailure("forbidden")  # the app was removed, or the person blocked it
    if error.status == 404:
        return PermanentFailure("not_found")
    return RetryLater(f"http_{error.status}", error.retry_after)
