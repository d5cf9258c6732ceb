"""What Microsoft Teams POSTs to a bot: builders for messages, card submits and conversation events.

Shapes follow Microsoft's Teams platform docs ("Messages in bot conversations", "Conversation
events", "Card actions", "Get Teams specific context"): ``channelId`` "msteams", ``from`` a
``29:`` user with ``aadObjectId``, ``recipient`` the bot as ``28:<app id>``, a ``clientInfo``
entity carrying the locale, and ``channelData`` with the tenant (plus team and channel in a team).
A channel message's ``conversation.id`` is the channel id with ``;messageid=<thread root>``
appended, as Teams sends it; ``channelData.channel.id`` is the bare channel id.

``service_url`` and ``bot_app_id`` have no defaults on purpose: pass the fake's
``service_url`` so a test can never send the bot off to the real smba.trafficmanager.net.
Sign what a builder returns with ``FakeBotFramework.sign_activity`` before POSTing it.
"""

from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]

BOT_NAME = "Samskab"
TENANT_ID = "6f1c2a7e-0d3b-4c55-9e8a-2b7d4f1e9a10"
TEAM_ID = "19:Qx3n8kL2samskabTeamRoot0aZ5@thread.tacv2"  # a team's id is its General channel's
CHANNEL_ID = "19:5b0a9e1c2d3f4a6b8c7d9e0f1a2b3c4d@thread.tacv2"
TEAM_NAME = "Samskab test team"
TIMEZONE = "Europe/Copenhagen"

# Teams message ids are millisecond timestamps ("1485983408511"); a counter keeps them unique.
_message_ids = itertools.count(int(time.time() * 1000))


def new_message_id() -> str:
    return str(next(_message_ids))


def _event_id() -> str:
    # Conversation and installation events carry "f:<guid>" ids in Microsoft's samples.
    return f"f:{uuid.uuid4()}"


@dataclass(frozen=True)
class TeamsUser:
    """A person in Teams. ``id`` is the bot-specific ``29:…`` id; ``aad_object_id`` is stable."""

    id: str
    name: str
    aad_object_id: str
    locale: str = "da-DK"
    email: str = ""

    @classmethod
    def make(cls, name: str, *, locale: str = "da-DK") -> TeamsUser:
        """A user with ids derived from ``name``, so the same name always gives the same ids."""
        digest = hashlib.sha256(name.encode()).hexdigest()
        email = f"{name.split()[0].lower()}@samskab.test"
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"aad:{name}"))
        return cls(f"29:1{digest[:40]}", name, aad, locale, email)

    def account(self) -> Json:
        """The ChannelAccount Teams puts in ``from``."""
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}

    def member(self, tenant_id: str = TENANT_ID) -> Json:
        """The TeamsChannelAccount that ``pagedmembers`` returns for this user.

        Microsoft's sample response names the AAD id ``objectId``; botbuilder-python reads
        ``aadObjectId`` and botbuilder-dotnet reads both, so the fake sends both.
        """
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "objectId": self.aad_object_id,
            "givenName": given,
            "surname": surname,
            "email": self.email,
            "userPrincipalName": self.email,
            "tenantId": tenant_id,
            "userRole": "user",
        }


def _base(
    kind: str,
    *,
    activity_id: str,
    user: TeamsUser,
    conversation: Json,
    channel_data: Json,
    service_url: str,
    bot_app_id: str,
    locale: str | None,
) -> Json:
    now = datetime.now(UTC)
    locale = locale or user.locale
    client_info = {"type": "clientInfo", "locale": locale, "country": locale[-2:]}
    client_info |= {"platform": "Web", "timezone": TIMEZONE}
    return {
        "type": kind,
        "id": activity_id,
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": now.astimezone(ZoneInfo(TIMEZONE)).isoformat(timespec="milliseconds"),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": user.account(),
        "conversation": conversation,
        "recipient": {"id": f"28:{bot_app_id}", "name": BOT_NAME},
        "entities": [client_info],
        "channelData": channel_data,
        "locale": locale,
        "localTimezone": TIMEZONE,
    }


def _channel_data(channel_id: str, team_id: str, tenant: str) -> Json:
    return {
        "teamsChannelId": channel_id,
        "teamsTeamId": team_id,
        "channel": {"id": channel_id},
        "team": {"id": team_id},
        "tenant": {"id": tenant},
    }


def _personal(conversation_id: str, tenant: str) -> Json:
    return {"conversationType": "personal", "tenantId": tenant, "id": conversation_id}


def _in_channel(conversation_id: str, tenant: str) -> Json:
    return {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": tenant,
        "id": conversation_id,
    }


def _message(text: str, activity: Json) -> Json:
    # Teams sends the plain text and, for text typed in the compose box, an HTML copy as an
    # attachment; a bot must not mistake that attachment for a file.
    html = {"contentType": "text/html", "content": f"<div><div>{text}</div></div>"}
    return activity | {"textFormat": "plain", "text": text, "attachments": [html]}


def channel_message(
    text: str,
    *,
    user: TeamsUser,
    channel_conversation_id: str = CHANNEL_ID,
    team_id: str = TEAM_ID,
    tenant: str = TENANT_ID,
    service_url: str,
    bot_app_id: str,
    locale: str | None = None,
    mention: bool = True,
    thread_id: str | None = None,
) -> Json:
    """A message posted in a team channel. Teams delivers channel messages only when the bot is
    @mentioned (unless the app holds the RSC permission to read them all), so ``mention`` adds ``<at>Samskab</at> `` and its mention entity. A new post is
    its own thread root; pass ``thread_id`` for a reply inside an existing thread."""
    activity_id = new_message_id()
    conversation = _in_channel(
        f"{channel_conversation_id};messageid={thread_id or activity_id}", tenant
    )
    activity = _base(
        "message",
        activity_id=activity_id,
        user=user,
        conversation=conversation,
        channel_data=_channel_data(channel_conversation_id, team_id, tenant),
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=locale,
    )
    if mention:
        tag = f"<at>{BOT_NAME}</at>"
        text = f"{tag} {text}"
        mentioned = {"id": f"28:{bot_app_id}", "name": BOT_NAME}
        activity["entities"].append({"type": "mention", "text": tag, "mentioned": mentioned})
    return _message(text, activity)


def personal_message(
    text: str,
    *,
    user: TeamsUser,
    conversation_id: str,
    tenant: str = TENANT_ID,
    service_url: str,
    bot_app_id: str,
    locale: str | None = None,
) -> Json:
    """A message in the 1:1 chat between ``user`` and the bot (``conversation_id`` is ``a:…``)."""
    activity = _base(
        "message",
        activity_id=new_message_id(),
        user=user,
        conversation=_personal(conversation_id, tenant),
        channel_data={"tenant": {"id": tenant}},
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=locale,
    )
    return _message(text, activity)


def card_submit(
    value: Json,
    *,
    user: TeamsUser,
    conversation_id: str,
    reply_to_id: str,
    tenant: str = TENANT_ID,
    team_id: str = TEAM_ID,
    service_url: str,
    bot_app_id: str,
    locale: str | None = None,
) -> Json:
    """An Adaptive Card ``Action.Submit``: a message with no text whose ``value`` holds the
    action's ``data`` merged with the inputs (by input id), and whose ``replyToId`` is the id of
    the bot's message that carried the card. A ``19:`` conversation id means a channel card."""
    if conversation_id.startswith("19:"):
        channel = conversation_id.split(";")[0]
        conversation, channel_data = (
            _in_channel(conversation_id, tenant),
            _channel_data(channel, team_id, tenant),
        )
    else:
        conversation, channel_data = _personal(conversation_id, tenant), {"tenant": {"id": tenant}}
    activity = _base(
        "message",
        activity_id=new_message_id(),
        user=user,
        conversation=conversation,
        channel_data=channel_data,
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=locale,
    )
    return activity | {"value": value, "replyToId": reply_to_id}


def conversation_update_members_added(
    members: Sequence[TeamsUser],
    *,
    by: TeamsUser,
    bot_added: bool = False,
    channel_conversation_id: str = CHANNEL_ID,
    team_id: str = TEAM_ID,
    tenant: str = TENANT_ID,
    service_url: str,
    bot_app_id: str,
) -> Json:
    """``conversationUpdate`` / ``teamMemberAdded``. When the bot itself is added
    (``bot_added``), ``membersAdded`` holds ``28:<app id>``, the conversation is the channel the
    installer picked (also in ``channelData.settings.selectedChannel``); for people joining a
    team the conversation id is the team id."""
    added = [{"id": f"28:{bot_app_id}"}] if bot_added else []
    added += [{"id": m.id, "aadObjectId": m.aad_object_id} for m in members]
    team = {"aadGroupId": str(uuid.uuid5(uuid.NAMESPACE_URL, team_id)), "name": TEAM_NAME}
    channel_data: Json = {"team": team | {"id": team_id}, "eventType": "teamMemberAdded"}
    channel_data["tenant"] = {"id": tenant}
    if bot_added:
        channel_data["settings"] = {"selectedChannel": {"id": channel_conversation_id}}
    conversation_id = channel_conversation_id if bot_added else team_id
    activity = _base(
        "conversationUpdate",
        activity_id=_event_id(),
        user=by,
        conversation=_in_channel(conversation_id, tenant),
        channel_data=channel_data,
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=None,
    )
    return activity | {"membersAdded": added}


def members_removed(
    members: Sequence[TeamsUser],
    *,
    by: TeamsUser,
    bot_removed: bool = False,
    team_id: str = TEAM_ID,
    tenant: str = TENANT_ID,
    service_url: str,
    bot_app_id: str,
) -> Json:
    """``conversationUpdate`` / ``teamMemberRemoved``: people (or, with ``bot_removed``, the
    bot) left the team. Also sent when a user is deleted from the tenant."""
    removed = [{"id": f"28:{bot_app_id}"}] if bot_removed else []
    removed += [{"id": m.id, "aadObjectId": m.aad_object_id} for m in members]
    channel_data = {"team": {"id": team_id}, "eventType": "teamMemberRemoved"}
    activity = _base(
        "conversationUpdate",
        activity_id=_event_id(),
        user=by,
        conversation=_in_channel(team_id, tenant),
        channel_data=channel_data | {"tenant": {"id": tenant}},
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=None,
    )
    return activity | {"membersRemoved": removed}


def installation_update(
    action: str = "add",
    *,
    user: TeamsUser,
    conversation_id: str,
    tenant: str = TENANT_ID,
    team_id: str | None = None,
    service_url: str,
    bot_app_id: str,
) -> Json:
    """``installationUpdate``: the app was installed (``add``) or uninstalled (``remove``;
    ``add-upgrade`` / ``remove-upgrade`` on upgrades). With ``team_id`` it is a team install
    into channel ``conversation_id``; without, a personal install in the 1:1 chat."""
    channel_data: Json
    if team_id is None:
        conversation, channel_data = _personal(conversation_id, tenant), {"tenant": {"id": tenant}}
    else:
        conversation = _in_channel(conversation_id, tenant)
        channel_data = {"settings": {"selectedChannel": {"id": conversation_id}}}
        channel_data |= {"channel": {"id": conversation_id}, "team": {"id": team_id}}
        channel_data |= {"tenant": {"id": tenant}, "source": {"name": "message"}}
    activity = _base(
        "installationUpdate",
        activity_id=_event_id(),
        user=user,
        conversation=conversation,
        channel_data=channel_data,
        service_url=service_url,
        bot_app_id=bot_app_id,
        locale=None,
    )
    return activity | {"action": action}
