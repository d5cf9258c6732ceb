"""The outbox worker: claims due rows, sends them through the platform's messenger, records the
outcome.

A row is claimed (status `sending`, a lease, and the claim's own token) before the call and
completed after it, so a crash leaves it to be taken up again and a completed row is never sent
again. Just before the call the worker confirms, in one conditional UPDATE, that the row still
carries its token and renews the lease: a row that waited in our queue past its lease and was
taken over by another replica is skipped, never sent twice. A round claims no more than the
pacing lets us send within the lease. Targets are sent to in parallel; rows to one target go in
order (a DM before its update). On PostgreSQL the claim skips rows another replica has locked
(`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, aliased

from handlers.inputs.unreachable import (
    tell_facilitators_channel_failed,
    tell_facilitators_unreachable,
)
from handlers.messages import Message
from schedules.envelopes import (
    Delivered,
    Envelope,
    Messenger,
    PermanentFailure,
    Recipient,
    RetryLater,
)
from schedules.pacing import Pacer
from storage.db import Database
from storage.models import InputRequest, OutboxMessage, Person, Process
from storage.models.kinds import RequestStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 2.0  # seconds, doubled per attempt
BACKOFF_CAP = 900.0
PARENT_WAIT = timedelta(seconds=2)
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Claim:
    id: int
    platform: str
    target: str
    maybe_sent: bool
    token: str


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.retried or self.failed)


def _target(row: tuple[int, str, str | None, int | None, str]) -> str:
    _id, _platform, channel_id, person_id, _status = row
    return f"person:{person_id}" if person_id is not None else f"channel:{channel_id}"


def claim_due(
    db: Database,
    platforms: Collection[str],
    now: datetime,
    *,
    limit: int = 200,
    per_target: dict[str, int] | None = None,
    lease: timedelta = LEASE,
) -> list[Claim]:
    """Take due rows of these platforms (and rows whose claim ran out): at most `per_target`
    rows per target, `limit` in all."""
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
                    (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
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
        for row in session.execute(due).all():
            target = _target(row)
            if taken.get(target, 0) >= (per_target or {}).get(row[1], 3) or len(claims) >= limit:
                continue
            taken[target] = taken.get(target, 0) + 1
            claims.append(Claim(row[0], row[1], target, row[4] == "sending", token))
        if claims:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([c.id for c in claims]))
                .values(
                    status="sending",
                    claimed_until=now + lease,
                    claim_token=token,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
        return claims


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
) -> DeliveryReport:
    """One round: claim, send in parallel across targets (in order within one), record.
    `clock` tells the time when each send starts (the lease is renewed from it)."""
    pacer = pacer or Pacer()
    per_target = {platform: pacer.burst(platform) for platform in messengers}
    # No more than the pacing lets out within half a lease, so claims do not go stale unsent.
    limit = max(1, min(limit, pacer.sendable(messengers.keys(), lease.total_seconds() / 2)))
    current = clock or (lambda: now)
    claims = await asyncio.to_thread(
        claim_due, db, messengers.keys(), now, limit=limit, per_target=per_target, lease=lease
    )
    report = DeliveryReport()
    queues: dict[str, list[Claim]] = {}
    for claim in claims:
        queues.setdefault(claim.target, []).append(claim)
    gate = asyncio.Semaphore(concurrency)

    async def send_in_order(queue: list[Claim]) -> None:
        async with gate:
            for claim in queue:
                await deliver_one(db, messengers, claim, current, report, pacer, lease)

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
) -> None:
    envelope = await asyncio.to_thread(_prepare, db, claim, clock())
    if envelope is None:
        report.waiting += 1
        return
    await pacer.acquire(claim.platform, claim.target)
    if not await asyncio.to_thread(_still_ours, db, claim, clock() + lease):
        report.waiting += 1  # it waited past its lease and another worker has it now
        return
    now = clock()
    try:
        delivered = await messengers[claim.platform].deliver(envelope)
    except RetryLater as retry:
        if retry.retry_after is not None:
            pacer.pause(claim.platform, retry.retry_after)
        await asyncio.to_thread(_record, db, claim.id, now, report, None, retry, None)
    except PermanentFailure as failure:
        await asyncio.to_thread(_record, db, claim.id, now, report, None, None, failure.reason)
    else:
        pacer.succeeded(claim.platform)
        await asyncio.to_thread(_record, db, claim.id, now, report, delivered, None, None)


def _still_ours(db: Database, claim: Claim, renewed_until: datetime) -> bool:
    """Confirms the claim and renews its lease, in one statement that only one worker can win."""
    with db.transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.id,
                OutboxMessage.status == "sending",
                OutboxMessage.claim_token == claim.token,
            )
            .values(claimed_until=renewed_until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _prepare(db: Database, claim: Claim, now: datetime) -> Envelope | None:
    """The envelope for a claimed row; None when it must wait for, or fails with, its parent."""
    with db.transaction() as session:
        row = session.get(OutboxMessage, claim.id)
        assert row is not None
        envelope = _envelope(session, row, claim.maybe_sent)
        if isinstance(envelope, Envelope):
            return envelope
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
        parent = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
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
    process = session.get(Process, row.process_id) if row.process_id else None
    person = session.get(Person, row.person_id) if row.person_id else None
    workspace = person.workspace if person else process.workspace if process else ""
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


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait: the platform's Retry-After when it gave one, else exponential with
    jitter, so that many rows failing together do not all come back at the same moment."""
    if retry_after is not None:
        return retry_after + random.uniform(0, 1)
    ceiling: float = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
    return ceiling * random.uniform(0.5, 1.0)


def _record(
    db: Database,
    row_id: int,
    now: datetime,
    report: DeliveryReport,
    delivered: Delivered | None,
    retry: RetryLater | None,
    failure: str | None,
) -> None:
    with db.transaction() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.claimed_until, row.claim_token = None, None
        request = session.get(InputRequest, row.request_id) if row.request_id else None
        if delivered is not None:
            row.status, row.platform_ref, row.sent_at = "sent", delivered.ref, now
            row.last_error = None
            if delivered.dm_channel and row.person_id:
                person = session.get(Person, row.person_id)
                if person is not None:
                    person.dm_channel = delivered.dm_channel
            if request is not None:
                _move_request(session, request.id, ("pending",), "delivered")
            report.sent.append(row.key)
            return
        if retry is not None and row.attempts < MAX_ATTEMPTS:
            row.status, row.last_error = "pending", retry.reason
            row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, retry.retry_after))
            report.retried.append(row.key)
            log.warning("delivery of %s will be retried: %s", row.key, retry.reason)
            return
        reason = failure or (retry.reason if retry else "unknown")
        row.status, row.last_error = "failed", reason
        if request is not None and _move_request(
            session, request.id, ("pending", "delivered"), "failed"
        ):
            tell_facilitators_unreachable(session, request, reason, now)
        elif row.target_kind == "channel" and row.process_id is not None:
            process = session.get(Process, row.process_id)
            if process is not None:
                tell_facilitators_channel_failed(session, process, reason, now)
        report.failed.append(row.key)
        log.error("delivery of %s failed: %s", row.key, reason)


def _move_request(
    session: Session, request_id: int, only_from: tuple[RequestStatus, ...], to: RequestStatus
) -> bool:
    """The request's new status, in one conditional statement: an answer or a decline committed
    since the request was read is never overwritten (PostgreSQL reads committed rows)."""
    moved = cast(
        CursorResult[Any],
        session.execute(
            update(InputRequest)
            .where(InputRequest.id == request_id, InputRequest.status.in_(only_from))
            .values(status=to)
            .execution_options(synchronize_session="fetch"),
        ),
    )
    return bool(moved.rowcount)


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
