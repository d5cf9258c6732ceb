"""Writing outbound messages. Nothing is sent here: rows are written in the use case's transaction
and the delivery worker sends them, so a crash can neither lose a message nor send it twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from handlers.messages import Message
from storage.models import OutboxMessage, Person, Process


def enqueue(
    session: Session,
    message: Message,
    *,
    key: str,
    now: datetime,
    process: Process | None,
    channel_id: str | None = None,
    person: Person | None = None,
    reply_to_key: str | None = None,
    replaces_key: str | None = None,
    link_key: str | None = None,
    request_id: int | None = None,
) -> bool:
    """Queue `message` under the idempotency `key`. Returns False if that key was queued before."""
    if (channel_id is None) == (person is None):
        raise ValueError("a message goes to a channel or to a person")
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    platform = person.platform if person is not None else process.platform if process else None
    if platform is None:
        raise ValueError("a channel message needs its process")
    session.add(
        OutboxMessage(
            key=key,
            platform=platform,
            process_id=process.id if process is not None else None,
            target_kind="channel" if channel_id is not None else "person",
            channel_id=channel_id,
            person_id=person.id if person is not None else None,
            reply_to_key=reply_to_key,
            replaces_key=replaces_key,
            link_key=link_key,
            request_id=request_id,
            payload=message.to_json(),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return True


@dataclass(frozen=True)
class Outgoing:
    """One message of `enqueue_many`: to a person, with what `enqueue` takes beside."""

    message: Message
    key: str
    person: Person
    link_key: str | None = None
    request_id: int | None = None


def enqueue_many(
    session: Session, outgoing: Sequence[Outgoing], *, now: datetime, process: Process
) -> int:
    """`enqueue` for many DMs at once (a summary asking a thousand colleagues): one query for
    the keys queued before, which are skipped, and one insert. Returns how many were queued."""
    keys = [item.key for item in outgoing]
    queued: set[str] = set()
    for start in range(0, len(keys), 500):  # within every database's limit on parameters
        chunk = keys[start : start + 500]
        queued |= set(
            session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk)))
        )
    rows = []
    for item in outgoing:
        if item.key in queued:
            continue
        queued.add(item.key)  # and the same key twice in `outgoing` is queued once
        rows.append(
            {
                "key": item.key,
                "platform": item.person.platform,
                "process_id": process.id,
                "target_kind": "person",
                "channel_id": None,
                "person_id": item.person.id,
                "reply_to_key": None,
                "replaces_key": None,
                "link_key": item.link_key,
                "request_id": item.request_id,
                "payload": item.message.to_json(),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return len(rows)
