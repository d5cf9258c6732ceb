"""A delivery worker's heartbeat: its boot id in `workers`, `seen_at` renewed every few seconds,
so that the rows it claimed are known to be free soon after it dies (schedules/claims.py)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from storage.db import Database, run_bulk
from storage.models import WorkerBeat

log = logging.getLogger(__name__)

BEAT_EVERY = 3.0  # seconds; well inside claims.STALE_AFTER
FORGET_AFTER = timedelta(days=1)  # rows of workers long gone are removed at a start


def new_boot_id() -> str:
    return uuid.uuid4().hex


def register(db: Database, boot_id: str, now: datetime) -> None:
    with db.transaction() as session:
        run_bulk(session, delete(WorkerBeat).where(WorkerBeat.seen_at < now - FORGET_AFTER))
        session.add(WorkerBeat(boot_id=boot_id, started_at=now, seen_at=now))


def beat(db: Database, boot_id: str, now: datetime) -> None:
    with db.transaction() as session:
        seen = update(WorkerBeat).where(WorkerBeat.boot_id == boot_id).values(seen_at=now)
        if not run_bulk(session, seen):  # removed meanwhile (a clock far off): come back
            session.add(WorkerBeat(boot_id=boot_id, started_at=now, seen_at=now))


def retire(db: Database, boot_id: str) -> None:
    """A clean stop: no send of ours is under way any more, and what we claimed and did not
    send is free for the next worker at once (claims.claim_due: no live holder)."""
    with db.transaction() as session:
        run_bulk(session, delete(WorkerBeat).where(WorkerBeat.boot_id == boot_id))


async def keep_beating(db: Database, boot_id: str, clock: Callable[[], datetime]) -> None:
    """Beats until cancelled; a failed beat is logged and tried again at the next one."""
    while True:
        await asyncio.sleep(BEAT_EVERY)
        try:
            await asyncio.to_thread(beat, db, boot_id, clock())
        except Exception:  # the database away for a moment must not stop the heartbeat for good
            log.exception("the delivery worker's heartbeat failed; trying again")
