"""The audit log: who changed what, in ids and counts."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import AuditEntry, Person, Process


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    process: Process | None,
    actor: Person | None,
    **detail: object,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            process_id=process.id if process is not None else None,
            actor_person_id=actor.id if actor is not None else None,
            action=action,
            detail=json.dumps(detail, sort_keys=True, default=str),
        )
    )
