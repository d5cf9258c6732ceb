"""Storage limitation: the personal data of a process closed longer than the retention period is
erased; the record stays (the process, its tracks, workshops, summaries and their items, the
input texts without authors, and the numbers: attendance, reach and pulse results).

Each membership is moved to a blank stand-in person of its own, so invitations, requests for
input and pulse answers still count but point to nobody. What goes: the subscriptions; the links
from inputs, summaries and the log to people; the process's outbox (the copies of what was sent);
and the people who are then in no process at all. What each table undergoes is declared in
handlers.privacy.data_map."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from handlers import audit
from handlers.context import Deps
from handlers.i18n import N_, Translator
from handlers.privacy.data_map import personal_tables
from handlers.privacy.erasure import forget_rows, move_to_stand_ins
from handlers.privacy.personal_table import (
    Counted,
    Delete,
    Keep,
    MoveToStandIn,
    PersonalTable,
    Unlink,
    Whose,
    labelled,
)
from handlers.status.changed import status_changed
from storage.db import run_bulk
from storage.models import Member, Person, Process

# Those who go with the process, being in no other.
PEOPLE = Counted("people", labelled(N_("people")))


@dataclass(frozen=True)
class ProcessErasure:
    process_id: int
    name: str
    closed_on: date  # in the process's timezone
    counts: dict[str, int]


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    retention_days: int
    processes: list[ProcessErasure] = field(default_factory=list)


def erase_due(deps: Deps, retention_days: int, *, dry_run: bool) -> RetentionReport:
    """Erase (or, with `dry_run`, only count) the personal data of every process closed more
    than `retention_days` ago. One transaction per process; a process another replica erased
    meanwhile is skipped."""
    now = deps.clock()
    cutoff = now - timedelta(days=retention_days)
    with deps.db.transaction() as session:
        due = list(session.scalars(_due(cutoff).with_only_columns(Process.id)))
    report = RetentionReport(dry_run, retention_days)
    for process_id in due:
        with deps.db.transaction() as session:
            # Locked (PostgreSQL): a second replica waits, then finds it erased and skips it.
            process = session.scalar(
                _due(cutoff).where(Process.id == process_id).with_for_update(of=Process)
            )
            if process is None:
                continue
            assert process.closed_at is not None  # _due
            counts = _counts(session, process)
            closed_on = process.closed_at.astimezone(ZoneInfo(process.timezone)).date()
            report.processes.append(ProcessErasure(process.id, process.name, closed_on, counts))
            if not dry_run:
                _erase(session, process, now)
                audit.record(
                    session, "process.erased", at=now, process=process, actor=None, **counts
                )
    return report


def describe(report: RetentionReport, tr: Translator) -> list[str]:
    """What `samskab purge` prints: per process its name, the day it closed, and the counts."""
    if not report.processes:
        return [
            tr._("No closed process has passed the retention period ({days} days).").format(
                days=report.retention_days
            )
        ]
    n = len(report.processes)
    if report.dry_run:
        head = tr.ngettext(
            "Would erase the personal data of {n} process (dry run; nothing is erased):",
            "Would erase the personal data of {n} processes (dry run; nothing is erased):",
            n,
        )
    else:
        head = tr.ngettext(
            "Erased the personal data of {n} process:",
            "Erased the personal data of {n} processes:",
            n,
        )
    lines = [head.format(n=n)]
    counted = [c for _, c in _counted(personal_tables())] + [PEOPLE]
    said = {c.key: c.told for c in counted if c.told is not None}
    for erased in report.processes:
        counts = ", ".join(
            said[key](tr, n) if key in said else f"{key}: {n}" for key, n in erased.counts.items()
        )
        lines.append(
            "- "
            + tr._("“{name}” (closed {date}): {counts}").format(
                name=erased.name, date=tr.date(erased.closed_on, with_year=True), counts=counts
            )
        )
    return lines


# --- helpers -----------------------------------------------------------------------------------


def _due(cutoff: datetime) -> Select[Process]:
    return (
        select(Process)
        .where(Process.status == "closed", Process.closed_at <= cutoff)
        .order_by(Process.closed_at, Process.id)
    )


def _counted(tables: tuple[PersonalTable, ...]) -> list[tuple[PersonalTable, Counted]]:
    """What retention counts of each table, in the map's order."""
    return [
        (t, t.retain.counted)
        for t in tables
        if not isinstance(t.retain, Keep) and t.retain.counted is not None
    ]


def _counts(session: Session, process: Process) -> dict[str, int]:
    """What a process's erasure changes: the rows of each table it deletes, moves or unlinks
    (those still linked), and the people who go with it."""
    counts: dict[str, int] = {}
    for table, counted in _counted(personal_tables()):
        where = [table.rows_in([process.id])]
        if isinstance(table.retain, Unlink):
            where.append(table.column.is_not(None))
        elif isinstance(table.retain, Delete):
            where += table.retain.only
        count = select(func.count()).select_from(table.model).where(*where)
        counts[counted.key] = session.scalar(count) or 0
    counts[PEOPLE.key] = len(_people_only_here(session, process))
    return counts


def _people_only_here(session: Session, process: Process) -> list[Person]:
    """Members of this process who are in no other process: their person rows go too."""
    elsewhere = select(Member.person_id).where(Member.process_id != process.id)
    return list(
        session.scalars(
            select(Person)
            .join(Member, Member.person_id == Person.id)
            .where(Member.process_id == process.id, Person.id.not_in(elsewhere))
        )
    )


def _erase(session: Session, process: Process, now: datetime) -> None:
    """As the data map says: the process's rows are deleted, unlinked or moved to a stand-in of
    their membership; then the people in no other process go, as forget-me would erase them."""
    tables = personal_tables()
    people = _people_only_here(session, process)
    here = [process.id]
    for table in tables:
        if isinstance(table.retain, Unlink):
            values = {table.column.key: None, **table.retain.values}
            run_bulk(session, update(table.model).where(table.rows_in(here)).values(values))
        elif isinstance(table.retain, Keep) and table.retain.values:
            values = dict(table.retain.values)
            run_bulk(session, update(table.model).where(table.rows_in(here)).values(values))
        elif isinstance(table.retain, Delete):
            rows = table.rows_in(here)
            run_bulk(session, delete(table.model).where(rows, *table.retain.only))
    members = session.scalars(select(Member).where(Member.process_id == process.id)).all()
    moves = [(t, t.retain) for t in tables if isinstance(t.retain, MoveToStandIn)]
    move_to_stand_ins(session, members, moves)
    session.flush()
    # People in no process any more: what is left of them elsewhere (a DM of their own data).
    forget_rows(session, Whose.of(session, people), tables)
    session.expire_all()
    process.status, process.erased_at = "erased", now
    status_changed(session, process.id)  # its live status document, too, forgets the names
