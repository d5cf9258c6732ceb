"""`samskab digest --now`: post the digest of every active process (or one channel's) now."""

from __future__ import annotations

import sys

from sqlalchemy import select

from bot.console.messenger import ConsoleMessenger
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.status.digest import post_digest
from schedules.delivery import drain
from schedules.envelopes import Messenger
from storage.models import Process


async def digest_now(
    deps: Deps, channel: str | None, tr: Translator, slack: Messenger | None = None
) -> int:
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
    messengers: dict[str, Messenger] = {"console": ConsoleMessenger(sys.stdout, lambda: tr)}
    if slack is not None:
        messengers["slack"] = slack
    await drain(deps.db, messengers, deps.clock())
    return 0
