"""SlackMessenger: sends outbox rows with the Web API and says which failures are passing.

A message reference is "channel:ts": `chat.update` needs both, and a DM can only be updated
through the D… channel that `conversations.open` returned."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import render_message
from bot.slack.directory import SLACK
from schedules.envelopes import Delivered, Envelope, PermanentFailure, RetryLater

# Errors that will not go away by trying again: the person or the channel is gone or closed to us.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_disabled",
    "user_not_found",
    "account_inactive",
    "cannot_dm_bot",
    "msg_too_long",
    "invalid_blocks",
    "no_text",
    "message_not_found",
    "cant_update_message",
    "restricted_action",
    "team_access_not_granted",
    "not_authed",
    "invalid_auth",
    "token_revoked",
    "missing_scope",
}


def split_ref(ref: str) -> tuple[str, str]:
    channel, _, ts = ref.partition(":")
    return channel, ts


class SlackMessenger:
    platform = SLACK

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        # Every DM about one summary links to the same post: ask Slack once, not per colleague
        # (chat.getPermalink is rate-limited like any other method).
        self._permalinks: dict[str, asyncio.Future[str | None]] = {}

    async def deliver(self, envelope: Envelope) -> Delivered:
        try:
            return await self._deliver(envelope)
        except SlackApiError as error:
            raise classify(error) from None
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
            raise RetryLater(f"network: {error!r}") from None

    async def _deliver(self, envelope: Envelope) -> Delivered:
        link_url = await self._permalink(envelope.link_ref) if envelope.link_ref else None
        payload = render_message(envelope.message, link_url=link_url)
        if envelope.replaces_ref:
            channel, ts = split_ref(envelope.replaces_ref)
            await self.client.chat_update(channel=channel, ts=ts, **payload)
            return Delivered(ref=envelope.replaces_ref)
        dm_channel = None
        if envelope.recipient is not None:
            dm_channel = envelope.recipient.dm_channel or await self._open_dm(
                envelope.recipient.user_id
            )
            channel = dm_channel
        else:
            assert envelope.channel_id is not None
            channel = envelope.channel_id
        thread_ts = split_ref(envelope.thread_ref)[1] if envelope.thread_ref else None
        if envelope.maybe_sent:
            posted = await self._find_posted(channel, envelope.key, thread_ts)
            if posted is not None:
                return Delivered(ref=f"{channel}:{posted}", dm_channel=dm_channel)
        response = await self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            # The idempotency key travels with the message, so a resend can look for it first.
            metadata={"event_type": "samskab_message", "event_payload": {"key": envelope.key}},
            unfurl_links=False,
            **payload,
        )
        return Delivered(ref=f"{response['channel']}:{response['ts']}", dm_channel=dm_channel)

    async def _find_posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        """The ts of a message we posted under `key` before a crash, if Slack has it: recent
        history (or the thread) is searched for the key in the message's metadata."""
        if thread_ts:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
            )
        else:
            response = await self.client.conversations_history(
                channel=channel, limit=100, include_all_metadata=True
            )
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return str(message["ts"])
        return None

    async def _open_dm(self, user_id: str) -> str:
        response = await self.client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def _permalink(self, ref: str) -> str | None:
        # The DMs of one fan-out go out in parallel: the first asks Slack, the others wait for
        # its answer instead of asking too.
        if ref not in self._permalinks:
            if len(self._permalinks) > 1000:
                self._permalinks.clear()
            self._permalinks[ref] = asyncio.ensure_future(self._ask_permalink(ref))
        return await asyncio.shield(self._permalinks[ref])

    async def _ask_permalink(self, ref: str) -> str | None:
        channel, ts = split_ref(ref)
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError:
            self._permalinks.pop(ref, None)  # ask again next time
            return None  # the DM still goes, without the link
        return str(response["permalink"])


def classify(error: SlackApiError) -> RetryLater | PermanentFailure:
    status = error.response.status_code
    code = str(error.response.get("error") or f"http_{status}")
    if status == 429 or code == "ratelimited":
        retry_after = error.response.headers.get("Retry-After") or error.response.headers.get(
            "retry-after"
        )
        return RetryLater(code, float(retry_after) if retry_after else None)
    if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable"):
        return RetryLater(code)
    if code in PERMANENT:
        return PermanentFailure(code)
    return RetryLater(code)
