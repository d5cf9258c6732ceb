"""A summary's input requests, written as rows: one INSERT for all its absent colleagues."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert
from sqlalchemy.orm import Session

from handlers.inputs.reminders import first_reminder_at
from storage.models import InputRequest, Member, Process, Summary


class NewRequest(NamedTuple):
    """An input request just inserted as a row: what its DM and its key need."""

    id: int
    summary_id: int
    member_id: int


def insert_requests(
    session: Session, process: Process, summary: Summary, absentees: list[Member], now: datetime
) -> dict[int, NewRequest]:
    """One pending input request per absentee, by member id.

    Rows, not objects: a thousand InputRequest objects and their unit of work left Python's
    allocator about 1 MB larger for good (docs/benchmarks.md, the summary's bulk write). RETURNING
    gives the ids the DMs' buttons carry (SQLite 3.35+ and PostgreSQL alike)."""
    if not absentees:
        return {}
    reminder_at = first_reminder_at(process, summary, now)
    rows = [
        {
            "summary_id": summary.id,
            "member_id": m.id,
            "status": "pending",
            "reminders_sent": 0,
            "created_at": now,
            "next_reminder_at": reminder_at,
        }
        for m in absentees
    ]
    returned = session.execute(
        insert(InputRequest).returning(
            InputRequest.id, InputRequest.summary_id, InputRequest.member_id
        ),
        rows,
    )
    return {row.member_id: NewRequest(*row) for row in returned}
