"""Which processes' canvases are due, claimed in the database so that one replica edits each.

Due: a change was marked since the last edit (handlers.status.changed), the last edit is at
least a minute old, no retry is pending, and the workspace has not refused canvases. A claim is
a token and a lease on the row, taken by a conditional UPDATE that only one writer can win (as
the outbox's claims are, schedules/claims.py); a claim whose holder died frees itself when its
lease runs out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from handlers.status.page_content import StatusPage, gather_page
from storage.db import Database, run_bulk
from storage.models import Process, StatusCanvas

EDIT_EVERY = timedelta(seconds=60)  # at most one edit a minute per process
LEASE = timedelta(minutes=2)
BATCH = 5  # claimed in one round of the job: each is edited well within its lease


@dataclass(frozen=True)
class CanvasClaim:
    process_id: int
    token: str


@dataclass(frozen=True)
class CanvasWork:
    """What one edit needs, read after the claim: the changes it covers, then the page."""

    claim: CanvasClaim
    channel_id: str
    canvas_id: str | None
    changes: int
    digests: tuple[str, ...]
    page: StatusPage


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        StatusCanvas.unavailable.is_(None),
        StatusCanvas.changes > StatusCanvas.synced_changes,
        or_(StatusCanvas.edited_at.is_(None), StatusCanvas.edited_at <= now - EDIT_EVERY),
        or_(StatusCanvas.next_try_at.is_(None), StatusCanvas.next_try_at <= now),
        or_(StatusCanvas.claimed_until.is_(None), StatusCanvas.claimed_until < now),
    ]


def claim_due(db: Database, platform: str, now: datetime, limit: int = BATCH) -> list[CanvasClaim]:
    with db.transaction() as session:
        candidates = list(
            session.scalars(
                select(StatusCanvas.process_id)
                .join(Process, Process.id == StatusCanvas.process_id)
                .where(Process.platform == platform, *_due(now))
                .order_by(StatusCanvas.process_id)
                .limit(limit)
            )
        )
    claims = []
    for process_id in candidates:
        token = uuid.uuid4().hex
        with db.transaction() as session:
            # Conditions read again in the UPDATE: a replica that claimed it meanwhile wins.
            won = run_bulk(
                session,
                update(StatusCanvas)
                .where(StatusCanvas.process_id == process_id, *_due(now))
                .values(claim_token=token, claimed_until=now + LEASE),
            )
        if won:
            claims.append(CanvasClaim(process_id, token))
    return claims


def read_work(db: Database, claim: CanvasClaim, now: datetime) -> CanvasWork | None:
    """The count of changes first, then the page: a change committed in between is shown now
    and counted as still due, so it is shown again at worst, never missed."""
    with db.transaction() as session:
        row = _ours(session, claim)
        if row is None:
            return None
        changes, canvas_id, digests = row.changes, row.canvas_id, row.section_digests
    with db.transaction() as session:
        process = session.get(Process, claim.process_id)
        if process is None:
            return None
        page = gather_page(session, process, now)
        channel_id = process.channel_id
    return CanvasWork(claim, channel_id, canvas_id, changes, tuple((digests or "").split()), page)


def canvas_made(db: Database, claim: CanvasClaim, canvas_id: str | None) -> None:
    """The canvas's id, kept the moment it exists (or forgotten when it was deleted), whatever
    happens to the rest of the edit."""
    with db.transaction() as session:
        run_bulk(
            session,
            update(StatusCanvas)
            .where(StatusCanvas.process_id == claim.process_id)
            .values(canvas_id=canvas_id, section_digests=None),
        )


def edited(db: Database, work: CanvasWork, now: datetime, digests: tuple[str, ...]) -> None:
    with db.transaction() as session:
        run_bulk(
            session,
            update(StatusCanvas)
            .where(
                StatusCanvas.process_id == work.claim.process_id,
                StatusCanvas.claim_token == work.claim.token,
            )
            .values(
                synced_changes=work.changes,
                edited_at=now,
                next_try_at=None,
                section_digests=" ".join(digests),
                claim_token=None,
                claimed_until=None,
            ),
        )


def try_again(db: Database, claim: CanvasClaim, at: datetime) -> None:
    """Released, still due, not tried before `at`."""
    with db.transaction() as session:
        run_bulk(
            session,
            update(StatusCanvas)
            .where(
                StatusCanvas.process_id == claim.process_id,
                StatusCanvas.claim_token == claim.token,
            )
            .values(next_try_at=at, claim_token=None, claimed_until=None),
        )


def _ours(session: Session, claim: CanvasClaim) -> StatusCanvas | None:
    row = session.get(StatusCanvas, claim.process_id)
    return row if row is not None and row.claim_token == claim.token else None
