"""Who is who in a Slack workspace: names and languages from `users.list` (pages of 200, read
once and cached per workspace), `users.info` only for someone the list did not have (a newcomer),
and the bot's own user id from `auth.test`. Every command needs the actor's name and language.

A name Slack could not tell us stays empty, never the bare user id: a person is enrolled once
their name is known (bot.slack.roster), and an empty name never overwrites a known one."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.patience import Patience, slack_error
from handlers.context import PersonRef
from handlers.i18n import language_signal

log = logging.getLogger(__name__)

SLACK: Final = "slack"
CACHE_SECONDS = 3600.0  # after this, the workspace's list is read again
LIST_PAGE = 200  # what Slack recommends for users.list
FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True)
class SlackUser:
    person: PersonRef  # its name is "" when Slack could not be asked
    is_bot: bool
    deleted: bool

    @property
    def named(self) -> bool:
        return bool(self.person.name)


@dataclass
class _Workspace:
    listed_at: float | None = None  # when users.list was last read to its end
    users: dict[str, tuple[float, SlackUser]] = field(default_factory=dict)


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, patience: Patience | None = None) -> None:
        self.client = client
        self.patience = patience or Patience()
        self._teams: dict[str, _Workspace] = {}
        self._bot_user_id: str | None = None

    async def user(
        self, team_id: str, user_id: str, fallback_name: str = "", *, patient: bool = False
    ) -> SlackUser:
        """The person as cached, else from `users.info`. A request Slack waits on asks once
        (`patient=False`); work done after answering waits out rate limits."""
        cached = self._workspace(team_id).users.get(user_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            if patient:
                response = await self.patience.call(
                    "users.info", lambda: self.client.users_info(user=user_id, include_locale=True)
                )
            else:
                response = await self.client.users_info(user=user_id, include_locale=True)
        except FAILURES as error:
            # The name and language wait for next time; the payload's handle (if any) is a name,
            # the bare id is not.
            log.warning("users.info %s failed: %s", user_id, slack_error(error))
            known = cached[1] if cached is not None else None
            if known is not None:
                return known
            person = PersonRef(SLACK, team_id, user_id, fallback_name)
            return SlackUser(person, user_id == self._bot_user_id, False)
        return self._remember(team_id, response["user"])

    def known(self, team_id: str, user_id: str) -> PersonRef | None:
        """The person as last read, without asking Slack (for the error handler)."""
        cached = self._workspace(team_id).users.get(user_id)
        return cached[1].person if cached is not None else None

    async def person(self, team_id: str, user_id: str, fallback_name: str = "") -> PersonRef:
        return (await self.user(team_id, user_id, fallback_name)).person

    async def bot_user_id(self) -> str | None:
        """The app's own user id (auth.test), learnt once: it is in every channel it serves
        and must never become a person."""
        if self._bot_user_id is None:
            try:
                answer = await self.patience.call("auth.test", self.client.auth_test)
            except FAILURES as error:
                log.warning("auth.test failed: %s", slack_error(error))
                return None
            self._bot_user_id = str(answer.get("user_id") or "") or None
        return self._bot_user_id

    async def users(self, team_id: str, user_ids: list[str]) -> dict[str, SlackUser]:
        """The given people, as many as Slack could tell: from the workspace's list (read again
        when it has aged), then `users.info` for those the list did not have."""
        workspace = self._workspace(team_id)
        now = time.monotonic()
        if workspace.listed_at is None or now - workspace.listed_at >= CACHE_SECONDS:
            await self._read_list(team_id)
        found: dict[str, SlackUser] = {}
        for user_id in user_ids:
            cached = workspace.users.get(user_id)
            if cached is not None and now - cached[0] < CACHE_SECONDS:
                found[user_id] = cached[1]
                continue
            user = await self.user(team_id, user_id, patient=True)  # a newcomer
            if user.named:
                found[user_id] = user
        return found

    async def _read_list(self, team_id: str) -> None:
        """users.list to its end; on failure what was read is kept and the rest is left to
        users.info (the list is read again next time)."""
        started, cursor = time.monotonic(), None
        while True:
            try:
                response = await self.patience.call(
                    "users.list",
                    partial(
                        self.client.users_list, limit=LIST_PAGE, cursor=cursor, include_locale=True
                    ),
                )
            except FAILURES as error:
                log.warning("users.list failed: %s", slack_error(error))
                return
            for data in response.get("members") or []:
                if isinstance(data, dict) and data.get("id"):
                    self._remember(team_id, data)
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                self._workspace(team_id).listed_at = started
                return

    def _remember(self, team_id: str, data: dict[str, Any]) -> SlackUser:
        user_id = str(data["id"])
        profile = data.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or data.get("real_name")
            or data.get("name")
            or ""
        )
        is_bot = bool(data.get("is_bot")) or user_id in ("USLACKBOT", self._bot_user_id)
        user = SlackUser(
            PersonRef(SLACK, team_id, user_id, str(name), language_signal(data.get("locale"))),
            is_bot=is_bot,
            deleted=bool(data.get("deleted")),
        )
        self._workspace(team_id).users[user_id] = (time.monotonic(), user)
        return user

    def _workspace(self, team_id: str) -> _Workspace:
        return self._teams.setdefault(team_id, _Workspace())
