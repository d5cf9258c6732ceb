"""`samskab digest --now`: post the digest of every active process (or one channel's) now."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from sqlalchemy import select

from bot.console.messenger import ConsoleMessenger
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.status.digest import post_digest
from schedules.delivery import drain
from schedules.envelopes import Messenger
from storage.models import Process


async def digest_now(
    deps: Deps,
    channel: str | None,
    tr: Translator,
    messengers: Mapping[str, Messenger] | None = None,
) -> int:
    """`messengers`: those of the configured adapters, by platform; the console's is added."""
    now = deps.clock()
    with deps.db.transaction() as session:
        query = select(Process.id, Process.name).where(Process.status == "active")
        if channel:
            query = query.where(Process.channel_id == channel.lstrip("#"))
        processes = session.execute(query.order_by(Process.id)).all()
    if not processes:
        message = (
            tr._("No active process in the channel {channel}.")
            if channel
            else tr._("No active process.")
        )
        print("samskab digest: " + message.format(channel=channel), file=sys.stderr)
        return 1
    for process_id, name in processes:
        # A manual digest is its own period, so it never blocks the scheduled one.
        posted = post_digest(deps, process_id, f"manual:{now.isoformat(timespec='seconds')}")
        message = (
            tr._("{name}: the status update is queued for the channel.")
            if posted
            else tr._("{name}: the status update was already posted.")
        )
        print("samskab digest: " + message.format(name=name))
    # Sent now where this process can reach the platform; otherwise `samskab serve` sends it.
    console = ConsoleMessenger(sys.stdout, lambda: tr)
    await drain(deps.db, {**(messengers or {}), console.platform: console}, deps.clock())
    return 0
