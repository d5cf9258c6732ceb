"""Open questions answered and decisions changed, in the console: a facilitator marks them from
`/samskab spørgsmål` (a button and a form) or in one typed line; the status says so, the digest
marks what changed since the last one, the record keeps every change with its date and who made
it; members are refused and bad input loses nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.context import Deps
from handlers.status.digest import post_digest
from storage.models import AuditEntry, Process
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE, ANNA, EMIL = person("Mette Lund"), person("Anna Holm"), person("Emil Vestergaard")
ODDER = channel("odder", [METTE, ANNA, EMIL])
QUESTION = "Hvem indkalder til mødet?"
DECISION = "Fælles opstartsmøde afprøves i team Nord"


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, EMIL], title="Ny visitationsmodel")
    summarise(
        deps,
        ODDER,
        METTE,
        workshop,
        [METTE, ANNA],
        decisions=DECISION,
        open_questions=QUESTION,
        next_steps="Anna skriver udkastet",
    )
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    return driver


def number_of(listing: Post, text: str) -> str:
    """The item's number, from the line above its text ("#12 · Visitation · …")."""
    match = re.search(r"\(#(\d+) · [^\n]*\)\n" + re.escape(text), listing.body)
    assert match, listing.body
    return match.group(1)


def process_id(deps: Deps) -> int:
    with deps.db.transaction() as session:
        found = session.scalar(select(Process.id))
        assert found is not None
        return int(found)


def digest(deps: Deps, chat: ConsoleDriver, period: str) -> str:
    assert post_digest(deps, process_id(deps), period)
    return next(p for p in chat.deliver() if p.label == "#odder").body


def status(chat: ConsoleDriver) -> str:
    return chat.type("/samskab status")[0].body


def test_an_answer_and_a_change_reach_the_status_the_digest_and_the_record(
    chat: ConsoleDriver, deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    assert f"{QUESTION} · besvaret" not in digest(deps, chat, "2026-W48")
    clock.advance(days=1)

    listing = chat.type("/samskab spørgsmål")[0]
    assert "Åbne spørgsmål (1)" in listing.body and "Beslutninger (1)" in listing.body
    assert "Anna skriver udkastet" not in listing.body, "next steps are not marked"
    question = number_of(listing, QUESTION)
    posts = chat.type(
        "/click " + chat.button(listing, "Besvar"), {"Svaret": "Lederen af team Nord"}
    )
    assert posts[0].label == "kun til dig"
    assert posts[0].body.startswith(f"Åbent spørgsmål #{question} er markeret som besvaret.")
    # The channel hears it in the summary's thread (the form proposes it); nobody gets a DM.
    [shared] = [p for p in posts if p.label.startswith("#odder")]
    assert "i tråden under" in shared.label
    assert shared.body == (
        f"Et åbent spørgsmål er besvaret: {QUESTION}\n→ Lederen af team Nord\n"
        "(Markeret af Mette Lund. Det kan også ses i status.)"
    )
    assert not [p for p in posts if p.label.startswith("DM")]

    # The status, to anyone: the question and its answer, new since the last digest.
    chat.type("/as Anna Holm")
    shown = status(chat)
    assert f"{QUESTION} · besvaret: Lederen af team Nord (nyt svar)" in shown
    assert f"  • {DECISION}\n" in shown + "\n", "the decision is as it was"

    # The decision, changed in one typed line.
    chat.type("/as Mette Lund")
    decision = number_of(listing, DECISION)
    changed = chat.type(f"/samskab beslutninger {decision} Team Nord og team Syd afprøver det")
    assert changed[0].body.startswith(f"Beslutning #{decision} er markeret som ændret.")

    week = digest(deps, chat, "2026-W49")
    assert f"{QUESTION} · besvaret: Lederen af team Nord (nyt svar)" in week
    assert f"{DECISION} · ændret til: Team Nord og team Syd afprøver det (ændret siden sidst)" in (
        week
    )
    # A week on, the same lines without the marks: nothing changed since.
    clock.advance(days=7)
    week = digest(deps, chat, "2026-W50")
    assert f"{QUESTION} · besvaret: Lederen af team Nord\n" in week
    assert f"{DECISION} · ændret til: Team Nord og team Syd afprøver det\n" in week

    # Answered again, with the form showing the answer it has.
    clock.advance(days=1)
    listing = chat.type("/samskab spørgsmål")[0]
    assert "→ besvaret: Lederen af team Nord" in listing.body
    quietly = chat.type(
        "/click " + chat.button(listing, "Besvar"),
        {"Svaret": "Teamlederne på skift", "Fortæl det i kanalen nu?": "2"},
    )
    assert not [p for p in quietly if p.label.startswith("#odder")], "not this time"
    assert f"{QUESTION} · besvaret: Teamlederne på skift (nyt svar)" in status(chat)

    # The record keeps every change, with its date and who made it.
    chat.type("/samskab eksport")
    record = "".join(p.read_text() for p in tmp_path.glob("*.md"))
    assert f"- {QUESTION} (besvaret)\n" in record
    assert (
        "  - Besvaret tirsdag den 24. november 2026 af Mette Lund: Lederen af team Nord\n"
        "  - Besvaret onsdag den 2. december 2026 af Mette Lund: Teamlederne på skift\n"
    ) in record
    assert (
        f"- {DECISION} (ændret)\n"
        "  - Ændret tirsdag den 24. november 2026 af Mette Lund: "
        "Team Nord og team Syd afprøver det\n"
    ) in record
    chat.type("/samskab eksport csv")
    table = "".join(p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("*.csv"))
    assert (
        "Svar på åbent spørgsmål;Visitation;Ny visitationsmodel;2026-12-02;"
        f"Teamlederne på skift;besvaret;{QUESTION};Mette Lund;"
    ) in table
    with deps.db.transaction() as session:
        logged = session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action.like("item.%"))
        )
    assert logged == 3, "one audit entry per change"


def test_the_same_answer_twice_is_one_change(chat: ConsoleDriver, tmp_path: Path) -> None:
    listing = chat.type("/samskab spørgsmål")[0]
    question = number_of(listing, QUESTION)
    chat.type(f"/samskab spørgsmål {question} Lederen af team Nord")
    again = chat.type(f"/samskab spørgsmål {question} Lederen af team Nord")
    assert again[0].body == f"#{question} siger allerede præcis det; intet er ændret."
    chat.type("/samskab eksport")
    record = "".join(p.read_text() for p in tmp_path.glob("*.md"))
    assert record.count("Lederen af team Nord") == 1


def test_members_are_refused_and_bad_input_changes_nothing(chat: ConsoleDriver, deps: Deps) -> None:
    listing = chat.type("/samskab spørgsmål")[0]
    question = number_of(listing, QUESTION)
    before = row_counts(deps)

    chat.type("/as Anna Holm")
    refused = "Det kan kun forløbets facilitatorer."
    assert chat.type("/samskab spørgsmål")[0].body.startswith(refused)
    pressed = chat.type("/click " + chat.button(listing, "Besvar"))
    assert pressed[0].body.startswith(refused), "no form for a member"
    typed = chat.type(f"/samskab spørgsmål {question} Det gør jeg")
    assert typed[0].body.startswith(refused)

    chat.type("/as Mette Lund")
    assert chat.type("/samskab spørgsmål hvem")[0].body == (
        "Skriv det sådan: /samskab spørgsmål 12 Svaret (eller hvad beslutningen blev til)."
    )
    assert chat.type("/samskab spørgsmål 99999 Svar")[0].body == (
        "Der er intet åbent spørgsmål eller nogen beslutning med nummer #99999."
    )
    step = str(int(question) + 1)  # the next step follows the question in the summary
    assert chat.type(f"/samskab spørgsmål {step} Færdig")[0].body == (
        f"#{step} er et næste skridt: kun åbne spørgsmål og beslutninger kan markeres."
    )
    too_long = chat.type(f"/samskab spørgsmål {question} " + "x" * 1001)
    assert too_long[0].body == "Teksten må højst være på 1000 tegn."
    assert row_counts(deps) == before, "nothing changed"
    # An empty answer in the form is asked for again; the person gives up (an empty line ends).
    posts = chat.type("/click " + chat.button(listing, "Besvar"), {"Svaret": ["", "Lederen"]})
    assert "Udfyld venligst dette felt." in chat.last_text
    assert posts[0].body.startswith(f"Åbent spørgsmål #{question} er markeret")

    # In another process's channel, the item is not theirs.
    set_up(deps, channel("budget", [METTE]), METTE)
    chat.session.channel_id = "budget"
    before = row_counts(deps)
    other = chat.type(f"/samskab spørgsmål {question} Svar")
    assert other[0].body == f"#{question} hører til et andet forløb."
    assert row_counts(deps) == before, "nothing changed"
