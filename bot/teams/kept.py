"""What the inbox's workers do with a Teams activity they are handed (bot.inbox): remember where
it came from, then its listener. A failure is logged once and the person who wrote is told, as
after any answer; the work never raises."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.downloads import pointing_at
from bot.inbox import Work
from bot.teams.activities import (
    TeamsServices,
    on_conversation_update,
    on_message,
    reply_to,
)
from bot.teams.cards import activity_for
from bot.teams.references import remember
from handlers.errors import APOLOGY
from handlers.i18n import Translator, normalise_language
from handlers.messages import Message
from storage.models.inbox import InboxKind
from storage.request_in_hand import AlreadyDone

log = logging.getLogger(__name__)

LISTENED = ("message", "conversationUpdate", "invoke")  # the activity types we act on


def kind_of(activity: dict[str, Any]) -> InboxKind:
    """The inbox's name for an activity, for the table and its log lines (the work reads the
    activity itself): a card's form is a submission, a card's button or an invoke an action,
    a message a command, anything else an event."""
    kind = activity["type"]
    value = activity.get("value")
    if kind == "message" and isinstance(value, dict):
        return "submission" if value.get("callback_id") else "action"
    if kind == "message":
        return "command"
    return "action" if kind == "invoke" else "event"


def kept_work(services: TeamsServices) -> Work:
    """The work of a kept activity: `{"activity": …, "base_url": …}` (bot.teams.app)."""

    async def work(kind: InboxKind, kept: dict[str, Any]) -> None:
        with pointing_at(str(kept.get("base_url") or "")):
            await handle(services, kept["activity"])

    return work


async def handle(services: TeamsServices, activity: dict[str, Any]) -> None:
    """The work after the answer. It raises only AlreadyDone: any other error is reported."""
    try:
        await dispatch(services, activity)
    except AlreadyDone:  # applied before: nothing to say to anyone; the inbox logs it
        raise
    except Exception as error:
        await report(services, activity, error)


async def report(services: TeamsServices, activity: dict[str, Any], error: Exception) -> None:
    """The adapter's one error handler: the error is logged once, and the person who wrote is
    told, as in Slack."""
    kind = activity["type"]
    named = kind if kind in LISTENED else "other"  # a type is text from the body
    log.error("error handling a Teams %s activity", named, exc_info=error)
    if kind == "message":  # someone is waiting for an answer
        await apologise(services, activity)


async def dispatch(services: TeamsServices, activity: dict[str, Any]) -> None:
    """A verified, new activity of the shape `inbound.Activity`: to its listener."""
    deps = services.deps
    try:
        await asyncio.to_thread(remember, deps.db, activity, deps.clock())
    except IntegrityError:  # another activity stored the same reference just now: ours updates it
        await asyncio.to_thread(remember, deps.db, activity, deps.clock())
    kind = activity["type"]
    if kind == "message":
        await on_message(services, activity)
    elif kind == "conversationUpdate":
        await on_conversation_update(services, activity)


async def apologise(services: TeamsServices, activity: dict[str, Any]) -> None:
    """Tells the person who wrote that it failed on our side, in their client's language."""
    locale = activity.get("locale")
    tr = Translator(normalise_language(locale, services.deps.language))
    try:
        await reply_to(
            services, activity, activity_for(Message(tr._(APOLOGY), language=tr.language))
        )
    except Exception as error:  # telling failed too: the error above has the detail
        log.warning("could not apologise in Teams: %r", error)
