"""Remembering inbound events already handled, across restarts and replicas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedEvent


def first_time(db: Database, key: str, now: datetime) -> bool:
    """Record `key`; True the first time, False for a retry or a duplicate. The primary key
    decides, so two replicas receiving the same retry agree on which of them handles it."""
    try:
        with db.transaction() as session:
            session.add(ProcessedEvent(key=key, received_at=now))
        return True
    except IntegrityError:
        return False


def forget(db: Database, key: str) -> None:
    """Let `key` be handled again (a modal sent back with errors may be submitted again)."""
    with db.transaction() as session:
        session.query(ProcessedEvent).filter(ProcessedEvent.key == key).delete()
