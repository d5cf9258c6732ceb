"""Claiming outbox rows for sending, and confirming a claim just before the call.

A row is claimed (status `sending`, a lease, the claim's own token and the worker's boot id)
before the call and completed after it. Only what is about to be sent is claimed: a round takes
no more than the pacing lets out in a few seconds, and per target no more than that target's
bucket holds now, so a slow channel never makes a round wait while DMs could go. A claim is free
again when its lease runs out, or sooner when the worker holding it has stopped beating (see
schedules/heartbeat.py): after a crash, a restarted or another replica takes it over within
seconds. On PostgreSQL the claim skips rows another replica has locked (`FOR UPDATE SKIP
LOCKED`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.db import Database, run_bulk
from storage.models import OutboxMessage, WorkerBeat

LEASE = timedelta(minutes=2)
# A worker that has not beaten for this long is gone: its claims are free (heartbeat: 3 s).
STALE_AFTER = timedelta(seconds=15)


@dataclass(frozen=True)
class Claim:
    id: int
    platform: str
    target: str
    maybe_sent: bool
    token: str


def _target(channel_id: str | None, person_id: int | None) -> str:
    return f"person:{person_id}" if person_id is not None else f"channel:{channel_id}"


def claim_due(
    db: Database,
    platforms: Collection[str],
    now: datetime,
    *,
    limit: int = 200,
    room: Callable[[str, str], int] | None = None,
    lease: timedelta = LEASE,
    boot_id: str | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> list[Claim]:
    """Take due rows of these platforms, and rows whose claim ran out or whose worker is gone:
    at most `room(platform, target)` rows per target (3 without it), `limit` in all."""
    parent = aliased(OutboxMessage)
    # A thread reply, an update or a DM that links to a post waits until that post is sent.
    parent_unsent = (
        select(parent.id)
        .where(
            parent.key.in_(
                [OutboxMessage.reply_to_key, OutboxMessage.replaces_key, OutboxMessage.link_key]
            ),
            parent.status.in_(("pending", "sending")),
        )
        .exists()
    )
    holder_alive = (
        select(WorkerBeat.boot_id)
        .where(
            WorkerBeat.boot_id == OutboxMessage.claimed_by,
            WorkerBeat.seen_at >= now - stale_after,
        )
        .exists()
    )
    sending = OutboxMessage.status == "sending"
    abandoned = sending & OutboxMessage.claimed_by.is_not(None) & ~holder_alive
    if boot_id is not None:  # our own claims are in flight here, whatever our heartbeat says
        abandoned = abandoned & (OutboxMessage.claimed_by != boot_id)
    with db.transaction() as session:
        due = (
            select(
                OutboxMessage.id,
                OutboxMessage.platform,
                OutboxMessage.channel_id,
                OutboxMessage.person_id,
                OutboxMessage.status,
            )
            .where(
                OutboxMessage.platform.in_(platforms),
                or_(
                    (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                    sending & (OutboxMessage.claimed_until < now),
                    abandoned,
                ),
                ~parent_unsent,
            )
            .order_by(OutboxMessage.id)
            .limit(limit * 5)
        )
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        taken: dict[str, int] = {}
        claims: list[Claim] = []
        token = uuid.uuid4().hex
        for row_id, platform, channel_id, person_id, status in session.execute(due).all():
            target = _target(channel_id, person_id)
            if target not in taken:
                taken[target] = room(platform, target) if room is not None else 3
            if taken[target] <= 0 or len(claims) >= limit:
                continue
            taken[target] -= 1
            claims.append(Claim(row_id, platform, target, status == "sending", token))
        if claims:
            run_bulk(
                session,
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([c.id for c in claims]))
                .values(
                    status="sending",
                    claimed_until=now + lease,
                    claim_token=token,
                    claimed_by=boot_id,
                    attempts=OutboxMessage.attempts + 1,
                ),
            )
        return claims


def still_ours(session: Session, claim: Claim, renewed_until: datetime) -> bool:
    """Confirms the claim and renews its lease, in one statement that only one worker can win:
    a row that waited in our queue and was taken over meanwhile is not sent by us."""
    return bool(
        run_bulk(
            session,
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.id,
                OutboxMessage.status == "sending",
                OutboxMessage.claim_token == claim.token,
            )
            .values(claimed_until=renewed_until),
        )
    )
