"""What arrives from Teams, turned into use-case calls: commands after an @mention or in a 1:1
chat, card submissions, and members joining or leaving.

Every activity here was verified and has the shape `inbound.Activity` describes. Where something
happens is read from the activity (its conversation and channelData, which Teams writes), never
from a card's data, which the client sends back and anyone can alter.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

import httpx

from bot.background import follow
from bot.downloads import DownloadLinks
from bot.inbox import Inbox
from bot.strangers import is_stranger
from bot.teams.auth import tenant_of
from bot.teams.cards import (
    activity_for,
    card_activity,
    form_parts,
    read_card_values,
    render_form_card,
)
from bot.teams.connector import BotConnector, ConnectorError
from bot.teams.files import offer_file
from bot.teams.long_reads import activities_for_long_read
from bot.teams.references import channel_id_of, channels_of_team
from bot.teams.roster import TeamsRosters, reconcile_channel
from handlers.commands import BY_WORD, handle_command
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import language_signal
from handlers.interactions import press_button, submit_form
from handlers.messages import FollowUp, Form, Message, Reply
from handlers.process.membership import member_joined, member_left
from handlers.process.setup import SETUP
from handlers.process.setup_form import lists_the_channel
from storage.processed_events import forget
from storage.request_in_hand import bookkeeping

log = logging.getLogger(__name__)

TEAMS: Final = "teams"
MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)
NAME_LENGTH = 200  # what the database keeps of a name (an Entra ID display name may be 256)


@dataclass
class TeamsServices:
    deps: Deps
    connector: BotConnector
    app_id: str
    inbox: Inbox  # answered activities, kept until their work is done
    nudge: Any = lambda: None
    background: set[Any] = field(default_factory=set)
    downloads: DownloadLinks | None = None  # signed links to files (set where routes are mounted)
    rosters: TeamsRosters = field(default_factory=TeamsRosters)  # stranger-caused reads


def person_of(activity: dict[str, Any], member: dict[str, Any] | None = None) -> PersonRef:
    who = member or activity.get("from") or {}
    # A roster entry says nothing about its person's language; an activity's locale does.
    language = language_signal(activity.get("locale")) if member is None else None
    name = str(who.get("name") or "")[:NAME_LENGTH]
    return PersonRef(TEAMS, tenant_of(activity), str(who.get("id", "")), name, language)


def once_key(kind: str, activity: dict[str, Any], item: str) -> str:
    """A key for storage.processed_events. Teams' ids are unique within a conversation only, so the key
    names the conversation too: hashed, as a 1:1 chat's id runs to some hundred characters."""
    conversation = str(activity["conversation"]["id"]).encode()
    return f"teams:{kind}:{hashlib.sha256(conversation).hexdigest()[:16]}:{item}"


def submit_key(activity: dict[str, Any]) -> str | None:
    """The once-key of a form submitted from a card (None for anything else): the same card
    submitted twice, or the Bot Framework's retry of it, acts once. It is recorded as the
    activity is kept (bot.teams.app), so a run taken over after a crash still acts."""
    value = activity.get("value")
    card_id = str(activity.get("replyToId") or "")
    if activity.get("type") != "message" or not card_id:
        return None
    if not (isinstance(value, dict) and value.get("callback_id")):
        return None
    # A form's next step replaces its card under the same id and callback (the look-alikes of
    # a new bøvl); its metadata tells it from a second submit of the step before.
    metadata = json.dumps(value.get("metadata") or {}, sort_keys=True).encode()
    step = hashlib.sha256(metadata).hexdigest()[:16]
    return once_key("submit", activity, f"{card_id}:{value['callback_id']}:{step}")


def command_text(activity: dict[str, Any]) -> str:
    """The words after the @mention, without Teams' markup."""
    text = MENTION.sub(" ", str(activity.get("text") or ""))
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def where(activity: dict[str, Any]) -> ChannelRef:
    """Where a command was typed or a card pressed: the channel, or the person's 1:1 chat with
    the bot (which process that means is handlers.people.resolve_channel's rule)."""
    conversation = activity.get("conversation") or {}
    if conversation.get("conversationType") == "channel":
        return ChannelRef(TEAMS, tenant_of(activity), channel_id_of(activity))
    direct = conversation.get("conversationType") == "personal"
    return ChannelRef(TEAMS, tenant_of(activity), str(conversation.get("id", "")), direct=direct)


async def on_message(services: TeamsServices, activity: dict[str, Any]) -> None:
    actor = person_of(activity)
    value = activity.get("value")
    if isinstance(value, dict) and value.get("callback_id"):
        await on_card_submit(services, activity, actor, value)
        return
    if isinstance(value, dict) and value.get("action_id"):
        reply = await asyncio.to_thread(
            press_button, services.deps, actor, str(value["action_id"]), str(value.get("value", ""))
        )
        await show(services, activity, reply)
        return
    channel, text = where(activity), command_text(activity)
    if await asyncio.to_thread(is_stranger, services.deps, actor, channel) and (
        services.rosters.may_heal(channel.workspace, channel.channel_id)
    ):
        # Someone the process does not know: their join may have been missed.
        service_url = str(activity.get("serviceUrl", ""))
        heal = reconcile_channel(
            services.connector, services.deps, channel.workspace, service_url, channel.channel_id
        )
        follow(services.background, heal)
    if _opens_setup(text) and await asyncio.to_thread(lists_the_channel, services.deps, channel):
        # The first setup form lists the team's people to choose other facilitators from: a
        # card has no people picker of its own (Slack's modal has), and no one is known yet.
        channel = replace(channel, roster=tuple(await _channel_people(services, activity)))
    reply = await asyncio.to_thread(handle_command, services.deps, actor, channel, text)
    await show(services, activity, reply)


def _opens_setup(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and BY_WORD.get(words[0].casefold()) is SETUP


async def _channel_people(services: TeamsServices, activity: dict[str, Any]) -> list[PersonRef]:
    """The people of the channel's team, or none when Teams cannot say now (the form is shown
    all the same; the people can be chosen when the setup is opened again)."""
    try:
        members = await services.connector.members(
            str(activity.get("serviceUrl", "")), channel_id_of(activity)
        )
    except (ConnectorError, httpx.HTTPError) as error:
        log.warning("could not read the channel's people for the setup form: %r", error)
        return []
    return [person_of(activity, m) for m in members if not str(m.get("id", "")).startswith("28:")]


async def show(services: TeamsServices, activity: dict[str, Any], reply: Reply) -> None:
    """Answers in the conversation the person wrote in (a reply in a channel's thread)."""
    if reply.message is not None and reply.long_read:
        for long_part in activities_for_long_read(reply.message):
            await reply_to(services, activity, long_part)
    elif reply.message is not None:
        await reply_to(services, activity, activity_for(reply.message))
    if reply.form is not None:
        for form_part in form_parts(reply.form):
            await reply_to(services, activity, form_activity(form_part))
    if reply.attachment is not None:
        # A card with a signed download link: in the thread, or the 1:1 chat for private files.
        language = reply.message.language if reply.message else services.deps.language
        await offer_file(services, activity, reply.attachment, language)
    services.nudge()


def form_activity(form: Form) -> dict[str, Any]:
    """The form as a card. Its data names no channel: a submission happens where it is pressed.
    (Cards sent before carry the channel as "c", and the kinds again as "kinds": both unread.)"""
    card = render_form_card(form, metadata=form.metadata, submit_data={})
    return card_activity(card, summary=form.title)


async def on_card_submit(
    services: TeamsServices, activity: dict[str, Any], actor: PersonRef, value: dict[str, Any]
) -> None:
    deps = services.deps
    callback_id = str(value["callback_id"])
    card_id = str(activity.get("replyToId") or "")
    key = submit_key(activity)  # a second submit of this card was dropped as it was kept
    # The ids in the metadata are the use case's to check: it refuses a process, summary or
    # request the person has no part in.
    metadata = dict(value.get("metadata") or {})
    channel = where(activity)
    outcome = await asyncio.to_thread(
        submit_form, deps, actor, channel, callback_id, metadata, read_card_values(value)
    )
    conversation = str((activity.get("conversation") or {}).get("id", ""))
    service_url = str(activity.get("serviceUrl", ""))
    if not outcome.ok:
        if key is not None:
            await asyncio.to_thread(forget, deps.db, key)  # corrected, it may come again
        text = "\n".join(outcome.errors.values())
        await reply_to(services, activity, activity_for(Message(text)))
        return
    reply = outcome.reply
    replacement = (
        form_activity(reply.form)
        if reply.form is not None
        else activity_for(reply.message)
        if reply.message is not None
        else None
    )
    if replacement is not None and card_id:
        # The card turns into what was done, as a modal does in Slack.
        await services.connector.update(service_url, conversation, card_id, replacement)
    # Only what was done has follow-ups: a refused setup reads no roster. (REFRESH_HOME asks
    # nothing of Teams, which has no home tab.)
    if FollowUp.ENROL_CHANNEL in outcome.follow_ups and outcome.channel is not None:
        follow(services.background, enrol_team(services, activity, outcome.channel))
    services.nudge()


async def enrol_team(
    services: TeamsServices, activity: dict[str, Any], channel: ChannelRef
) -> None:
    """After setup: the channel's people (its team's roster) become members (bot.teams.roster;
    if Teams cannot say who they are, the scheduler's roster job tries again)."""
    service_url = str(activity.get("serviceUrl", ""))
    await reconcile_channel(
        services.connector, services.deps, channel.workspace, service_url, channel.channel_id
    )


async def on_conversation_update(services: TeamsServices, activity: dict[str, Any]) -> None:
    """People joining or leaving a team join or leave each process channel of that team.
    Each join and leave is a transaction of its own, and done again changes nothing: the whole
    activity is bookkeeping, its inbox row deleted once all are done (storage.request_in_hand)."""
    if (activity.get("conversation") or {}).get("conversationType") != "channel":
        return
    with bookkeeping():
        await _join_and_leave(services, activity)


async def _join_and_leave(services: TeamsServices, activity: dict[str, Any]) -> None:
    tenant = tenant_of(activity)
    team = ((activity.get("channelData") or {}).get("team") or {}).get("id")
    channels = await asyncio.to_thread(channels_of_team, services.deps.db, tenant, str(team))
    if not channels:
        channels = [channel_id_of(activity)]
    for channel_id in channels:
        channel = ChannelRef(TEAMS, tenant, channel_id)
        for member in activity.get("membersAdded") or []:
            if str(member.get("id", "")).startswith("28:"):
                continue  # the bot itself was added
            person = person_of(activity, member)
            if await asyncio.to_thread(member_joined, services.deps, channel, person):
                services.nudge()
        for member in activity.get("membersRemoved") or []:
            await asyncio.to_thread(
                member_left, services.deps, channel, person_of(activity, member)
            )


async def reply_to(
    services: TeamsServices, activity: dict[str, Any], answer: dict[str, Any]
) -> None:
    conversation = str((activity.get("conversation") or {}).get("id", ""))
    await services.connector.reply(
        str(activity.get("serviceUrl", "")), conversation, str(activity.get("id", "")), answer
    )
