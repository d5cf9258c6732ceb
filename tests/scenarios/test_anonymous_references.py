"""Anonymous input does not tell its place in time: it is named by random letters ("A-KXR"),
named input by its number among the named ones (#1, #2, with no gap where an anonymous one was
given in between), in the channel, in the facilitators' list, when marking, in the contributor's
DM, the digest and the record. Carla writes first, Emil anonymously, Bo last."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.context import Deps
from handlers.status.digest import post_digest
from storage.models import Process
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
CARLA, EMIL, BO = person("Carla Friis"), person("Emil Vestergaard"), person("Bo Sørensen")
ODDER = channel("odder", [METTE, ANNA, CARLA, EMIL, BO])
LETTERS = re.compile(r"A-[A-Z]{3}")
NIGHT = "Husk nattevagterne i modellen."


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    """Carla, Emil and Bo missed the workshop; Carla answers with her name, then Emil
    anonymously, then Bo with his name: the third response shows Emil's input."""
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, CARLA, EMIL, BO], title="Ny visitation")
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA])
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    _give(driver, "Carla Friis", "Borgerne skal kunne forberede sig.", anonymous=False)
    _give(driver, "Emil Vestergaard", NIGHT, anonymous=True)
    _give(driver, "Bo Sørensen", "Færre felter i journalen.", anonymous=False)
    driver.type("/as Mette Lund")
    return driver


def test_the_list_names_carla_1_bo_2_and_the_anonymous_one_by_letters(
    chat: ConsoleDriver,
) -> None:
    listing = chat.type("/samskab bidragene")[0].body
    named = re.findall(r"^\((#\d+) · Ny visitation · (.+)\)$", listing, re.MULTILINE)
    assert named == [("#1", "Carla Friis"), ("#2", "Bo Sørensen")], "no number between them"
    (unnamed,) = re.findall(
        r"^\((\S+) · Ny visitation · En anonym kollega\)$", listing, re.MULTILINE
    )
    assert LETTERS.fullmatch(unnamed), unnamed
    assert "#3" not in listing and "Emil" not in listing
    lines = listing.splitlines()
    assert lines.index(f"({unnamed} · Ny visitation · En anonym kollega)") > lines.index(
        "(#2 · Ny visitation · Bo Sørensen)"
    ), "the anonymous one after the named ones, whenever it was given"

    # The channel names each input the same way.
    posts = {p.body.splitlines()[1]: p for p in chat.transcript if p.label.startswith("#odder ·")}
    assert posts["Borgerne skal kunne forberede sig."].body.startswith("(#1 · Input fra Carla")
    assert posts["Færre felter i journalen."].body.startswith("(#2 · Input fra Bo Sørensen)")
    assert posts[NIGHT].body.startswith(f"({unnamed} · Input fra en anonym kollega)")


def test_marking_by_letters_tells_the_contributor_by_the_same_letters(
    chat: ConsoleDriver, deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    listing = chat.type("/samskab bidragene")[0].body
    letters = LETTERS.search(listing)
    assert letters is not None
    ref = letters.group()

    # Typed in small letters, without the dash: still the same input.
    clock.advance(days=1)
    posts = chat.type(f"/samskab marker {ref.lower().replace('-', '')} brugt Med i model B.")
    assert posts[0].label == "kun til dig"
    assert posts[0].body == f"Input {ref} er markeret brugt. Den, der gav det, får besked."
    (fate,) = [p for p in posts if p.label == "DM til Emil Vestergaard"]
    assert f"Hvad der blev af dit input {ref} til »Ny visitation«" in fate.body
    assert "Med i model B." in fate.body and "stadig anonymt" in fate.body
    (updated,) = [p for p in posts if p.label.startswith("#odder") and "opdateret" in p.label]
    assert updated.body.startswith(f"({ref} · Input fra en anonym kollega)")
    assert "Status: brugt · Med i model B." in updated.body

    # Bo's by his number, with or without the #.
    posts = chat.type("/samskab marker #2 overvejet")
    assert posts[0].body == "Input #2 er markeret overvejet. Den, der gav det, får besked."
    assert [p.label for p in posts if p.label.startswith("DM til")] == ["DM til Bo Sørensen"]

    # A number no named input has, letters no input has, and words that are neither: a clear
    # answer, and nothing written.
    before = row_counts(deps)
    for typed, answer in (
        ("3 brugt", "Der er ikke noget input #3 i dette forløb."),
        ("A-XXX brugt", "Der er ikke noget input A-XXX i dette forløb."),
        ("bo brugt", "Skriv det sådan: /samskab marker 12 brugt Din note"),
    ):
        posts = chat.type("/samskab marker " + typed)
        assert [p.label for p in posts] == ["kun til dig"], typed
        assert posts[0].body.startswith(answer), (typed, posts[0].body)
    assert row_counts(deps) == before

    # The digest's "Du sagde – vi gjorde" and the record name it by its letters too.
    with deps.db.transaction() as session:
        process_id = session.query(Process.id).scalar()
    assert post_digest(deps, process_id, "2026-W48")
    digest = next(p for p in chat.deliver() if p.label == "#odder")
    assert f"{ref} “{NIGHT}” → brugt: Med i model B." in digest.body
    chat.type("/samskab eksport")
    record = "".join(p.read_text() for p in tmp_path.glob("*.md"))
    assert f"- {ref} · **En anonym kollega:** {NIGHT}" in record
    assert "- #1 · **Carla Friis**" in record and "- #2 · **Bo Sørensen**" in record


def _give(chat: ConsoleDriver, who: str, text: str, *, anonymous: bool) -> list[Post]:
    chat.type("/as " + who)
    dm = chat.received_by("DM til " + who)[0]
    return chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": text, "Vis mit navn?": "Nej, anonymt" if anonymous else "Ja, med mit navn"},
    )


def test_a_persons_own_data_names_their_anonymous_input_by_its_letters(
    chat: ConsoleDriver,
) -> None:
    listing = chat.type("/samskab bidragene")[0].body
    letters = LETTERS.search(listing)
    assert letters is not None
    chat.type("/as Emil Vestergaard")
    chat.type("/samskab minedata")
    (mine,) = [p for p in chat.received_by("DM til Emil Vestergaard") if "Dine data" in p.body]
    assert f"{letters.group()} · Ny visitation · anonymt: “{NIGHT}”" in mine.body
    assert not re.search(r"#\d+ · Ny visitation · anonymt", mine.body), "no row number"
