"""Writing outbound messages. Nothing is sent here: rows are written in the use case's transaction
and the delivery worker sends them, so a crash can neither lose a message nor send it twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
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
