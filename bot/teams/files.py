"""Files in Teams. A bot cannot put a file in a channel, so a file is offered as an Adaptive Card
with a signed download link to our own server (bot.downloads): in the thread it was asked for in,
or, for a person's own data (`Attachment.private`), in their 1:1 chat with the bot, never in the
channel."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.teams.auth import tenant_of
from bot.teams.card_blocks import adaptive_card, card_activity, markdown_safe, text_block
from bot.teams.references import lookup, remember_personal_chat
from handlers.i18n import Translator
from handlers.messages import Attachment

if TYPE_CHECKING:
    from bot.teams.activities import TeamsServices


def download_card(attachment: Attachment, url: str, language: str) -> dict[str, Any]:
    tr = Translator(language)
    body = [
        text_block(markdown_safe(attachment.filename), weight="Bolder"),
        text_block(
            markdown_safe(
                tr._(
                    "The link works for 24 hours, for whoever has it: pass on the file, not the link."
                )
            ),
            isSubtle=True,
            size="Small",
        ),
    ]
    action = {"type": "Action.OpenUrl", "title": tr._("Download the file"), "url": url}
    return adaptive_card(body, [action])


async def offer_file(
    services: TeamsServices, activity: dict[str, Any], attachment: Attachment, language: str
) -> None:
    if services.downloads is None:
        raise RuntimeError("Teams download links are not set up")
    url = services.downloads.url(attachment.ref, language)
    card = card_activity(download_card(attachment, url, language), summary=attachment.filename)
    conversation = activity.get("conversation") or {}
    service_url = str(activity.get("serviceUrl", ""))
    if attachment.private and conversation.get("conversationType") != "personal":
        await _send_to_personal_chat(services, activity, card)
        return
    await services.connector.reply(
        service_url, str(conversation.get("id", "")), str(activity.get("id", "")), card
    )


async def _send_to_personal_chat(
    services: TeamsServices, activity: dict[str, Any], card: dict[str, Any]
) -> None:
    """The person's 1:1 chat, from their stored reference; created if they never had one."""
    db, tenant = services.deps.db, tenant_of(activity)
    user = str((activity.get("from") or {}).get("id", ""))
    reference = await asyncio.to_thread(lookup, db, "user", tenant, user)
    service_url = reference.service_url if reference else str(activity.get("serviceUrl", ""))
    chat = reference.conversation_id if reference else None
    if chat is None:
        chat = await services.connector.create_conversation(service_url, tenant, user)
        await asyncio.to_thread(
            remember_personal_chat, db, tenant, user, chat, services.deps.clock()
        )
    await services.connector.send(service_url, chat, card)
