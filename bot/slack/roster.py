"""A channel's roster: its members' ids from `conversations.members` (pages of up to 1000), their
names from the directory. The process's members are made the channel's people in one step once
the whole roster is read, so a form never offers the part read so far; while it is read, a form
that offers people says so instead (`roster_notice`).

Someone whose name Slack could not tell us yet is not enrolled (their membership, if they have
one, is left as it is): the next reconcile, regular or caused by a command from someone the
process does not know, enrols them by name."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import select

from bot.slack.directory import FAILURES, SLACK, SlackDirectory
from bot.slack.patience import slack_error
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import Translator
from handlers.messages import Form, Message
from handlers.process.membership import sync_members
from storage.models import Process

log = logging.getLogger(__name__)

MEMBERS_PAGE = 1000  # conversations.members' largest page
HEAL_SECONDS = 600.0  # a command from a stranger reads the roster again at most this often


@dataclass(frozen=True)
class Roster:
    people: list[PersonRef]  # named, not bots, not deactivated
    unread: frozenset[str]  # in the channel, name not known yet


@dataclass
class RosterReads:
    """Which channels' rosters are being read now, and how many people the last read of each
    could not name."""

    reading: set[tuple[str, str]] = field(default_factory=set)
    unread: dict[tuple[str, str], int] = field(default_factory=dict)
    healed_at: dict[tuple[str, str], float] = field(default_factory=dict)


async def read_roster(directory: SlackDirectory, team: str, channel_id: str) -> Roster:
    """Every person in the channel Slack could name; raises when the member ids themselves
    cannot be read (then nothing is changed)."""
    ids: list[str] = []
    cursor = None
    while True:
        response = await directory.patience.call(
            "conversations.members",
            partial(
                directory.client.conversations_members,
                channel=channel_id,
                limit=MEMBERS_PAGE,
                cursor=cursor,
            ),
        )
        ids += [str(i) for i in response.get("members") or []]
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    bot = await directory.bot_user_id()
    ids = [i for i in dict.fromkeys(ids) if i != bot]
    users = await directory.users(team, ids)
    people = [u.person for u in users.values() if not u.is_bot and not u.deleted]
    return Roster(people, frozenset(i for i in ids if i not in users))


def reconcile_channel(
    directory: SlackDirectory, reads: RosterReads, deps: Deps, team: str, channel_id: str
) -> Coroutine[Any, Any, int | None]:
    """The channel counts as being read from this call on (not from when the work starts), so
    a form opened in between is not built from the members enrolled so far."""
    where = (team, channel_id)
    reads.reading.add(where)

    async def work() -> int | None:
        try:
            roster = await read_roster(directory, team, channel_id)
        except FAILURES as error:
            log.warning("the roster of %s could not be read: %s", channel_id, slack_error(error))
            return None
        finally:
            reads.reading.discard(where)
        if roster.unread:
            log.warning(
                "%d people in %s could not be named yet; the next reconcile tries again",
                len(roster.unread),
                channel_id,
            )
        reads.unread[where] = len(roster.unread)
        channel = ChannelRef(SLACK, team, channel_id, direct=channel_id.startswith("D"))
        return await asyncio.to_thread(
            sync_members, deps, channel, roster.people, keep=roster.unread
        )

    return work()


async def reconcile_all(directory: SlackDirectory, reads: RosterReads, deps: Deps) -> int:
    """Every active Slack process's roster read again: a missed join or leave, or a read that
    failed, heals here. Returns how many channels were read."""
    channels = await asyncio.to_thread(_process_channels, deps)
    done = 0
    for team, channel_id in channels:
        if (team, channel_id) in reads.reading:
            continue  # being read already
        if await reconcile_channel(directory, reads, deps, team, channel_id) is not None:
            done += 1
    return done


def _process_channels(deps: Deps) -> list[tuple[str, str]]:
    with deps.db.transaction() as session:
        rows = session.execute(
            select(Process.workspace, Process.channel_id).where(
                Process.platform == SLACK, Process.status == "active"
            )
        )
        return [(str(team), str(channel)) for team, channel in rows]


def may_heal(reads: RosterReads, team: str, channel_id: str) -> bool:
    """At most one stranger-caused read per channel per HEAL_SECONDS: a guest who types
    commands in a channel they are not in must not read the roster each time."""
    where, now = (team, channel_id), time.monotonic()
    if where in reads.reading or now - reads.healed_at.get(where, -HEAL_SECONDS) < HEAL_SECONDS:
        return False
    reads.healed_at[where] = now
    return True


def roster_notice(
    reads: RosterReads, form: Form, team: str, channel_id: str | None
) -> Message | None:
    """What a form that offers people says instead of itself while the channel's roster is
    being read: a list read halfway would quietly leave people out."""
    if channel_id is None or not any(f.kind == "people" for f in form.fields):
        return None
    if (team, channel_id) not in reads.reading:
        return None
    tr = Translator(form.language)
    return Message(
        tr._(
            "Samskab is still reading who is in this channel, so this form cannot offer everyone "
            "yet. Try again in a minute."
        ),
        language=form.language,
    )


def roster_note(reads: RosterReads, form: Form, team: str, channel_id: str | None) -> Form:
    """A form that offers people, after a read that could not name everyone, says so above its
    fields: the people it lacks are offered once the next reconcile has named them."""
    missing = reads.unread.get((team, channel_id or ""), 0)
    if not missing or not any(f.kind == "people" for f in form.fields):
        return form
    tr = Translator(form.language)
    note = tr.ngettext(
        "{n} person in this channel could not be read from Slack yet and is not offered here.",
        "{n} people in this channel could not be read from Slack yet and are not offered here.",
        missing,
    ).format(n=missing)
    return replace(form, intro=f"{note}\n\n{form.intro}" if form.intro else note)
