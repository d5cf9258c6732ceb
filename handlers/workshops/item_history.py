"""The history of the process's open questions and decisions, for the record: every time one was
marked answered or changed, with what it said, when and by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from storage.models import ItemChange, Member, Person, Process, Summary, SummaryItem, Workshop
from storage.models.kinds import ItemStatus


@dataclass(frozen=True)
class ItemChangeEntry:
    status: ItemStatus
    text: str
    at: datetime
    by: str | None  # None once the facilitator's data is erased


def item_changes(session: Session, process: Process) -> dict[int, tuple[ItemChangeEntry, ...]]:
    """Per item id, its changes in the order they were made; one query."""
    rows = session.execute(
        select(ItemChange.item_id, ItemChange.status, ItemChange.text, ItemChange.at, Person.name)
        .join(SummaryItem, ItemChange.item_id == SummaryItem.id)
        .join(Summary, SummaryItem.summary_id == Summary.id)
        .join(Workshop, Summary.workshop_id == Workshop.id)
        .outerjoin(Member, ItemChange.by_member_id == Member.id)
        .outerjoin(Person, Member.person_id == Person.id)
        .where(Workshop.process_id == process.id)
        .order_by(ItemChange.at, ItemChange.id)
    ).all()
    changes: dict[int, list[ItemChangeEntry]] = {}
    for item_id, status, text, at, name in rows:
        changes.setdefault(item_id, []).append(ItemChangeEntry(status, text, at, name or None))
    return {item_id: tuple(entries) for item_id, entries in changes.items()}


def history_line(tr: Translator, change: ItemChangeEntry) -> str:
    """ "Besvaret mandag den 30. november 2026 af Mette Lund: Lederen af team Nord"."""
    day = tr.date(tr.local(change.at).date(), with_year=True)
    if change.status == "answered":
        line = tr._("Answered {date} by {name}") if change.by else tr._("Answered {date}")
    else:
        line = tr._("Changed {date} by {name}") if change.by else tr._("Changed {date}")
    return line.format(date=day, name=change.by) + f": {change.text}"
