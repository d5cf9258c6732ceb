"""Inbox rows written in groups: one writer thread takes whatever requests are waiting (up to
GROUP rows) and commits them in one transaction, so that a burst of 200 clicks costs a few
commits instead of 200 turns at SQLite's one write lock. Each waiting request is answered once
the commit holding its row is done, never before: acked means kept. A lone request waits for no
one (the writer does not linger to gather a group; what arrives during a commit is the next)."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import InboxEntry, ProcessedEvent
from storage.models.inbox import InboxKind

log = logging.getLogger(__name__)

GROUP = 100  # rows in one transaction at most: keeps each write lock short


@dataclass
class Keep:
    """One request to write down, and where its row id (or None: a `once_key` seen before)
    is to be delivered."""

    kind: InboxKind
    body: dict[str, Any]
    once_key: str | None
    loop: asyncio.AbstractEventLoop
    written: asyncio.Future[int | None] = field(repr=False)


@dataclass
class Row:
    """What an inbox row holds besides its request: who holds it, and since when."""

    platform: str
    owner: str
    hold: timedelta


class GroupWriter:
    def __init__(
        self,
        db: Database,
        row: Row,
        now: Callable[[], datetime],
        orphaned: Callable[[int, Keep], None],
    ) -> None:
        """`orphaned` gets a row written for a request that stopped waiting for it (its
        connection went away): the row is kept all the same, so someone must do its work."""
        self.db, self.row, self.now, self.orphaned = db, row, now, orphaned
        self._waiting: queue.SimpleQueue[Keep | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def keep(self, kind: InboxKind, body: dict[str, Any], once_key: str | None) -> int | None:
        loop = asyncio.get_running_loop()
        item = Keep(kind, body, once_key, loop, loop.create_future())
        self._ensure_thread()
        self._waiting.put(item)
        return await item.written

    def stop(self) -> None:
        """The writer finishes what is waiting, then ends."""
        with self._lock:
            if self._thread is not None:
                self._waiting.put(None)
                self._thread = None

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox-keep", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            group = [first]
            stopping = False
            while len(group) < GROUP:
                try:
                    item = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                group.append(item)
            self._write(group)
            if stopping:
                return

    def _write(self, group: list[Keep]) -> None:
        try:
            ids = self._insert(group)
        except IntegrityError:
            # A once_key seen before (a retried event, here or in another process): written one
            # by one, so that only that request learns it was kept already.
            for item in group:
                self._write_one(item)
            return
        except Exception as error:  # the database away: every request in the group is told
            for item in group:
                _deliver(item, error=error)
            return
        for item, entry_id in zip(group, ids, strict=True):
            self._settle(item, entry_id)

    def _write_one(self, item: Keep) -> None:
        try:
            (entry_id,) = self._insert([item])
        except IntegrityError as error:
            if not self._seen(item.once_key):  # refused for another reason: not kept
                _deliver(item, error=error)
                return
            entry_id = None
        except Exception as error:
            _deliver(item, error=error)
            return
        self._settle(item, entry_id)

    def _seen(self, once_key: str | None) -> bool:
        """Whether `once_key` is on record: only then was a refused row a retry."""
        if once_key is None:
            return False
        try:
            with self.db.transaction() as session:
                return session.get(ProcessedEvent, once_key) is not None
        except Exception:  # the database away: not known to be a retry, so not kept
            return False

    def _insert(self, group: list[Keep]) -> list[int | None]:
        now = self.now()
        row = self.row
        entries = [
            InboxEntry(
                platform=row.platform,
                kind=item.kind,
                body=item.body,
                owner=row.owner,
                claimed_until=now + row.hold,
                attempts=1,
                received_at=now,
            )
            for item in group
        ]
        with self.db.transaction() as session:
            for item in group:
                if item.once_key is not None:
                    session.add(ProcessedEvent(key=item.once_key, received_at=now))
            session.add_all(entries)
            session.flush()
            return [entry.id for entry in entries]

    def _settle(self, item: Keep, entry_id: int | None) -> None:
        _deliver(item, entry_id=entry_id, orphaned=self.orphaned)


def _deliver(
    item: Keep,
    *,
    entry_id: int | None = None,
    error: BaseException | None = None,
    orphaned: Callable[[int, Keep], None] | None = None,
) -> None:
    """Hands the outcome to the waiting request on its own event loop."""

    def settle() -> None:
        if item.written.done():  # cancelled: nobody will hand this row over
            if entry_id is not None and orphaned is not None:
                orphaned(entry_id, item)
            return
        if error is not None:
            item.written.set_exception(error)
        else:
            item.written.set_result(entry_id)

    try:
        item.loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop is closed: the process is stopping, the row is released
        log.warning("an inbox row was written for a request no longer waiting")
