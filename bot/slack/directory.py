"""Who is who in a Slack workspace: names and languages from `users.info`, channel rosters from
`conversations.members`. Cached, because every command needs the actor's name and language."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Final

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.context import PersonRef
from handlers.i18n import language_signal

log = logging.getLogger(__name__)

SLACK: Final = "slack"
CACHE_SECONDS = 3600.0


@dataclass(frozen=True)
class SlackUser:
    person: PersonRef
    is_bot: bool
    deleted: bool


class SlackDirectory:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._users: dict[tuple[str, str], tuple[float, SlackUser]] = {}

    async def user(self, team_id: str, user_id: str, fallback_name: str = "") -> SlackUser:
        cached = self._users.get((team_id, user_id))
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            # Without users.info we still know the id; the name and language wait for next time.
            log.warning("users.info %s failed: %s", user_id, _reason(error))
            return SlackUser(
                PersonRef(SLACK, team_id, user_id, fallback_name or user_id), False, False
            )
        data = response["user"]
        profile = data.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or data.get("real_name")
            or data.get("name")
            or fallback_name
            or user_id
        )
        user = SlackUser(
            PersonRef(SLACK, team_id, user_id, name, language_signal(data.get("locale"))),
            is_bot=bool(data.get("is_bot")) or user_id == "USLACKBOT",
            deleted=bool(data.get("deleted")),
        )
        self._users[(team_id, user_id)] = (time.monotonic(), user)
        return user

    def known(self, team_id: str, user_id: str) -> PersonRef | None:
        """The person as last read, without asking Slack (for the error handler)."""
        cached = self._users.get((team_id, user_id))
        return cached[1].person if cached is not None else None

    async def person(self, team_id: str, user_id: str, fallback_name: str = "") -> PersonRef:
        return (await self.user(team_id, user_id, fallback_name)).person

    async def roster(self, team_id: str, channel_id: str) -> list[PersonRef]:
        """Every person (not bots, not deactivated) in the channel, following the cursor."""
        ids: list[str] = []
        cursor = None
        while True:
            response = await self.client.conversations_members(
                channel=channel_id, limit=200, cursor=cursor
            )
            ids += response.get("members", [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        people = []
        for user_id in ids:
            user = await self.user(team_id, user_id)
            if not user.is_bot and not user.deleted:
                people.append(user.person)
        return people


def _reason(error: Exception) -> str:
    """Slack's error code, or the kind of failure: never a response body."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
