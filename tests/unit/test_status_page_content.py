"""What the status page shows, gathered from a process built through the real use cases: the
steps with the days they began, a workshop held and one planned, a decision and an answered
question, input marked used (an anonymous one's author nowhere), the bøvl round without counts
while it runs and with its top once closed, the pulse with a small group hidden as the digest
hides it; and the number of SQL statements, the same for a process three times larger."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from bench.process_data import Size, build_process
from handlers.context import Deps
from handlers.interactions import submit_form
from handlers.status.page_content import StatusPage, gather_page
from storage.db import Database
from storage.models import Process
from tests.builders import (
    add_hassle,
    channel,
    person,
    plan,
    set_up,
    start_hassle_round,
    summarise,
    with_ballot_key,
)
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE = person("Mette Lund")  # the facilitator
ATTENDED = [person("Anna Holm"), person("Bo Sørensen"), person("Camilla Friis")]
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
ODDER = channel("odder", [METTE, *ATTENDED, EMIL, FRIDA, GITTE])
HELD = "Ny visitationsmodel"
PLANNED = "Visitationsmodellen – afprøvning"
DECISION = "Bestillingen skrives i borgerens egne ord"
QUESTION = "Hvem indkalder til mødet?"
ANONYMOUS = "Husk nattevagterne i modellen."
NAMED = "Borgerne skal kunne forberede sig."


@pytest.fixture
def chat(deps: Deps, clock: Clock, tmp_path: Path) -> ConsoleDriver:
    """Mette's process in step 2: a workshop held on 23 November with Anna, Bo and Camilla (Emil,
    Frida and Gitte were invited and did not come), one planned for 7 December; Emil's input
    (anonymous) used, Frida's named one not marked; the question answered; then step 3."""
    deps = with_ballot_key(deps)
    set_up(deps, ODDER, METTE, step="2", anonymity="2")
    invited = [METTE, *ATTENDED, EMIL, FRIDA, GITTE]
    held = plan(deps, ODDER, METTE, invited, title=HELD)
    plan(deps, ODDER, METTE, invited, title=PLANNED, when="2026-12-07 13:00")
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    summarise(
        deps, ODDER, METTE, held, [METTE, *ATTENDED], decisions=DECISION, open_questions=QUESTION
    )
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    _give_input(driver, "Emil Vestergaard", ANONYMOUS, anonymous=True)
    _give_input(driver, "Frida Juhl", NAMED, anonymous=False)
    post = next(p for p in driver.transcript if ANONYMOUS in p.body and p.label.startswith("#"))
    driver.type("/as Mette Lund")
    driver.type(
        "/click " + driver.button(post, "Brugt"),
        {"Note til den, der gav inputtet": "Nattevagten er med i model B."},
    )
    listing = driver.type("/samskab spørgsmål")[0]
    driver.type(f"/samskab spørgsmål {_number_of(listing, QUESTION)} Lederen af team Nord")
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    driver.type("/samskab trin 3")
    return driver


def test_steps_workshops_items_and_what_became_of_input(deps: Deps, chat: ConsoleDriver) -> None:
    page = _gather(deps, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))

    assert (page.name, page.language, page.timezone) == (
        "Forløb i odder",
        "da",
        "Europe/Copenhagen",
    )
    assert [(s.number, s.current) for s in page.steps if s.current] == [(3, True)]
    assert page.steps[2].name == "Develop solutions"  # the msgid of handlers.six_steps
    began = {s.number: s.began_at for s in page.steps}
    assert began[3] == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert began[2] is not None and began[2] < began[3]
    assert began[1] is None and began[4] is None

    first = page.tracks[0]
    assert [(w.title, w.attended, w.invited) for w in first.held] == [(HELD, 4, 7)]
    assert [(w.title, w.starts_at.date().isoformat()) for w in first.planned] == [
        (PLANNED, "2026-12-07")
    ]
    assert [t.name for t in page.tracks] == ["Visitation", "Dokumentation", "Budget"]
    assert not page.tracks[1].held and not page.tracks[1].planned

    [decisions] = page.decisions
    assert [(i.text, i.status) for i in decisions.items] == [(DECISION, "open")]
    [questions] = page.open_questions
    assert [(i.text, i.status, i.resolution) for i in questions.items] == [
        (QUESTION, "answered", "Lederen af team Nord")
    ]

    [fate] = page.you_said  # the named input was not marked: not in "Du sagde – vi gjorde"
    assert re.fullmatch(r"A-[A-Z]{3}", fate.label), fate.label
    assert (fate.excerpt, fate.status, fate.note) == (
        ANONYMOUS,
        "used",
        "Nattevagten er med i model B.",
    )
    assert page.you_said_total == 1
    assert page.inputs == 2
    assert (page.reach.asked, page.reach.answered, page.reach.not_answered) == (3, 2, 1)
    assert "Emil" not in repr(page), "the anonymous author is nowhere in what the page shows"


def test_the_hassle_round_shows_no_counts_until_it_closes(
    deps: Deps, chat: ConsoleDriver, clock: Clock
) -> None:
    deps = with_ballot_key(deps)
    round_id = start_hassle_round(deps, ODDER, METTE, collect_until="2026-11-27")
    add_hassle(deps, person("Anna Holm"), round_id, "Dobbeltregistrering i journalen")
    add_hassle(deps, person("Bo Sørensen"), round_id, "Langsom IT om morgenen")
    collecting = _gather(deps, datetime(2026, 11, 26, 9, 0, tzinfo=UTC)).hassle
    assert collecting is not None
    assert (collecting.phase, collecting.shown, collecting.collection_over) == (
        "collecting",
        2,
        False,
    )

    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    opened = submit_form(
        deps,
        METTE,
        ODDER,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "2", "stacking": "no", "vote_until": "2026-12-02"},
    )
    assert opened.ok, opened.errors
    for who, refs in (("Anna Holm", ["1", "2"]), ("Bo Sørensen", ["1"]), ("Frida Juhl", ["1"])):
        given = submit_form(
            deps, person(who), None, "hassle.dots", {"round": round_id}, {"items": refs}
        )
        assert given.errors == {}
    with _statements(deps) as seen:
        voting = _gather(deps, datetime(2026, 11, 29, 9, 0, tzinfo=UTC)).hassle
    assert voting is not None
    assert (voting.phase, voting.top, voting.chosen) == ("voting", (), ())
    assert voting.deadline is not None and voting.deadline.date().isoformat() == "2026-12-02"
    assert not [s for s in seen if "supports" in s], "the totals are not even read"

    from schedules.jobs import Runtime, run_hassle_closing

    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert asyncio.run(run_hassle_closing(Runtime(deps))) == 1
    closed = _gather(deps, clock.now).hassle
    assert closed is not None and closed.phase == "closed"
    assert [(t.rank, t.label, t.title, t.supports) for t in closed.top] == [
        (1, "#1", "Dobbeltregistrering i journalen", 3),
        (2, "#2", "Langsom IT om morgenen", 1),
    ]


def test_a_small_group_of_the_pulse_is_hidden_as_in_the_digest(
    deps: Deps, chat: ConsoleDriver
) -> None:
    # Anna, Bo and Camilla attended; of those who did not, only Emil answers.
    dms = {
        p.label.removeprefix("DM til "): p
        for p in chat.transcript
        if p.label.startswith("DM til ") and "opdateret" in p.body
    }
    for name, score in (("Anna Holm", 4), ("Bo Sørensen", 4), ("Camilla Friis", 5)):
        chat.type("/as " + name)
        chat.type("/click " + chat.button(dms[name], str(score)))
    chat.type("/as Emil Vestergaard")
    chat.type("/click " + chat.button(dms["Emil Vestergaard"], "2"))

    page = _gather(deps, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    [pulse] = page.pulses
    assert (pulse.answered, pulse.average, pulse.step) == (4, 3.8, 3)
    # Emil's answer would be 4 × 3,8 − 3 × 4,3 ≈ 2 were the attended group shown: neither is.
    assert (pulse.attended, pulse.absent) == (None, None)
    chat.type("/as Mette Lund")
    status = chat.type("/samskab status")[0].body
    assert "Deltog ikke: vises fra 3 svar" in status, "the digest hides it the same way"
    assert "4,3" not in status


def test_the_number_of_statements_does_not_grow_with_the_process(
    sqlite_template: Path, tmp_path: Path
) -> None:
    small = Size(members=12, workshops=4, inputs=40)
    large = Size(small.members * 3, small.workshops * 3, small.inputs * 3)
    counted = []
    for n, size in enumerate((small, large)):
        # A database each: the process is written with its rows' ids (bench.process_data).
        path = tmp_path / f"size{n}.db"
        shutil.copyfile(sqlite_template, path)
        deps = Deps(db=Database(f"sqlite:///{path}"))
        process_id = build_process(deps, size)
        with _statements(deps) as seen, deps.db.transaction() as session:
            process = session.get(Process, process_id)
            assert process is not None
            page = gather_page(session, process, datetime.now(UTC))
        deps.db.dispose()
        assert page.pulses and page.you_said and page.reach.asked
        assert sum(t.held_total + len(t.planned) for t in page.tracks) == size.workshops
        counted.append(len(seen))
    assert counted[0] == counted[1], counted


# --- helpers ---------------------------------------------------------------------------------


def _gather(deps: Deps, now: datetime) -> StatusPage:
    with deps.db.transaction() as session:
        process = session.scalars(select(Process)).one()
        return gather_page(session, process, now)


@contextmanager
def _statements(deps: Deps) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))  # (connection, cursor, statement, ...)

    event.listen(deps.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(deps.db.engine, "before_cursor_execute", record)


def _give_input(chat: ConsoleDriver, who: str, text: str, *, anonymous: bool) -> None:
    chat.type("/as " + who)
    dm = chat.received_by("DM til " + who)[0]
    chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": text, "Vis mit navn?": "Nej, anonymt" if anonymous else "Ja, med mit navn"},
    )


def _number_of(listing: Post, text: str) -> str:
    """The item's number, from the line above its text ("(#12 · Visitation · …)")."""
    match = re.search(r"\(#(\d+) · [^\n]*\)\n" + re.escape(text), listing.body)
    assert match, listing.body
    return match.group(1)
