"""Recording what became of a send: sent (and the DM channel learnt), to be retried with
backoff, or failed (and the facilitators told)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session

from handlers.inputs.unreachable import (
    tell_facilitators_channel_failed,
    tell_facilitators_unreachable,
)
from schedules.envelopes import Delivered, RetryLater
from storage.db import Database, run_bulk
from storage.models import InputRequest, OutboxMessage, Person, Process
from storage.models.kinds import RequestStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = 2.0  # seconds, doubled per attempt
BACKOFF_CAP = 900.0


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.retried or self.failed)


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait: the platform's Retry-After when it gave one, else exponential with
    jitter, so that many rows failing together do not all come back at the same moment."""
    if retry_after is not None:
        return retry_after + random.uniform(0, 1)
    ceiling: float = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
    return ceiling * random.uniform(0.5, 1.0)


def record(
    db: Database,
    row_id: int,
    now: datetime,
    report: DeliveryReport,
    delivered: Delivered | None,
    retry: RetryLater | None,
    failure: str | None,
    dm_channel: str | None = None,
) -> None:
    """`dm_channel`: a person's DM channel the messenger learnt on the way, whatever the
    outcome, so that a retry never has to ask the platform for it again."""
    with db.transaction() as session:
        if delivered is not None:
            report.sent.append(_record_sent(session, row_id, now, delivered))
            return
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.claimed_until, row.claim_token, row.claimed_by = None, None, None
        if dm_channel and row.person_id:
            _learn_dm_channel(session, row.person_id, dm_channel)
        request = session.get(InputRequest, row.request_id) if row.request_id else None
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


def _record_sent(session: Session, row_id: int, now: datetime, delivered: Delivered) -> str:
    """The common outcome in two or three statements, loading nothing: at the rate limit this
    runs for every message, and loading the row would decode its payload once more. The key."""
    key, person_id, request_id = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status="sent",
            platform_ref=delivered.ref,
            sent_at=now,
            last_error=None,
            claimed_until=None,
            claim_token=None,
            claimed_by=None,
        )
        .returning(OutboxMessage.key, OutboxMessage.person_id, OutboxMessage.request_id),
        execution_options={"synchronize_session": False},
    ).one()
    if delivered.dm_channel and person_id is not None:
        _learn_dm_channel(session, person_id, delivered.dm_channel)
    if request_id is not None:
        _move_request(session, request_id, ("pending",), "delivered")
    return str(key)


def _learn_dm_channel(session: Session, person_id: int, dm_channel: str) -> None:
    run_bulk(
        session,
        update(Person)
        .where(
            Person.id == person_id,
            or_(Person.dm_channel.is_(None), Person.dm_channel != dm_channel),
        )
        .values(dm_channel=dm_channel),
    )


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
