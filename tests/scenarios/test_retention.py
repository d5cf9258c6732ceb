"""Storage limitation: a closed process keeps its personal data for the retention period, then the
scheduled job erases it and keeps the record; `samskab purge --dry-run` shows what it would erase
and erases nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from handlers.context import Deps
from handlers.i18n import Translator
from handlers.interactions import press_button, submit_form
from handlers.privacy.retention import describe, erase_due
from handlers.record.export import record_file
from schedules.jobs import Runtime, run_retention
from storage.models import (
    AuditEntry,
    Input,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
    Summary,
    SummaryItem,
)
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.command_line import CommandLine
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver
from tests.scenarios.test_privacy import traces_of

METTE, ANNA, BO = person("Mette Lund"), person("Anna Holm"), person("Bo Sørensen")
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
ODDER = channel("odder", [METTE, ANNA, BO, EMIL, FRIDA, GITTE])
OTHER = channel("aarhus", [METTE, ANNA])  # Mette and Anna are in another process too
CLOSED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def closed_process(deps: Deps, clock: Clock, tmp_path: Path) -> int:
    """A process with members, input (named and anonymous), pulse answers and a subscription,
    closed on 1 December 2026."""
    set_up(deps, ODDER, METTE)
    set_up(deps, OTHER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, BO, EMIL, FRIDA, GITTE])
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA, BO])
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.deliver()
    for who, text, named in (
        ("Emil Vestergaard", "Husk nattevagterne.", "Ja, med mit navn"),
        ("Frida Juhl", "Giv borgerne tid.", "Nej, anonymt"),
        ("Gitte Møller", "Tænk på de pårørende.", "Ja, med mit navn"),
    ):
        chat.type("/as " + who)
        dm = chat.received_by("DM til " + who)[0]
        chat.type(
            "/click " + chat.button(dm, "Giv input"), {"Dit input": text, "Vis mit navn?": named}
        )
    chat.type("/samskab abonnér")
    chat.type("/as Mette Lund")
    chat.type("/samskab puls")
    with deps.db.transaction() as session:
        pulse_id = session.scalars(select(Pulse.id)).one()
    for answering in (ANNA, BO, EMIL):
        press_button(deps, answering, "pulse.answer", f"{pulse_id}:4")
    clock.set(CLOSED)
    outcome = submit_form(deps, METTE, ODDER, "close", {}, {"confirm": "close"})
    assert outcome.ok and outcome.reply.message is not None
    assert "slettes onsdag den 1. december 2027" in outcome.reply.message.text
    chat.deliver()
    with deps.db.transaction() as session:
        return session.scalars(select(Process.id).where(Process.channel_id == "odder")).one()


def test_retention_erases_a_closed_process_once_its_period_has_passed(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    process_id = closed_process(deps, clock, tmp_path)
    runtime = Runtime(deps)

    # Before the period has passed: nothing, whatever the job or a dry run says.
    clock.set(datetime(2027, 11, 30, 12, 0, tzinfo=UTC))
    before = row_counts(deps)
    assert asyncio.run(run_retention(runtime)) == 0
    assert erase_due(deps, 365, dry_run=True).processes == []
    assert row_counts(deps) == before

    # After it: a dry run lists the process with its counts and erases nothing.
    clock.set(datetime(2027, 12, 1, 12, 0, tzinfo=UTC))
    dry = erase_due(deps, 365, dry_run=True)
    assert [(p.process_id, p.name, p.closed_on.isoformat()) for p in dry.processes] == [
        (process_id, "Forløb i odder", "2026-12-01")
    ]
    counts = dry.processes[0].counts
    assert counts["members"] == 6 and counts["people"] == 4  # Mette and Anna are in "aarhus"
    assert counts["pulse_answers"] == 3 and counts["subscriptions"] == 1
    assert counts["inputs_unlinked"] == 3
    lines = describe(dry, Translator("da"))
    assert lines[0] == (
        "Personoplysningerne i 1 forløb ville blive slettet (prøvekørsel; intet er slettet):"
    )
    assert lines[1].startswith("- »Forløb i odder« (lukket tirsdag den 1. december 2026): ")
    assert "medlemmer gjort anonyme: 6" in lines[1] and "personer: 4" in lines[1]
    assert row_counts(deps) == before, "a dry run erases nothing"

    # The scheduled job erases it.
    assert asyncio.run(run_retention(runtime)) == 1
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        assert process is not None and process.status == "erased"
        assert process.erased_at == datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
        # Each membership now belongs to a blank stand-in: the numbers stay, the people go.
        stand_ins = session.scalars(
            select(Person).join(Member).where(Member.process_id == process_id)
        ).all()
        assert len(stand_ins) == 6 and {p.name for p in stand_ins} == {""}
        assert all(p.user_id.startswith("erased:") for p in stand_ins)
        assert (
            session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.process_id == process_id)
            )
            == 0
        )
        # The record stays: the summary and its items, and the input texts, without authors.
        assert session.scalar(select(Summary.text)) == "Vi nåede langt."
        assert session.scalar(select(func.count(SummaryItem.id))) == 2
        inputs = session.execute(select(Input.text, Input.anonymous, Input.author_member_id)).all()
        assert sorted(inputs) == [
            ("Giv borgerne tid.", True, None),
            ("Husk nattevagterne.", True, None),
            ("Tænk på de pårørende.", True, None),
        ]
        assert session.scalar(select(func.count(PulseAnswer.id))) == 3, "answers, anonymous"
        assert not set(session.scalars(select(PulseAnswer.comment))) - {None}
        people = set(session.scalars(select(Person.name))) - {""}
        assert people == {"Mette Lund", "Anna Holm"}, "those in no other process are gone"
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.process_id == process_id)
        ).all()
        assert all(e.actor_person_id is None for e in entries)
        erased = next(e for e in entries if e.action == "process.erased")
        assert json.loads(erased.detail) == counts
    for gone in (BO, EMIL, FRIDA, GITTE):
        assert traces_of(deps, gone.user_id, gone.name) == [], gone.name
    # The record still counts: attendance, reach and the pulse, without anyone in them.
    record = record_file(deps, process_id, "md")
    assert record is not None
    assert "Deltog: 3 af 6 inviterede" in record.content
    assert "4,0" in record.content, "the pulse's average"
    assert "Emil" not in record.content and "Husk nattevagterne." in record.content
    after = row_counts(deps)
    assert after["members"] == 2 + 6 and after["pulse_answers"] == 3

    # Once only: it is erased, not closed, so the next run finds nothing.
    assert asyncio.run(run_retention(runtime)) == 0
    assert row_counts(deps) == after


def test_purge_dry_run_through_the_cli_lists_the_closed_process(samskab: CommandLine) -> None:
    assert samskab("demo").returncode == 0
    closing = samskab("console", stdin="/samskab luk\n1\n")
    assert closing.returncode == 0, closing.stderr
    assert "Forløbet »Samskabt styring i socialpsykiatrien« er lukket" in closing.stdout

    kept = samskab("purge", "--dry-run")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "Intet lukket forløb har passeret slettefristen (365 dage)."

    now = {"SAMSKAB_RETENTION_DAYS": "0"}
    dry = samskab("purge", "--dry-run", env=now)
    assert dry.returncode == 0, dry.stderr
    assert "ville blive slettet (prøvekørsel; intet er slettet)" in dry.stdout
    assert "»Samskabt styring i socialpsykiatrien« (lukket " in dry.stdout
    assert "medlemmer gjort anonyme: " in dry.stdout
    again = samskab("purge", "--dry-run", env=now)
    assert again.stdout == dry.stdout, "the dry run erased nothing"

    purged = samskab("purge", env=now)
    assert purged.returncode == 0, purged.stderr
    assert "Personoplysningerne i 1 forløb er slettet:" in purged.stdout
    after = samskab("purge", env=now)
    assert "Intet lukket forløb har passeret slettefristen (0 dage)." in after.stdout
