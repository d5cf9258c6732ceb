"""Storage limitation: the personal data of a process closed longer than the retention period is
erased; the record stays (the process, its tracks, workshops, summaries and their items, the
input texts without authors, and the numbers: attendance, reach and pulse results).

Each membership is moved to a blank stand-in person of its own, so invitations, requests for
input and pulse answers still count but point to nobody. What goes: the subscriptions; the links
from inputs, summaries and the log to people; the process's outbox (the copies of what was sent);
and the people who are then in no process at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from handlers import audit
from handlers.context import Deps
from handlers.i18n import N_, Translator
from storage.db import run_bulk
from storage.models import (
    AuditEntry,
    Input,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
    Subscription,
    Summary,
    TeamsReference,
    Workshop,
)

COUNT_LABELS = {
    "members": N_("members made anonymous"),
    "subscriptions": N_("subscriptions"),
    "pulse_answers": N_("pulse answers made anonymous"),
    "inputs_unlinked": N_("inputs made anonymous"),
    "summaries_unlinked": N_("summaries without author"),
    "audit_entries_unlinked": N_("log entries without person"),
    "outbox_messages": N_("stored messages"),
    "people": N_("people"),
}


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
    for erased in report.processes:
        counts = ", ".join(
            f"{tr._(label)}: {erased.counts[key]}" for key, label in COUNT_LABELS.items()
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


def _counts(session: Session, process: Process) -> dict[str, int]:
    summaries = select(Summary.id).join(Workshop).where(Workshop.process_id == process.id)

    def count(entity: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(entity).where(*where)) or 0

    return {
        "members": count(Member, Member.process_id == process.id),
        "subscriptions": count(Subscription, Subscription.process_id == process.id),
        "pulse_answers": count(
            PulseAnswer,
            PulseAnswer.pulse_id.in_(select(Pulse.id).where(Pulse.process_id == process.id)),
        ),
        "inputs_unlinked": count(
            Input, Input.process_id == process.id, Input.author_member_id.is_not(None)
        ),
        "summaries_unlinked": count(
            Summary, Summary.id.in_(summaries), Summary.author_member_id.is_not(None)
        ),
        "audit_entries_unlinked": count(
            AuditEntry,
            AuditEntry.process_id == process.id,
            AuditEntry.actor_person_id.is_not(None),
        ),
        "outbox_messages": count(OutboxMessage, OutboxMessage.process_id == process.id),
        "people": len(_people_only_here(session, process)),
    }


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
    people = _people_only_here(session, process)
    person_ids = [p.id for p in people]
    user_ids = [p.user_id for p in people]
    run_bulk(
        session,
        update(Input)
        .where(Input.process_id == process.id)
        .values(author_member_id=None, anonymous=True),
    )
    run_bulk(
        session,
        update(Summary)
        .where(
            Summary.id.in_(
                select(Summary.id).join(Workshop).where(Workshop.process_id == process.id)
            )
        )
        .values(author_member_id=None),
    )
    run_bulk(
        session,
        update(AuditEntry)
        .where((AuditEntry.process_id == process.id) | AuditEntry.actor_person_id.in_(person_ids))
        .values(actor_person_id=None),
    )
    run_bulk(session, delete(OutboxMessage).where(OutboxMessage.process_id == process.id))
    run_bulk(session, delete(Subscription).where(Subscription.process_id == process.id))
    pulses = select(Pulse.id).where(Pulse.process_id == process.id)
    for member in session.scalars(select(Member).where(Member.process_id == process.id)).all():
        stand_in = Person(
            platform=process.platform,
            workspace=process.workspace,
            user_id=f"erased:{member.id}",
            name="",
            locale=None,
        )
        session.add(stand_in)
        session.flush()
        run_bulk(
            session,
            update(PulseAnswer)
            .where(PulseAnswer.pulse_id.in_(pulses), PulseAnswer.person_id == member.person_id)
            .values(person_id=stand_in.id, comment=None),
        )
        member.person_id, member.active = stand_in.id, False
    session.flush()
    # People in no process any more: what is left of them elsewhere (a DM of their own data).
    run_bulk(session, delete(OutboxMessage).where(OutboxMessage.person_id.in_(person_ids)))
    run_bulk(session, delete(PulseAnswer).where(PulseAnswer.person_id.in_(person_ids)))
    run_bulk(
        session,
        delete(TeamsReference).where(
            TeamsReference.kind == "user", TeamsReference.key.in_(user_ids)
        ),
    )
    run_bulk(session, delete(Person).where(Person.id.in_(person_ids)))
    session.expire_all()
    process.status, process.erased_at = "erased", now
