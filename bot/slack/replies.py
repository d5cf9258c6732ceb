"""Showing a use case's Reply in Slack: a form as a modal, a message privately, a file in the
channel (or, a person's own, in their DM)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import PageUrl, render_message, render_view_message
from bot.slack.modals import render_modal
from bot.slack.services import modal_metadata
from handlers.i18n import Translator
from handlers.messages import Attachment, Form, Heading, Message, Reply


def modal_for(form: Form, channel_id: str | None) -> dict[str, Any]:
    return render_modal(
        form,
        private_metadata=modal_metadata(channel_id, form),
        close_label=Translator(form.language)._("Cancel"),
    )


def view_title(view: Any) -> str:
    """A submitted modal's title, as the notice that replaces it keeps it."""
    title = view.get("title") if isinstance(view, dict) else None
    text = title.get("text") if isinstance(title, dict) else None
    return text if isinstance(text, str) else "Samskab"


def notice_modal(title: str, message: Message) -> dict[str, Any]:
    """A modal that only says something: what a submitted form turns into when it is done, or a
    long read (up to a view's 100 blocks, where a message holds 50)."""
    close = Translator(message.language)._("Close")
    rendered = render_view_message(message)
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": close[:24]},
        "blocks": rendered["blocks"]
        or [{"type": "section", "text": {"type": "mrkdwn", "text": rendered["text"]}}],
    }


async def show_reply(
    reply: Reply,
    *,
    client: AsyncWebClient,
    user_id: str,
    channel_id: str | None,
    trigger_id: str | None = None,
    respond: AsyncRespond | None = None,
    page_url: PageUrl | None = None,
) -> None:
    """`page_url`: the person's links to status pages, for a message that has one."""
    if reply.form is not None and trigger_id:
        await client.views_open(trigger_id=trigger_id, view=modal_for(reply.form, channel_id))
    long_read = reply.message if reply.long_read and trigger_id else None
    if long_read is not None and await _open_long_read(client, str(trigger_id), long_read):
        reply = replace(reply, message=None)
    if reply.message is not None:
        await tell(
            reply.message,
            client=client,
            user_id=user_id,
            channel_id=channel_id,
            respond=respond,
            page_url=page_url,
        )
    if reply.attachment is not None:
        await share_file(reply.attachment, client=client, user_id=user_id, channel_id=channel_id)


async def _open_long_read(client: AsyncWebClient, trigger_id: str, message: Message) -> bool:
    """A long read in a modal of its own; False when Slack would not open it (the trigger
    expired: it lives 3 seconds), so the caller tells it as a message instead."""
    title = next((b.text for b in message.blocks if isinstance(b, Heading)), "Samskab")
    try:
        await client.views_open(trigger_id=trigger_id, view=notice_modal(title, message))
    except SlackApiError as error:
        if error.response.get("error") not in {"expired_trigger_id", "invalid_trigger_id"}:
            raise
        return False
    return True


async def share_file(
    attachment: Attachment, *, client: AsyncWebClient, user_id: str, channel_id: str | None
) -> None:
    """The record in the channel where it was asked for (else the DM); a person's own data
    (`private`) only ever in their DM with the app. Through files.getUploadURLExternal and
    files.completeUploadExternal, which `files_upload_v2` calls."""
    if attachment.private or not channel_id:
        channel_id = await _dm(client, user_id)
    await client.files_upload_v2(
        channel=channel_id,
        filename=attachment.filename,
        title=attachment.filename,
        content=attachment.content.encode("utf-8"),
    )


async def tell(
    message: Message,
    *,
    client: AsyncWebClient,
    user_id: str,
    channel_id: str | None,
    respond: AsyncRespond | None = None,
    page_url: PageUrl | None = None,
) -> None:
    """Privately: as an ephemeral answer where Slack gave us a response_url, else in the
    person's DM with the app (App Home and modals have no response_url)."""
    payload = render_message(message, page_url=page_url)
    if respond is not None:
        await respond(response_type="ephemeral", replace_original=False, **payload)
    else:
        await client.chat_postMessage(channel=await _dm(client, user_id), **payload)


async def _dm(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])
