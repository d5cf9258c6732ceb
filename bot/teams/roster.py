"""A Teams channel's roster (its team's members, from `pagedmembers`) made the process's members:
after setup, regularly (the scheduler's roster job), and when a command comes from someone the
process does not know. A read that fails is logged and left to the next reconcile, so a missed
or failed sync heals itself."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from bot.teams.connector import BotConnector, ConnectorError
from bot.teams.references import lookup, remember_members
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.process.membership import sync_members
from storage.models import Process

log = logging.getLogger(__name__)

NAME_LENGTH = 200  # what the database keeps of a name (an Entra ID display name may be 256)
HEAL_SECONDS = 600.0  # a command from a stranger reads the roster again at most this often


@dataclass
class TeamsRosters:
    """When each channel's roster was last read because of a stranger's command."""

    healed_at: dict[tuple[str, str], float] = field(default_factory=dict)

    def may_heal(self, tenant: str, channel_id: str) -> bool:
        where, now = (tenant, channel_id), time.monotonic()
        if now - self.healed_at.get(where, -HEAL_SECONDS) < HEAL_SECONDS:
            return False
        self.healed_at[where] = now
        return True


def roster_people(tenant: str, members: list[dict[str, Any]]) -> tuple[list[PersonRef], set[str]]:
    """The people of a roster (not the bot, `28:…`), and the ids of those it gives no name:
    they are never enrolled under their id."""
    people, unnamed = [], set()
    for member in members:
        user_id = str(member.get("id") or "")
        if not user_id or user_id.startswith("28:"):
            continue
        name = str(member.get("name") or "")[:NAME_LENGTH]
        if name:
            people.append(PersonRef("teams", tenant, user_id, name))
        else:
            unnamed.add(user_id)
    return people, unnamed


async def reconcile_channel(
    connector: BotConnector, deps: Deps, tenant: str, service_url: str, channel_id: str
) -> int | None:
    """The channel's process's members made its team's members; None when Teams could not
    say who they are (after the connector's retries): the next reconcile tries again."""
    try:
        members = await connector.members(service_url, channel_id)
    except (ConnectorError, httpx.HTTPError) as error:
        status = error.status if isinstance(error, ConnectorError) else type(error).__name__
        log.warning("the roster of %s could not be read (%s); retried later", channel_id, status)
        return None
    await asyncio.to_thread(remember_members, deps.db, tenant, service_url, members, deps.clock())
    people, unnamed = roster_people(tenant, members)
    channel = ChannelRef("teams", tenant, channel_id)
    return await asyncio.to_thread(sync_members, deps, channel, people, keep=unnamed)


async def reconcile_all(connector: BotConnector, deps: Deps) -> int:
    """Every active Teams process's roster read again. Returns how many were read."""
    done = 0
    for tenant, channel_id in await asyncio.to_thread(_process_channels, deps):
        reference = await asyncio.to_thread(lookup, deps.db, "channel", tenant, channel_id)
        if reference is None:
            continue  # no activity from the channel yet: nowhere to ask
        read = await reconcile_channel(connector, deps, tenant, reference.service_url, channel_id)
        done += read is not None
    return done


def _process_channels(deps: Deps) -> list[tuple[str, str]]:
    with deps.db.transaction() as session:
        rows = session.execute(
            select(Process.workspace, Process.channel_id).where(
                Process.platform == "teams", Process.status == "active"
            )
        )
        return [(str(tenant), str(channel)) for tenant, channel in rows]
