"""SlackMessenger: sends outbox rows with the Web API and says which failures are passing.

A message reference is "channel:ts": `chat.update` needs both, and a DM can only be updated
through its D… channel. A first DM is posted with the person's user id as `channel`: Slack then
posts it in the app's DM with them (the Messages tab of the App Home) and answers with the D… id,
which is kept (Person.dm_channel) for every later message and update, so a cold fan-out needs no
`conversations.open` (Tier 3, about 50 a minute). `conversations.open` is asked only where the D…
id is needed before posting (to look for a message a crash may have sent), and once per person:
its answer is kept even when the post after it fails."""

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
        self._dms: dict[str, str] = {}  # user id -> D… id learnt in this process
        # Every DM about one summary links to the same post: ask Slack once, not per colleague
        # (chat.getPermalink is rate-limited like any other method).
        self._permalinks: dict[str, asyncio.Future[str | None]] = {}

    async def deliver(self, envelope: Envelope) -> Delivered:
        try:
            return await self._deliver(envelope)
        except SlackApiError as error:
            failure = classify(error)
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
            failure = RetryLater(f"network: {error!r}")
        recipient = envelope.recipient
        if recipient is not None and recipient.dm_channel is None:
            failure.dm_channel = self._dms.get(recipient.user_id)  # kept for the retry
        raise failure

    async def _deliver(self, envelope: Envelope) -> Delivered:
        link_url = await self._permalink(envelope.link_ref) if envelope.link_ref else None
        payload = render_message(envelope.message, link_url=link_url)
        if envelope.replaces_ref:
            channel, ts = split_ref(envelope.replaces_ref)
            await self.client.chat_update(channel=channel, ts=ts, **payload)
            return Delivered(ref=envelope.replaces_ref)
        dm_channel = None
        if envelope.recipient is not None:
            user = envelope.recipient.user_id
            dm_channel = envelope.recipient.dm_channel or self._dms.get(user)
            if dm_channel is None and envelope.maybe_sent:
                dm_channel = await self._open_dm(user)  # history is read by D… id only
            channel = dm_channel or user
        else:
            assert envelope.channel_id is not None
            channel = envelope.channel_id
        thread_ts = split_ref(envelope.thread_ref)[1] if envelope.thread_ref else None
        if envelope.maybe_sent:
            posted = await self._find_posted(channel, envelope.key, thread_ts)
            if posted is not None:
                return Delivered(ref=f"{channel}:{posted}", dm_channel=dm_channel)
        # The idempotency key travels with the message, so a resend can look for it first.
        metadata = {"event_type": "samskab_message", "event_payload": {"key": envelope.key}}
        post = {"thread_ts": thread_ts, "metadata": metadata, "unfurl_links": False, **payload}
        try:
            response = await self.client.chat_postMessage(channel=channel, **post)
        except SlackApiError as error:
            if envelope.recipient is None or dm_channel is not None:
                raise
            if not isinstance(classify(error), PermanentFailure):
                raise
            # Posting by user id refused for good: conversations.open says why (a deactivated
            # account), or opens the DM where a user id is not accepted as a channel.
            dm_channel = await self._open_dm(envelope.recipient.user_id)
            response = await self.client.chat_postMessage(channel=dm_channel, **post)
        posted_in = str(response["channel"])
        if envelope.recipient is not None:
            dm_channel = posted_in  # the D… id, also when posted by user id
            self._remember(envelope.recipient.user_id, dm_channel)
        return Delivered(ref=f"{posted_in}:{response['ts']}", dm_channel=dm_channel)

    def _remember(self, user_id: str, dm_channel: str) -> None:
        if len(self._dms) > 100_000:
            self._dms.clear()
        self._dms[user_id] = dm_channel

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
        dm_channel = str(response["channel"]["id"])
        self._remember(user_id, dm_channel)
        return dm_channel

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
    """What a failed call means. Slack's own errors come as JSON; an outage at its edge may
    answer with an HTML or plain-text page (or a body that is not JSON at all), which is judged
    by its HTTP status alone: 5xx and 429 pass, anything else is recorded as it came."""
    response = error.response
    status = int(getattr(response, "status_code", None) or getattr(response, "status", 0) or 0)
    data = getattr(response, "data", None)
    body_error = data.get("error") if isinstance(data, dict) else None
    code = str(body_error or f"http_{status}")
    headers = getattr(response, "headers", None) or {}
    retry_after = _seconds(headers.get("Retry-After") or headers.get("retry-after"))
    if status == 429 or code == "ratelimited":
        return RetryLater(code, retry_after)
    if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable"):
        return RetryLater(code, retry_after)
    if code in PERMANENT:
        return PermanentFailure(code)
    return RetryLater(code)


def _seconds(value: object) -> float | None:
    """Retry-After in seconds; None when absent or given as an HTTP date (then our backoff)."""
    try:
        return max(0.0, float(str(value))) if value else None
    except ValueError:
        return None
