"""The inbox's grouped writer: requests arriving together share one commit, and each learns its
row id (which is when its ack may go) only once that commit is done, seen from any other
connection. A retried event is still kept once; a request that stopped waiting still has its
work done."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import InboxEntry
from storage.models.inbox import InboxKind
from tests.waiting import eventually_async

CLICKS = 50


def _committed(url: str, entry_id: int) -> bool:
    """Whether the row is in the database for a connection of its own (a restarted process)."""
    other = Database(url)
    try:
        with other.transaction() as session:
            found = session.scalar(select(InboxEntry.id).where(InboxEntry.id == entry_id))
    finally:
        other.dispose()
    return found == entry_id


def _rows(db: Database) -> list[InboxEntry]:
    with db.transaction() as session:
        return list(session.scalars(select(InboxEntry).order_by(InboxEntry.id)))


def test_fifty_clicks_at_once_are_each_committed_before_they_are_acknowledged(
    database_url: str,
) -> None:
    db = Database(database_url)
    inbox = Inbox(db, "slack")

    async def click(n: int) -> tuple[int, bool]:
        entry_id = await inbox.keep("action", {"click": n})
        assert entry_id is not None
        # The moment the ack would go: the row must already be kept for anyone who looks.
        return entry_id, _committed(database_url, entry_id)

    async def burst() -> list[tuple[int, bool]]:
        return await asyncio.gather(*(click(n) for n in range(CLICKS)))

    answered = asyncio.run(burst())
    assert all(seen for _, seen in answered), "a click acknowledged before its row was committed"
    rows = _rows(db)
    assert len(rows) == CLICKS
    assert {row.body["click"] for row in rows} == set(range(CLICKS))
    assert {row.id for row in rows} == {entry_id for entry_id, _ in answered}
    # Rows written in one transaction share its moment: fewer moments than clicks means the
    # burst did not take fifty turns at the write lock.
    assert len({row.received_at for row in rows}) < CLICKS
    db.dispose()


def test_a_retried_event_is_kept_once_even_when_both_arrive_together(database_url: str) -> None:
    db = Database(database_url)
    inbox = Inbox(db, "slack")

    async def arrive() -> list[int | None]:
        body = {"event_id": "Ev1"}
        together = [
            inbox.keep("event", body, once_key="slack:event:Ev1"),
            inbox.keep("event", body, once_key="slack:event:Ev1"),
            inbox.keep("action", {"click": 1}),
        ]
        first = await asyncio.gather(*together)
        later = await inbox.keep("event", body, once_key="slack:event:Ev1")
        return [*first, later]

    twice, once_more, click, later = asyncio.run(arrive())
    assert [twice is None, once_more is None].count(True) == 1, "kept exactly once"
    assert click is not None, "a click beside a retried event is kept all the same"
    assert later is None, "a retry arriving later is known"
    assert [row.kind for row in _rows(db)] == ["event", "action"]
    db.dispose()


def test_a_request_that_stops_waiting_for_its_row_still_has_its_work_done(
    database_url: str,
) -> None:
    db = Database(database_url)
    inbox = Inbox(db, "slack")
    done: list[dict[str, Any]] = []

    async def work(kind: InboxKind, body: dict[str, Any]) -> None:
        done.append(body)

    async def scenario() -> None:
        inbox.start(work)
        waiting = asyncio.create_task(inbox.keep("action", {"click": "gone"}))
        await asyncio.sleep(0)  # the row is on its way to the writer
        waiting.cancel()  # the connection closed before the ack
        await eventually_async(lambda: done == [{"click": "gone"}])
        await eventually_async(lambda: _count(db) == 0)
        await inbox.stop(5)

    asyncio.run(scenario())
    db.dispose()


def _count(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry)) or 0
