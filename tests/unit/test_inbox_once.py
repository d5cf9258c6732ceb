"""Acked means kept, once: a request's inbox row is marked applied in the same transaction as its
work's effect, so whoever does the work again (after a crash before the answer, or beside a
process that only paused) cannot apply it twice; the row stays until the work is over, so the
answer is not lost. Work that only reads leaves the mark alone; so do writes that may be done
again (`bookkeeping`).

The work here is the tests' own: it writes a `ProcessedEvent` row as its effect."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.inbox import HOLD, Inbox
from storage.db import Database
from storage.models import InboxEntry, ProcessedEvent
from storage.models.inbox import InboxKind
from storage.request_in_hand import AlreadyDone, bookkeeping
from tests.waiting import eventually, eventually_async

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _inbox_rows(url: str) -> int:
    """How many inbox rows a connection of its own sees (another process, say)."""
    other = Database(url)
    try:
        with other.transaction() as session:
            return session.scalar(select(func.count()).select_from(InboxEntry)) or 0
    finally:
        other.dispose()


def _applied(url: str) -> list[bool]:
    """The inbox rows' marks, as a connection of its own sees them."""
    other = Database(url)
    try:
        with other.transaction() as session:
            return list(session.scalars(select(InboxEntry.applied).order_by(InboxEntry.id)))
    finally:
        other.dispose()


def _effects(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(ProcessedEvent.key).order_by(ProcessedEvent.key)))


def _apply(db: Database, key: str) -> None:
    """The work's effect, in one transaction."""
    with db.transaction() as session:
        session.add(ProcessedEvent(key=key, received_at=NOW))


def _read(db: Database) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(ProcessedEvent)).all())


Work = Callable[[InboxKind, dict[str, Any]], Awaitable[None]]


async def _one_request(db: Database, work: Work, hold: timedelta = HOLD) -> None:
    """One acked request, kept and done by one process's inbox; returns when its work is over."""
    inbox = Inbox(db, "teams", hold=hold)
    inbox.start(work)
    entry = await inbox.keep("submission", {"form": "workshop"})
    inbox.hand_over(entry, "submission", {"form": "workshop"})
    await inbox.stop(timeout=30)


async def _taking_over(db: Database, work: Work, hold: timedelta, done: Callable[[], bool]) -> None:
    """A second process's inbox, which looks for lapsed rows at once, until `done()`."""
    inbox = Inbox(db, "teams", hold=hold)
    inbox.start(work)
    await eventually_async(done)
    await inbox.stop(timeout=30)


def _run_once(db: Database, work: Work) -> None:
    asyncio.run(_one_request(db, work))


def test_the_effect_and_the_rows_mark_commit_together(database_url: str) -> None:
    db = Database(database_url)
    seen: list[list[bool]] = []

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        await asyncio.to_thread(_apply, db, "planned")
        # A process killed here leaves the row to answer from, marked: not to apply again.
        seen.append(await asyncio.to_thread(_applied, database_url))

    _run_once(db, work)
    assert seen == [[True]], "the effect committed unmarked: a crash now would apply it twice"
    assert _effects(db) == ["planned"]
    assert _inbox_rows(database_url) == 0, "done, so deleted"
    db.dispose()


def test_work_that_only_reads_leaves_its_row_until_it_is_over(database_url: str) -> None:
    db = Database(database_url)
    seen: list[list[bool]] = []

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        await asyncio.to_thread(_read, db)
        seen.append(await asyncio.to_thread(_applied, database_url))

    _run_once(db, work)
    assert seen == [[False]], "a read marked the row: what follows it could never be applied"
    assert _inbox_rows(database_url) == 0, "done, so deleted"
    db.dispose()


def test_bookkeeping_before_the_effect_leaves_the_row_to_the_effect(database_url: str) -> None:
    db = Database(database_url)
    seen: list[list[bool]] = []

    def remember() -> None:
        with bookkeeping():
            _apply(db, "seen the person")

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        await asyncio.to_thread(remember)
        seen.append(await asyncio.to_thread(_applied, database_url))
        await asyncio.to_thread(_apply, db, "planned")
        seen.append(await asyncio.to_thread(_applied, database_url))

    _run_once(db, work)
    assert seen == [[False], [True]], "the bookkeeping took the mark: a rerun would lose the effect"
    assert _effects(db) == ["planned", "seen the person"]
    db.dispose()


def test_a_write_that_fails_leaves_the_row_to_the_next_one(database_url: str) -> None:
    db = Database(database_url)
    _apply(db, "taken")  # before the request: the work's first try collides with it
    seen: list[list[bool]] = []

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(_apply, db, "taken")
        except IntegrityError:
            seen.append(await asyncio.to_thread(_applied, database_url))
        await asyncio.to_thread(_apply, db, "planned")
        seen.append(await asyncio.to_thread(_applied, database_url))

    _run_once(db, work)
    assert seen == [[False], [True]], "the failed write took the mark: the effect after it is lost"
    assert _effects(db) == ["planned", "taken"]
    db.dispose()


def test_a_request_taken_over_from_a_paused_process_is_applied_once(database_url: str) -> None:
    """Process A pauses (its whole event loop, as a stopped or swapped-out process would)
    after starting the work; its hold lapses and process B takes the request over and does it.
    When A wakes up and commits its effect, the row is gone (B applied it and is done): A's
    transaction rolls back."""
    hold = timedelta(milliseconds=200)
    db_a, db_b = Database(database_url), Database(database_url)
    started, wake_up = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    async def work_a(kind: InboxKind, body: dict[str, Any]) -> None:
        started.set()
        wake_up.wait(30)  # blocks A's loop: no renewal of its hold either
        try:
            await asyncio.to_thread(_apply, db_a, "planned by A")
        except AlreadyDone:
            outcome["A"] = "rolled back"
            raise
        outcome["A"] = "applied"

    async def work_b(kind: InboxKind, body: dict[str, Any]) -> None:
        await asyncio.to_thread(_apply, db_b, "planned by B")
        outcome["B"] = "applied"

    a = threading.Thread(target=asyncio.run, args=(_one_request(db_a, work_a, hold),))
    a.start()
    assert started.wait(30)
    eventually(lambda: _lapsed(db_b), explain=lambda: "A's hold never lapsed")

    asyncio.run(_taking_over(db_b, work_b, hold, lambda: "B" in outcome))
    wake_up.set()
    a.join(30)
    assert not a.is_alive()
    assert outcome == {"A": "rolled back", "B": "applied"}
    assert _effects(db_b) == ["planned by B"], "applied once"
    assert _inbox_rows(database_url) == 0
    db_a.dispose()
    db_b.dispose()


def _lapsed(db: Database) -> bool:
    with db.transaction() as session:
        until = session.scalar(select(InboxEntry.claimed_until))
    return until is not None and until < datetime.now(UTC)


def test_a_newer_request_given_the_freed_id_is_not_deleted_with_the_older(
    database_url: str,
) -> None:
    """SQLite gives a new row the highest id plus one: the id of a row just deleted with its
    effect goes to the next request kept. The older request's end must not delete that one."""
    db = Database(database_url)
    ids: list[int | None] = []

    async def run() -> None:
        inbox = Inbox(db, "teams")

        async def work(kind: InboxKind, body: dict[str, Any]) -> None:
            await asyncio.to_thread(_apply, db, "planned")
            ids.append(await inbox.keep("action", {"click": 2}))  # kept, not yet handed over

        inbox.start(work)
        ids.append(await inbox.keep("submission", {"form": "workshop"}))
        inbox.hand_over(ids[0], "submission", {"form": "workshop"})
        await inbox.stop(timeout=10)

    asyncio.run(run())
    assert _inbox_rows(database_url) == 1, f"the newer request (ids {ids}) was deleted too"
    db.dispose()


def test_work_done_again_after_its_effect_cannot_apply_it_twice(database_url: str) -> None:
    """Process A applies the effect and stops before answering (as a process killed there
    would: its hold lapses). B takes the request over: the row is still there, to answer from,
    but marked, so B's write rolls back, while what B only reads it may still answer."""
    hold = timedelta(milliseconds=200)
    db_a, db_b = Database(database_url), Database(database_url)
    applied, wake_up = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    async def work_a(kind: InboxKind, body: dict[str, Any]) -> None:
        await asyncio.to_thread(_apply, db_a, "planned by A")
        applied.set()
        wake_up.wait(30)  # no answer, no renewal: as good as dead

    async def work_b(kind: InboxKind, body: dict[str, Any]) -> None:
        outcome["B read"] = ", ".join(await asyncio.to_thread(_effects, db_b))
        try:
            await asyncio.to_thread(_apply, db_b, "planned by B")
        except AlreadyDone:
            outcome["B wrote"] = "rolled back"
            raise
        outcome["B wrote"] = "applied"

    a = threading.Thread(target=asyncio.run, args=(_one_request(db_a, work_a, hold),))
    a.start()
    assert applied.wait(30)
    assert _applied(database_url) == [True]
    eventually(lambda: _lapsed(db_b), explain=lambda: "A's hold never lapsed")

    asyncio.run(_taking_over(db_b, work_b, hold, lambda: "B wrote" in outcome))
    wake_up.set()
    a.join(30)
    assert outcome == {"B read": "planned by A", "B wrote": "rolled back"}
    assert _effects(db_b) == ["planned by A"], "applied once"
    assert _inbox_rows(database_url) == 0, "B did the work, so the row is gone"
    db_a.dispose()
    db_b.dispose()
