"""The inbox request a worker has in hand (bot.inbox), and how its row is marked `applied` in the
same transaction as the work's effect (storage.db.Database.transaction). Whoever does the work
again, after a crash between the effect and the answer or beside a process whose hold lapsed,
cannot apply it a second time: its transaction that writes finds the row applied, or gone, and
is rolled back (`AlreadyDone`). Work that only reads what was applied (the use case sees "you
have answered already") still answers the person: the row stays until the work is done.

This holds when a piece of work writes its effect in one transaction (later effects go through
the outbox in that same transaction). Writes that may safely be done again before it, such as
remembering who wrote, go in `bookkeeping()`: they leave the row for the effect."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql.elements import TextClause

from storage.models import InboxEntry

log = logging.getLogger(__name__)

WROTE = "samskab.wrote"  # in Session.info: this transaction changed something


class AlreadyDone(Exception):
    """The request's row was applied, or gone, as its effect was to be committed: it was done
    before (by a process that died before answering, or one that took it over). The transaction
    is rolled back, so nothing is applied twice."""


@dataclass(eq=False)
class InHand:
    entry_id: int
    applied: bool = False  # a transaction of this work marked the row, and committed
    # The row was applied (or gone) before this work wrote: its writes roll back (AlreadyDone).
    elsewhere: bool = False
    over: bool = False  # the work returned: tasks it started no longer carry the request
    # Two transactions of one piece of work committing at once: one marks the row, and the
    # other must see that it did rather than take the mark for another process's.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_in_hand: contextvars.ContextVar[InHand | None] = contextvars.ContextVar(
    "request_in_hand", default=None
)


@contextmanager
def working_on(entry_id: int) -> Iterator[None]:
    """Around a request's work: its first transaction that writes marks its row applied.
    The context flows into `asyncio.to_thread`, where the work's transactions run."""
    request = InHand(entry_id)
    token = _in_hand.set(request)
    try:
        yield
    finally:
        request.over = True
        _in_hand.reset(token)


@contextmanager
def bookkeeping() -> Iterator[None]:
    """Writes that may be done again without harm (where a conversation or a person was seen,
    before the use case reads them): they leave the mark to the work's effect, so a crash
    after them does the work again rather than losing it."""
    token = _in_hand.set(None)
    try:
        yield
    finally:
        _in_hand.reset(token)


def outside_request() -> contextvars.Context:
    """A context for a task that outlives the request or runs beside it (bot.background):
    its writes are its own, not the request's effect."""
    context = contextvars.copy_context()
    context.run(_in_hand.set, None)
    return context


def watch_writes(sessions: sessionmaker[Session]) -> None:
    """Marks in `Session.info` each session that changed something while a request is in hand:
    a flush with changes, or an INSERT, UPDATE or DELETE it executed (a text() statement counts
    unless it is a SELECT). Other sessions (the delivery worker's, the scheduler's) are not
    looked at."""

    def flushed(session: Session, _context: Any) -> None:
        if _in_hand.get() is None:
            return
        # A flush runs for objects that were only touched too; `new`, `dirty` and `deleted`
        # still hold what it wrote.
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            session.info[WROTE] = True

    def executed(state: ORMExecuteState) -> None:
        if _in_hand.get() is None:
            return
        statement = state.statement
        if isinstance(statement, TextClause):
            words = statement.text.split(maxsplit=1)
            if words and words[0].upper() != "SELECT":
                state.session.info[WROTE] = True
        elif state.is_insert or state.is_update or state.is_delete:
            state.session.info[WROTE] = True

    event.listen(sessions, "after_flush", flushed)
    event.listen(sessions, "do_orm_execute", executed)


@contextmanager
def committed(session: Session) -> Iterator[None]:
    """`session`'s one transaction (storage.db). When a request is in hand and the transaction
    wrote, the request's row is marked applied in it before it commits; a row applied already,
    or gone, means the request was done before (`AlreadyDone`: everything rolls back). The
    request counts as applied only once the commit succeeded: a failed one leaves the mark to
    the next write."""
    request = _in_hand.get()
    carried: InHand | None = None  # the request whose mark goes with this commit
    try:
        with session.begin():
            yield
            if request is not None and not request.over:
                session.flush()  # what is still pending counts as written
                if session.info.get(WROTE):
                    request.lock.acquire()
                    carried = request
                    _mark_applied(session, request)
        if carried is not None:
            carried.applied = True
    finally:
        if carried is not None:
            carried.lock.release()


def _mark_applied(session: Session, request: InHand) -> None:
    if request.elsewhere:
        raise AlreadyDone(f"request {request.entry_id} was done before")
    if request.applied:
        # The work wrote again after its effect: a crash between the two would lose this one.
        log.warning("request %d wrote in a second transaction", request.entry_id)
        return
    marked = session.execute(
        update(InboxEntry)
        .where(InboxEntry.id == request.entry_id, InboxEntry.applied.is_(False))
        .values(applied=True),
        execution_options={"synchronize_session": False},
    )
    if not getattr(marked, "rowcount", 0):
        request.elsewhere = True
        raise AlreadyDone(f"request {request.entry_id} was done before")
