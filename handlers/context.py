"""What every use case is handed: the database, the clock and the defaults; and who is acting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database
from storage.models.kinds import Platform


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    db: Database
    language: str = "da"
    timezone: str = "Europe/Copenhagen"
    clock: Callable[[], datetime] = utcnow
    # Days after a process is closed until its personal data is erased (SAMSKAB_RETENTION_DAYS).
    retention_days: int = 365
    # The key that seals the bøvl round's ballots, asked for only when a ballot or the opening of
    # voting needs it (bot.ballot_key makes it on demand); None, or no key: voting cannot open.
    ballot_key: Callable[[], bytes | None] | None = None


@dataclass(frozen=True)
class PersonRef:
    """A person as a platform names them. `locale`: "da" when the platform says the person
    uses Danish, "" when it says something else, None when it does not say."""

    platform: Platform
    workspace: str
    user_id: str
    name: str = ""
    locale: str | None = None


@dataclass(frozen=True)
class ChannelRef:
    """Where a command was typed. `roster` is the channel's members, when the adapter knows them.
    `direct`: the person's own chat with the bot (Slack's DM with the app, Teams' 1:1 chat), which
    is never a process's channel: handlers.people.resolve_channel says which process it means."""

    platform: Platform
    workspace: str
    channel_id: str
    name: str = ""
    roster: tuple[PersonRef, ...] | None = None
    direct: bool = False
