"""Acked means kept, and acks never wait for work.

A request that changes something is written to the inbox table (one short transaction) before
the platform gets its answer; then a fixed number of worker tasks does the work, and the row is
deleted when it is done. A process killed in between leaves the row behind: its hold lapses
(the holder renews it every few seconds while it lives) and whichever process runs next takes
it over and does the work. The work's effect marks the row applied in its own transaction
(storage.request_in_hand), so an effect committed before a crash is not applied again, while
the person is still answered. Requests that only answer the person are handed to the same
workers without a row. However many requests arrive at once, at most `workers` pieces of work
run at a time, so the event loop and its threads stay free to answer the next request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, select, update

from bot.inbox_writer import GroupWriter, Keep, Row
from storage.db import Database
from storage.models import InboxEntry
from storage.models.inbox import InboxKind
from storage.request_in_hand import AlreadyDone, working_on

log = logging.getLogger(__name__)

WORKERS = 4  # pieces of work at a time; the rest wait in the queue, acked and kept
HOLD = timedelta(seconds=10)  # how long a row stays ours without renewal
RENEW_EVERY = 2.0  # seconds: renew our holds, and look for rows whose holder is gone
MAX_ATTEMPTS = 3  # a row taken over this often may be what kills the process: dropped
TAKE_AT_ONCE = 100

Work = Callable[[InboxKind, dict[str, Any]], Awaitable[None]]
_Item = tuple[int | None, InboxKind, dict[str, Any]]


def _now() -> datetime:
    """Wall-clock time: holds are about processes living, not about the process's calendar
    (which tests may set)."""
    return datetime.now(UTC)


class Inbox:
    def __init__(
        self,
        db: Database,
        platform: str,
        *,
        workers: int = WORKERS,
        hold: timedelta = HOLD,
    ) -> None:
        self.db, self.platform = db, platform
        self.owner = uuid4().hex  # this process, as the rows it holds name it
        self.workers, self.hold = workers, hold
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._mine: set[int] = set()  # queued or in progress here: never taken over twice
        self._unfinished = 0  # handed over or taken over here, not done yet
        self._tasks: list[asyncio.Task[None]] = []
        self._work: Work | None = None
        # Writing rows before acks gets a thread of its own: it never queues behind work.
        self._writer = GroupWriter(db, Row(platform, self.owner, hold), _now, self._orphaned)

    # --- before the ack ---------------------------------------------------------------------

    async def keep(
        self, kind: InboxKind, body: dict[str, Any], *, once_key: str | None = None
    ) -> int | None:
        """Write the request down; its row id once the row is committed, or None when
        `once_key` was seen before (a retried event): then it was kept, or done, already.
        Requests arriving together share one commit (bot.inbox_writer)."""
        return await self._writer.keep(kind, body, once_key)

    def _orphaned(self, entry_id: int, keep: Keep) -> None:
        """A row written for a request that stopped waiting (its connection closed before the
        ack): it is kept, so it is done, as it would be after a restart."""
        self.hand_over(entry_id, keep.kind, keep.body)

    # --- after the ack ----------------------------------------------------------------------

    def hand_over(self, entry_id: int | None, kind: InboxKind, body: dict[str, Any]) -> None:
        """Queue the work of an acked request (`entry_id` None: one that was not kept)."""
        if entry_id is not None:
            self._mine.add(entry_id)
        self._unfinished += 1
        self._queue.put_nowait((entry_id, kind, body))

    def unfinished(self) -> int:
        """Pieces of work queued or in progress here: what `stop` waits for."""
        return self._unfinished

    def start(self, work: Work) -> None:
        """The workers and the watch over held rows; called once the event loop runs."""
        self._work = work
        self._tasks = [asyncio.create_task(self._drain()) for _ in range(self.workers)]
        self._tasks.append(asyncio.create_task(self._watch()))

    async def stop(self, timeout: float) -> None:
        """Finish what is queued within `timeout`; what is left stays in the table, released at
        once for the next process (rather than after its hold lapses)."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            log.warning("stopping with %d acked request(s) still to do", self._queue.qsize())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        try:
            await asyncio.to_thread(self._release)
        except RuntimeError:  # the loop's executor is already shut down: release here, briefly
            self._release()
        self._writer.stop()

    async def _drain(self) -> None:
        while True:
            entry_id, kind, body = await self._queue.get()
            try:
                assert self._work is not None
                if entry_id is None:
                    await self._work(kind, body)
                else:
                    # The work's first transaction that writes marks the row applied as it
                    # commits (storage.request_in_hand): its effect is applied once, crash or not.
                    with working_on(entry_id):
                        await self._work(kind, body)
            except AlreadyDone:
                log.info("an acked %s request was applied before; not again", kind)
            except Exception as error:  # the work's own error handling failed: still done
                log.error("acked %s request failed", kind, exc_info=error)
            finally:
                if entry_id is not None:
                    await asyncio.to_thread(self._done, entry_id)
                    self._mine.discard(entry_id)
                self._unfinished -= 1
                self._queue.task_done()

    def _done(self, entry_id: int) -> None:
        """The row of work done here (a row another process took over is its own: deleted
        by id alone, a newer request given the same id by SQLite could go instead)."""
        with self.db.transaction() as session:
            session.execute(
                delete(InboxEntry).where(InboxEntry.id == entry_id, InboxEntry.owner == self.owner)
            )

    # --- holds ------------------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            try:
                for item in await asyncio.to_thread(self._renew_and_take_over):
                    self._unfinished += 1
                    self._queue.put_nowait(item)
            except Exception as error:  # the database away for a moment: try again later
                log.warning("could not look after the inbox: %s", type(error).__name__)
            await asyncio.sleep(RENEW_EVERY)

    def _renew_and_take_over(self) -> list[_Item]:
        """Renew our holds; take over rows whose holder stopped renewing (a process that died)
        or let them go (a process that stopped), dropping one taken over too often."""
        now = _now()
        taken: list[_Item] = []
        with self.db.transaction() as session:
            session.execute(
                update(InboxEntry)
                .where(InboxEntry.owner == self.owner)
                .values(claimed_until=now + self.hold)
            )
            lapsed = session.scalars(
                select(InboxEntry)
                .where(InboxEntry.platform == self.platform, InboxEntry.claimed_until < now)
                .order_by(InboxEntry.id)
                .limit(TAKE_AT_ONCE)
            ).all()
            for entry in lapsed:
                if entry.id in self._mine:
                    continue
                won = session.execute(
                    update(InboxEntry)
                    .where(InboxEntry.id == entry.id, InboxEntry.claimed_until < now)
                    .values(
                        owner=self.owner,
                        claimed_until=now + self.hold,
                        attempts=InboxEntry.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if getattr(won, "rowcount", 0) != 1:
                    continue  # another process took it first
                if entry.attempts >= MAX_ATTEMPTS:
                    log.error(
                        "dropped an acked %s request after %d tries", entry.kind, entry.attempts
                    )
                    session.execute(delete(InboxEntry).where(InboxEntry.id == entry.id))
                    continue
                self._mine.add(entry.id)
                taken.append((entry.id, entry.kind, dict(entry.body)))
        if taken:
            log.info("took over %d acked request(s) left by another process", len(taken))
        return taken

    def _release(self) -> None:
        past = _now() - timedelta(seconds=1)
        with self.db.transaction() as session:
            session.execute(
                update(InboxEntry).where(InboxEntry.owner == self.owner).values(claimed_until=past)
            )
