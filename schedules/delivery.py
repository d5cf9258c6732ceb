"""The outbox worker: claims due rows, sends them through the platform's messenger, records the
outcome. A row is claimed (with a lease) before the call and completed after it, so a crash
leaves it to be taken up again and a finished row is never sent twice."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from handlers.messages import Message
from handlers.unreachable import (
    tell_facilitators_channel_failed,
    tell_facilitators_unreachable,
)
from storage.db import Database
from storage.models import InputRequest, OutboxMessage, Person, Process

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
PARENT_WAIT = timedelta(seconds=2)


@dataclass(frozen=True)
class Recipient:
    user_id: str
    name: str
    dm_channel: str | None


@dataclass(frozen=True)
class Envelope:
    """What a messenger needs to send one outbox row. Refs are the platform's own ids."""

    key: str
    platform: str
    workspace: str
    message: Message
    channel_id: str | None = None
    recipient: Recipient | None = None
    thread_ref: str | None = None
    replaces_ref: str | None = None
    link_ref: str | None = None


@dataclass(frozen=True)
class Delivered:
    ref: str
    dm_channel: str | None = None


class RetryLater(Exception):
    """A passing failure (rate limit, 5xx, network): try again, after `retry_after` if given."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The platform will never accept this message (user deactivated, channel gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Messenger(Protocol):
    platform: str

    async def deliver(self, envelope: Envelope) -> Delivered: ...


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def claim_due(db: Database, platforms: Collection[str], now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due rows of these platforms, including rows whose claim has expired."""
    with db.transaction() as session:
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.platform.in_(platforms),
                or_(
                    (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    status="sending", claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1
                )
            )
        return ids


async def deliver_due(
    db: Database, messengers: dict[str, Messenger], now: datetime, *, limit: int = 100
) -> DeliveryReport:
    report = DeliveryReport()
    for row_id in claim_due(db, messengers.keys(), now, limit):
        await deliver_one(db, messengers, row_id, now, report)
    return report


async def deliver_one(
    db: Database,
    messengers: dict[str, Messenger],
    row_id: int,
    now: datetime,
    report: DeliveryReport,
) -> None:
    with db.transaction() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        envelope_or_wait = _envelope(session, row)
        if isinstance(envelope_or_wait, str):
            _settle_waiting(session, row, envelope_or_wait, now)
            return
        envelope = envelope_or_wait
    try:
        delivered = await messengers[envelope.platform].deliver(envelope)
    except RetryLater as retry:
        _record(db, row_id, now, report, retry=retry)
    except PermanentFailure as failure:
        _record(db, row_id, now, report, failure=failure.reason)
    else:
        _record(db, row_id, now, report, delivered=delivered)


def _envelope(session: Session, row: OutboxMessage) -> Envelope | str:
    """The envelope, or why it must wait ("wait") or cannot go ("failed: …")."""
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
                refs[name] = None
                continue
            return f"failed: the message it belongs to ({key}) was not delivered"
        if parent.status != "sent":
            return "wait"
        refs[name] = parent.platform_ref
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
    )


def _settle_waiting(session: Session, row: OutboxMessage, why: str, now: datetime) -> None:
    if why == "wait":
        # The parent is still on its way; this is not an attempt of our own.
        row.status, row.attempts, row.claimed_until = "pending", row.attempts - 1, None
        row.next_attempt_at = now + PARENT_WAIT
        return
    row.status, row.last_error, row.claimed_until = "failed", why.removeprefix("failed: "), None


def _record(
    db: Database,
    row_id: int,
    now: datetime,
    report: DeliveryReport,
    *,
    delivered: Delivered | None = None,
    retry: RetryLater | None = None,
    failure: str | None = None,
) -> None:
    with db.transaction() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.claimed_until = None
        request = session.get(InputRequest, row.request_id) if row.request_id else None
        if delivered is not None:
            row.status, row.platform_ref, row.sent_at = "sent", delivered.ref, now
            row.last_error = None
            if delivered.dm_channel and row.person_id:
                person = session.get(Person, row.person_id)
                if person is not None:
                    person.dm_channel = delivered.dm_channel
            if request is not None and request.status == "pending":
                request.status = "delivered"
            report.sent.append(row.key)
            return
        if retry is not None and row.attempts < MAX_ATTEMPTS:
            delay = retry.retry_after if retry.retry_after is not None else 2**row.attempts
            row.status, row.last_error = "pending", retry.reason
            row.next_attempt_at = now + timedelta(seconds=delay)
            report.retried.append(row.key)
            log.warning("delivery of %s will be retried: %s", row.key, retry.reason)
            return
        reason = failure or (retry.reason if retry else "unknown")
        row.status, row.last_error = "failed", reason
        if request is not None and request.is_open:
            request.status = "failed"
            tell_facilitators_unreachable(session, request, reason, now)
        elif row.target_kind == "channel" and row.process_id is not None:
            process = session.get(Process, row.process_id)
            if process is not None:
                tell_facilitators_channel_failed(session, process, reason, now)
        report.failed.append(row.key)
        log.error("delivery of %s failed: %s", row.key, reason)
