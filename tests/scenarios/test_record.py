"""The record of the demo process, as a MED committee's secretary would read it: `/samskab
eksport` (Markdown) and `/samskab eksport csv` (Excel) in the console, and `samskab export` on
the command line. Steps with dates, workshops per track with attendance, each summary's items with
their status, input with what became of it (anonymous input without author or time, and input
still held back not at all), reach per workshop and the pulse."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import load_demo
from bot.demo_data import CHANNEL
from handlers.commands import handle_command
from handlers.context import ChannelRef, Deps
from handlers.i18n import Translator
from storage.models import Input, Invitation, Member, Person, Workshop
from tests.builders import person, row_counts
from tests.command_line import CommandLine
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
NAME = "Samskabt styring i socialpsykiatrien"
LAST_HELD = "Færre felter i journalen"
HELD_BACK = "Et hemmeligt forslag om vagtplanen"
PULSE = "Føler du dig opdateret om, hvor forløbet er?"


@pytest.fixture
def chat(deps: Deps, clock: Clock, tmp_path: Path) -> ConsoleDriver:
    """The demo, a day later: the process moved to step 4, with the pulse that brings."""
    load_demo(deps, Translator("da"))
    files = tmp_path / "files"  # beside the database file, not with it
    files.mkdir()
    driver = ConsoleDriver(deps, channel=CHANNEL, as_name=FACILITATOR, export_dir=files)
    clock.advance(days=1)
    posts = driver.type("/samskab trin 4")
    dms = {
        p.label.removeprefix("DM til "): p
        for p in posts
        if p.label.startswith("DM til ") and PULSE in p.body
    }
    # Three who were at the last workshop and three who were not answer the pulse.
    attended, absent = _invitees_of(deps, LAST_HELD)
    for name, score in zip(attended[:3], (4, 4, 5), strict=True):
        driver.type("/as " + name)
        driver.type("/click " + driver.button(dms[name], str(score)))
    for name, score in zip(absent[:2], (2, 3), strict=True):
        driver.type("/as " + name)
        driver.type("/click " + driver.button(dms[name], str(score)))
    driver.type("/as " + absent[2])
    driver.type(
        "/click " + driver.button(dms[absent[2]], "Tilføj en kommentar"),
        {"Dit svar": "2", "Kommentar": "Jeg hører mest om det på gangen."},
    )
    # Anonymous input to the process in general waits for three colleagues: nobody has seen it.
    driver.type("/as Anna Holm")
    driver.type(
        "/samskab input",
        {"Om": "Forløbet generelt", "Dit input": HELD_BACK, "Vis mit navn?": "Nej, anonymt"},
    )
    driver.type("/as " + FACILITATOR)
    return driver


def export(chat: ConsoleDriver, command: str, suffix: str) -> tuple[Post, bytes]:
    posts = chat.type(command)
    (saved,) = chat.session.export_dir.glob("*." + suffix)
    content = saved.read_bytes()
    saved.unlink()
    return posts[0], content


def test_the_markdown_record_of_the_demo_process(chat: ConsoleDriver, deps: Deps) -> None:
    answer, content = export(chat, "/samskab eksport", "md")
    assert answer.label == "kun til dig"
    assert f"Dokumentationen for »{NAME}« er klar: samskab-export-1-2026-11-24.md" in answer.body
    record = content.decode("utf-8")
    lines = record.splitlines()

    assert lines[0] == f"# {NAME}"
    assert "Dokumentation af forløbet, udarbejdet tirsdag den 24. november 2026." in lines
    assert "**Trin 4 af 6: Teste og implementere løsninger** · Status: aktivt" in lines
    # The steps with the day each began.
    assert "| Trin 3 af 6: Udvikle løsninger | torsdag den 24. september 2026 |" in lines
    assert "| Trin 4 af 6: Teste og implementere løsninger | tirsdag den 24. november 2026 |" in (
        lines
    )

    # The tracks in their order, each with its workshops: held ones with attendance, planned
    # ones with the number invited.
    tracks = [line for line in lines if line.startswith("## Spor: ")]
    assert tracks == ["## Spor: Visitation", "## Spor: Dokumentation", "## Spor: Budget"]
    first = _section(lines, "### Hvad giver bøvl i visitationen?")
    assert first[0] == (
        "### Hvad giver bøvl i visitationen? (mandag den 12. oktober 2026 kl. 13:00, holdt)"
    )
    assert "Deltog: 8 af 11 inviterede" in first
    planned = _section(lines, "### Visitationsmodellen – afprøvning")
    assert planned[0].endswith("kl. 13:00, planlagt)") and "Inviterede: 11" in planned

    # Decisions, open questions and next steps, each with its status.
    assert _after(first, "**Beslutninger**") == [
        "- Vi kortlægger tre borgerforløb i detaljer før næste workshop (åben)"
    ]
    assert _after(first, "**Åbne spørgsmål**") == [
        "- Kan udfører selv justere indsatsen inden for en ramme? (åben)"
    ]
    assert _after(first, "**Næste skridt**") == [
        "- Mette samler forløbene og sender dem rundt (åben)"
    ]
    budget = _section(lines, "### Budgetmodellen i dag")
    assert _after(budget, "**Åbne spørgsmål**") == [
        "- Hvordan følger vi op, hvis vi ikke tæller timer? (åben)",
        "- Hvad siger økonomiafdelingen? (åben)",
    ]

    # Reach: the colleagues asked, reached, answered (with input or without) and not answered.
    assert _reach(first) == [
        "- Spurgt om input: 3 kolleger, der ikke deltog",
        "- Nået: 3 af 3",
        "- Har svaret: 2 kolleger (2 med input, 0 uden)",
        "- Har ikke svaret: 1 kollega",
    ]
    second = _section(lines, "### Ny visitationsmodel – første udkast")
    assert "- Har svaret: 2 kolleger (1 med input, 1 uden)" in _reach(second)

    # Input with what became of it: named with its number, name and dates, anonymous by its
    # letters (handlers.inputs.references), with neither.
    letters = _reference(deps, "Vi skriver den samme sociale historik")
    assert _after(first, "**Input**") == [
        "- #1 · **Bo Sørensen** (tirsdag den 13. oktober 2026): Borgeren venter længst mellem "
        "bevilling og første besøg; det hul bør med i kortlægningen.",
        "  Status: brugt, fredag den 20. november 2026 · "
        "Ventetiden efter bevilling er med i de tre borgerforløb, vi kortlægger.",
        f"- {letters} · **En anonym kollega:** Vi skriver den samme sociale historik både i "
        "ansøgningen og i bestillingen.",
        "  Status: overvejet · Vi tager det op på næste workshop.",
    ]
    assert "  Status: ikke brugt · Det ligger uden for forløbets ramme; " in record
    unnamed = re.compile(r"- A-[A-Z]{3} · \*\*En anonym kollega:\*\*")
    anonymous = [i for i, line in enumerate(lines) if unnamed.match(line)]
    assert len(anonymous) == 3
    for i in anonymous:
        assert not re.search(r"20\d\d|kl\. \d", lines[i] + lines[i + 1]), lines[i : i + 2]
    for author in _anonymous_authors(deps):
        assert author not in record, author
    assert HELD_BACK not in record, "held back for anonymity: not in the record either"

    # The pulse of the step change, split by who attended the last workshop held.
    pulse = _section(lines, "## Pulsmåling: Føler du dig opdateret om, hvor forløbet er?")
    assert pulse[2:] == [
        "### Sendt tirsdag den 24. november 2026 · Trin 4 af 6: Teste og implementere løsninger",
        "",
        "- Gennemsnit: 3,3 ud af 5",
        "- Svarprocent: 20\xa0% (6 af 30)",
        f"- Deltog i »{LAST_HELD}«: 4,3 (3 svar)",
        "- Deltog ikke: 2,3 (3 svar)",
        "",
        "**Kommentarer**",
        "",
        "- Jeg hører mest om det på gangen.",
    ]


def test_the_csv_record_opens_in_danish_excel(chat: ConsoleDriver, deps: Deps) -> None:
    answer, content = export(chat, "/samskab eksport csv", "csv")
    assert "samskab-export-1-2026-11-24.csv" in answer.body
    # UTF-8 with a byte order mark, so Excel reads æ, ø and å; `;` as Danish Excel expects.
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, *body = rows
    assert header == [
        "Type",
        "Spor",
        "Workshop",
        "Dato",
        "Tekst",
        "Status",
        "Note",
        "Afsender",
        "Reference",
        "Værdi",
    ]
    assert all(len(row) == len(header) for row in body)
    record = [dict(zip(header, row, strict=True)) for row in body]

    def where(**match: str) -> list[dict[str, str]]:
        return [r for r in record if all(r[k] == v for k, v in match.items())]

    (process,) = where(Type="Forløb")
    assert (process["Tekst"], process["Status"], process["Værdi"]) == (NAME, "aktivt", "4")
    assert [(r["Dato"], r["Tekst"]) for r in where(Type="Trin")] == [
        ("2026-09-24", "Trin 3 af 6: Udvikle løsninger"),
        ("2026-11-24", "Trin 4 af 6: Teste og implementere løsninger"),
    ]
    workshop = "Hvad giver bøvl i visitationen?"
    (held,) = where(Type="Workshop", Workshop=workshop)
    assert (held["Spor"], held["Dato"], held["Status"]) == (
        "Visitation",
        "2026-10-12 13:00",
        "holdt",
    )
    assert {r["Tekst"]: r["Værdi"] for r in where(Type="Fremmøde", Workshop=workshop)} == {
        "Inviterede": "11",
        "Deltog": "8",
    }
    assert [(r["Tekst"], r["Status"]) for r in where(Type="Åbent spørgsmål", Spor="Budget")] == [
        ("Hvordan følger vi op, hvis vi ikke tæller timer?", "åben"),
        ("Hvad siger økonomiafdelingen?", "åben"),
    ]
    assert len(where(Type="Beslutning")) == 6 and len(where(Type="Næste skridt")) == 5
    reach = where(Type="Kolleger, der ikke deltog", Workshop=workshop)
    assert [(r["Tekst"], r["Værdi"], r["Note"]) for r in reach] == [
        ("Spurgt om input", "3", "3 kolleger, der ikke deltog"),
        ("Nået", "3", "3 af 3"),
        ("Har svaret", "2", "2 kolleger (2 med input, 0 uden)"),
        ("Har ikke svaret", "1", "1 kollega"),
    ]

    inputs = where(Type="Input", Workshop=workshop)
    assert [(r["Afsender"], r["Dato"], r["Status"], r["Note"]) for r in inputs] == [
        (
            "Bo Sørensen",
            "2026-10-13",
            "brugt",
            "Ventetiden efter bevilling er med i de tre borgerforløb, vi kortlægger.",
        ),
        ("En anonym kollega", "", "overvejet", "Vi tager det op på næste workshop."),
    ]
    letters = _reference(deps, "Vi skriver den samme sociale historik")
    assert [r["Reference"] for r in inputs] == ["#1", letters]
    anonymous = where(Type="Input", Afsender="En anonym kollega")
    assert len(anonymous) == 3 and all(r["Dato"] == "" for r in anonymous)
    assert all(re.fullmatch(r"A-[A-Z]{3}", r["Reference"]) for r in anonymous)
    for author in _anonymous_authors(deps):
        assert author not in text, author
    assert HELD_BACK not in text

    pulse = {r["Tekst"]: (r["Værdi"], r["Note"]) for r in where(Type="Pulsmåling")}
    assert pulse["Spurgt"] == ("30", "") and pulse["Svarede"] == ("6", "")
    assert pulse["Gennemsnit"] == ("3,3", "")
    assert pulse["Gennemsnit, deltog"] == ("4,3", "3 svar")
    assert pulse["Gennemsnit, deltog ikke"] == ("2,3", "3 svar")
    assert [r["Tekst"] for r in where(Type="Kommentar til pulsmåling")] == [
        "Jeg hører mest om det på gangen."
    ]


def test_a_formula_in_someones_words_stays_words_in_excel(chat: ConsoleDriver) -> None:
    chat.type("/as Bo Sørensen")
    chat.type(
        "/samskab input",
        {
            "Om": "Hvad giver bøvl i visitationen?",
            "Dit input": '=HYPERLINK("http://evil","klik")',
            "Vis mit navn?": "Ja, med mit navn",
        },
    )
    chat.type("/as " + FACILITATOR)
    _, content = export(chat, "/samskab eksport csv", "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    (row,) = [r for r in rows if "HYPERLINK" in r[4]]
    assert row[4] == '\'=HYPERLINK("http://evil","klik")' and row[7] == "Bo Sørensen"


def test_someone_outside_the_process_gets_no_record(chat: ConsoleDriver, deps: Deps) -> None:
    before = row_counts(deps)
    where = ChannelRef("console", "local", CHANNEL, CHANNEL)
    for command in ("eksport", "eksport csv"):
        reply = handle_command(deps, person("Ulla Udenfor"), where, command)
        assert reply.attachment is None and reply.message is not None
        assert reply.message.text == f"Du er ikke med i forløbet »{NAME}«."
    assert row_counts(deps) == before, "nothing is written, not even the person"
    reply = handle_command(deps, person(FACILITATOR), where, "eksport pdf")
    assert reply.attachment is None and reply.message is not None
    assert "/samskab eksport csv" in reply.message.text


def test_the_console_saves_the_record_and_a_persons_own_data_as_files(chat: ConsoleDriver) -> None:
    for command in ("/samskab eksport", "/samskab eksport csv"):
        posts = chat.type(command)
        assert "Filen er gemt: " in chat.last_text and posts[0].label == "kun til dig"
    chat.type("/as Anna Holm")
    chat.type("/samskab minedata")
    files = chat.session.export_dir
    assert sorted(p.suffix for p in files.iterdir()) == [".csv", ".json", ".md"]
    (mine,) = files.glob("*.json")
    assert "Anna Holm" in mine.read_text(encoding="utf-8")


def test_the_command_line_writes_the_record(samskab: CommandLine, tmp_path: Path) -> None:
    assert samskab("demo").returncode == 0
    markdown = samskab("export", "--process", "1")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith(f"# {NAME}\n")
    assert "- Har svaret: 2 kolleger (2 med input, 0 uden)\n" in markdown.stdout

    saved = samskab("export", "--process", "1", "--format", "csv", "--output", "r.csv")
    assert saved.returncode == 0, saved.stderr
    assert "Dokumentationen er gemt i r.csv." in saved.stdout
    content = (tmp_path / "r.csv").read_bytes()
    assert content.startswith("\ufeffType;Spor;Workshop;".encode())
    assert "Hvad giver bøvl i visitationen?" in content.decode("utf-8")

    unknown = samskab("export", "--process", "99", "--format", "csv")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "samskab: Der er intet forløb med id 99." in unknown.stderr
    assert "Traceback" not in unknown.stderr


# --- helpers -----------------------------------------------------------------------------------


def _section(lines: list[str], heading: str) -> list[str]:
    """The lines from `heading` up to the next heading of its level or above."""
    level = heading.split(" ")[0]
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].startswith("#") and len(lines[i].split(" ")[0]) <= len(level)
        ),
        len(lines),
    )
    return lines[start:end]


def _after(section: list[str], title: str) -> list[str]:
    """The block of lines under a bold title, up to the next empty line."""
    start = section.index(title) + 2
    end = section.index("", start)
    return section[start:end]


def _invitees_of(deps: Deps, title: str) -> tuple[list[str], list[str]]:
    with deps.db.transaction() as session:
        rows = session.execute(
            select(Person.name, Invitation.attended)
            .join(Member, Member.person_id == Person.id)
            .join(Invitation, Invitation.member_id == Member.id)
            .join(Workshop, Invitation.workshop_id == Workshop.id)
            .where(Workshop.title == title)
            .order_by(Person.name)
        ).all()
    attended = [name for name, came in rows if came and name != FACILITATOR]
    return attended, [name for name, came in rows if not came]


def _reference(deps: Deps, text: str) -> str:
    """How the input that begins with `text` is named: "#2", or an anonymous one's letters."""
    with deps.db.transaction() as session:
        reference = session.scalars(
            select(Input.reference).where(Input.text.startswith(text))
        ).one()
    assert reference is not None
    return reference


def _anonymous_authors(deps: Deps) -> list[str]:
    """Who wrote the demo's anonymous inputs: never named next to them, so never in the record
    (none of them gave named input)."""
    with deps.db.transaction() as session:
        named = set(
            session.scalars(
                select(Person.name)
                .join(Member, Member.person_id == Person.id)
                .join(Input, Input.author_member_id == Member.id)
                .where(Input.anonymous.is_(False))
            )
        )
        anonymous = set(
            session.scalars(
                select(Person.name)
                .join(Member, Member.person_id == Person.id)
                .join(Input, Input.author_member_id == Member.id)
                .where(Input.anonymous.is_(True))
            )
        )
    assert anonymous and not anonymous & named
    return sorted(anonymous)


def _reach(section: list[str]) -> list[str]:
    """The reach lines of a workshop: the list that begins with the colleagues asked."""
    start = next(i for i, line in enumerate(section) if line.startswith("- Spurgt om input:"))
    return section[start : section.index("", start)]
