"""The outbox worker's round: claims what is about to be sent (schedules/claims.py), sends it
through the platform's messenger, records the outcome (schedules/outcomes.py).

Just before each call the worker confirms, in one conditional UPDATE, that the row still carries
its claim and renews the lease: a row that waited in our queue past its lease and was taken over
by another replica is skipped, never sent twice. Targets are sent to in parallel; rows to one
target go in order (a DM before its update). Whatever a messenger raises, the round goes on: an
error it did not foresee is a passing failure of that one row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.messages import Message
from schedules.claims import LEASE, Claim, claim_due, still_ours
from schedules.envelopes import Envelope, Messenger, PermanentFailure, Recipient, RetryLater
from schedules.outcomes import DeliveryReport, record
from schedules.pacing import Pacer
from storage.db import Database
from storage.models import OutboxMessage, Person, Process

__all__ = ["LEASE", "DeliveryReport", "deliver_due", "drain"]

log = logging.getLogger(__name__)

PARENT_WAIT = timedelta(seconds=2)
SUPERSEDED = "superseded"
# A round claims what the pacing lets out in this many seconds: claims are held briefly, so a
# crash leaves little behind, and a slow target never keeps a round waiting long.
CLAIM_AHEAD = 3.0


async def deliver_due(
    db: Database,
    messengers: dict[str, Messenger],
    now: datetime,
    *,
    pacer: Pacer | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
    concurrency: int = 32,
    clock: Callable[[], datetime] | None = None,
    boot_id: str | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """One round: claim, send in parallel across targets (in order within one), record.
    `clock` tells the time when each send starts (the lease is renewed from it); `boot_id` is
    the worker's (see schedules/heartbeat.py), None for a one-off drain. Once `stopping()`, no
    more is sent: the sends under way finish, and the rest stays claimed by `boot_id`, which
    the next worker takes over at once when this one has retired."""
    pacer = pacer or Pacer()
    ahead = min(CLAIM_AHEAD, lease.total_seconds() / 2)
    limit = max(1, min(limit, pacer.sendable(messengers.keys(), ahead)))
    current = clock or (lambda: now)
    claims = await asyncio.to_thread(
        claim_due,
        db,
        messengers.keys(),
        now,
        limit=limit,
        room=pacer.room,
        lease=lease,
        boot_id=boot_id,
    )
    report = DeliveryReport()
    queues: dict[str, list[Claim]] = {}
    for claim in claims:
        queues.setdefault(claim.target, []).append(claim)
    gate = asyncio.Semaphore(concurrency)

    async def send_in_order(queue: list[Claim]) -> None:
        async with gate:
            for claim in queue:
                if stopping():
                    return
                await deliver_one(db, messengers, claim, current, report, pacer, lease, stopping)

    await asyncio.gather(*(send_in_order(queue) for queue in queues.values()))
    return report


async def deliver_one(
    db: Database,
    messengers: dict[str, Messenger],
    claim: Claim,
    clock: Callable[[], datetime],
    report: DeliveryReport,
    pacer: Pacer,
    lease: timedelta,
    stopping: Callable[[], bool] = lambda: False,
) -> None:
    await pacer.acquire(claim.platform, claim.target)
    if stopping():  # the wait for the pace may have been long
        return
    envelope = await asyncio.to_thread(_prepare, db, claim, clock(), lease)
    if envelope is None:
        report.waiting += 1
        return
    now = clock()
    try:
        delivered = await messengers[claim.platform].deliver(envelope)
    except RetryLater as retry:
        if retry.retry_after is not None:
            await pacer.limited(claim.platform, retry.retry_after)
        await asyncio.to_thread(
            record, db, claim.id, now, report, None, retry, None, retry.dm_channel
        )
    except PermanentFailure as failure:
        await asyncio.to_thread(
            record, db, claim.id, now, report, None, None, failure.reason, failure.dm_channel
        )
    except Exception as error:  # one row's surprise must not stop the round (nor the others)
        log.exception("delivery of %s raised; it will be retried", envelope.key)
        surprise = RetryLater(f"unexpected: {type(error).__name__}")
        await asyncio.to_thread(record, db, claim.id, now, report, None, surprise, None)
    else:
        pacer.succeeded(claim.platform)
        await asyncio.to_thread(record, db, claim.id, now, report, delivered, None, None)


def _prepare(db: Database, claim: Claim, now: datetime, lease: timedelta) -> Envelope | None:
    """The envelope for a claimed row, just before the call; None when another worker has it
    now (it waited past its lease), or it must wait for, or fails with, its parent. One
    transaction: the claim is confirmed and its lease renewed first (see claims.still_ours)."""
    with db.transaction() as session:
        if not still_ours(session, claim, now + lease):
            return None
        row = session.get(OutboxMessage, claim.id)
        assert row is not None
        envelope = _envelope(session, row, claim.maybe_sent)
        if isinstance(envelope, Envelope):
            return envelope
        row.claimed_by = None
        if envelope == "wait":
            # The message it belongs to is still on its way; not an attempt of its own.
            row.status, row.attempts, row.claimed_until = "pending", row.attempts - 1, None
            row.next_attempt_at = now + PARENT_WAIT
        elif envelope == SUPERSEDED:
            # A newer update of the same message is already shown: this one would undo it (an
            # update that waited for a retry, after a correction or an answer went out).
            row.status, row.claimed_until, row.claim_token = "sent", None, None
            log.info("update %s skipped: a newer one of %s was sent", row.key, row.replaces_key)
        else:
            row.status, row.last_error, row.claimed_until = "failed", envelope, None
        return None


def _envelope(session: Session, row: OutboxMessage, maybe_sent: bool) -> Envelope | str:
    """The envelope, or "wait", or SUPERSEDED (an older update), or why it cannot go."""
    refs: dict[str, str | None] = {}
    for name, key in (
        ("thread", row.reply_to_key),
        ("replaces", row.replaces_key),
        ("link", row.link_key),
    ):
        if key is None:
            refs[name] = None
            continue
        # Two columns, not the row: a DM linking to a long summary would decode it each time.
        parent = session.execute(
            select(OutboxMessage.status, OutboxMessage.platform_ref).where(OutboxMessage.key == key)
        ).first()
        if parent is None or parent.status == "failed":
            if name == "link":
                refs[name] = None  # the DM goes without the link
                continue
            return f"the message it belongs to ({key}) was not delivered"
        if parent.status != "sent":
            return "wait"
        refs[name] = parent.platform_ref
    if row.replaces_key is not None and _newer_update_sent(session, row):
        return SUPERSEDED
    person = session.get(Person, row.person_id) if row.person_id else None
    if person is not None:
        workspace = person.workspace
    else:
        process = session.get(Process, row.process_id) if row.process_id else None
        workspace = process.workspace if process else ""
    return Envelope(
        key=row.key,
        platform=row.platform,
        workspace=workspace,
        message=Message.from_json(row.payload),
        channel_id=row.channel_id,
        recipient=Recipient(person.user_id, person.name, person.dm_channel) if person else None,
        thread_ref=refs["thread"],
        replaces_ref=refs["replaces"],
        link_ref=refs["link"],
        maybe_sent=maybe_sent,
    )


def _newer_update_sent(session: Session, row: OutboxMessage) -> bool:
    newer = select(OutboxMessage.id).where(
        OutboxMessage.replaces_key == row.replaces_key,
        OutboxMessage.id > row.id,
        OutboxMessage.status == "sent",
    )
    return session.scalar(newer.limit(1)) is not None


async def drain(
    db: Database, messengers: dict[str, Messenger], now: datetime, **options: object
) -> DeliveryReport:
    """Round after round until nothing more is due now: replies follow what they reply to."""
    total = DeliveryReport()
    while True:
        report = await deliver_due(db, messengers, now, **options)  # type: ignore[arg-type]
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        if not report.busy:
            return total
