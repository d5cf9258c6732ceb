"""Recording what became of a send: sent (and the DM channel learnt), to be retried with
backoff, or failed (and the facilitators told)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from handlers.inputs.unreachable import (
    tell_facilitators_channel_failed,
    tell_facilitators_unreachable,
)
from schedules.envelopes import Delivered, RetryLater
from storage.db import Database
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
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.claimed_until, row.claim_token, row.claimed_by = None, None, None
        known_dm = delivered.dm_channel if delivered is not None else dm_channel
        if known_dm and row.person_id:
            person = session.get(Person, row.person_id)
            if person is not None and person.dm_channel != known_dm:
                person.dm_channel = known_dm
        request = session.get(InputRequest, row.request_id) if row.request_id else None
        if delivered is not None:
            row.status, row.platform_ref, row.sent_at = "sent", delivered.ref, now
            row.last_error = None
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
