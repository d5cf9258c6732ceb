"""Membership follows the channel: facilitators added at setup, a welcome for newcomers, and no
more asking those who left."""

from __future__ import annotations

from pathlib import Path

from handlers.context import Deps
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver

SETUP = {"Forløbets navn": "Odder", "Nuværende trin": "2"}  # the rest as proposed
WORKSHOP = {"Spor": "Visitation", "Titel": "Visitation", "Dato og tidspunkt": "2026-11-23 08:00"}
SUMMARY = {"Hvem deltog?": "Mette Lund", "Opsamling": "Kort."}


def test_a_second_facilitator_chosen_at_setup_can_plan(deps: Deps, tmp_path: Path) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Jesper Krogh, Anna Holm")
    chat.type("/samskab opsætning", SETUP | {"Andre facilitatorer": "Jesper Krogh"})
    chat.type("/as Anna Holm")
    assert chat.type("/samskab workshop")[0].body == (
        "Det kan kun forløbets facilitatorer. Facilitatorerne er Mette Lund og Jesper Krogh."
    )
    chat.type("/as Jesper Krogh")
    posts = chat.type(
        "/samskab workshop",
        {
            "Spor": "Dokumentation",
            "Titel": "Dokumentation i dag",
            "Dato og tidspunkt": "2026-12-01 10:00",
        },
    )
    assert "Planlagt: Dokumentation i dag, tirsdag den 1. december kl. 10:00" in posts[0].body
    assert any("Ny workshop: Dokumentation i dag" in p.body for p in posts if p.label == "#odder")


def test_a_colleague_who_joins_gets_a_welcome_with_the_status(deps: Deps, tmp_path: Path) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/samskab setup", SETUP)
    posts = chat.type("/join Ulla Mortensen")
    welcome = [p for p in posts if p.label == "DM til Ulla Mortensen"]
    assert len(welcome) == 1
    assert "Velkommen til forløbet »Odder«" in welcome[0].body
    assert "Trin 2 af 6: Udpege, undersøge og prioritere udfordringerne" in welcome[0].body
    assert not [p for p in chat.type("/join Ulla Mortensen") if p.label.startswith("DM")], (
        "joining twice does not welcome twice"
    )


def test_a_colleague_who_left_is_no_longer_asked(deps: Deps, clock: Clock, tmp_path: Path) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Anna Holm, Bo Berg")
    chat.type("/samskab setup", SETUP)
    chat.type("/samskab workshop", WORKSHOP)
    posts = chat.type("/samskab referat", SUMMARY)
    dm = next(p for p in posts if p.label == "DM til Anna Holm")
    chat.type("/leave Anna Holm")
    chat.type("/as Mette Lund")
    status = chat.type("/samskab status")[0].body
    assert "Nået: 2 af 2" in status
    chat.type("/as Anna Holm")  # she comes back, but her old request stays closed
    reply = chat.type("/click " + chat.button(dm, "Giv input"))[0].body
    assert reply == "Denne forespørgsel er lukket. Du kan stadig give input med /samskab input."


def test_a_colleague_who_answered_and_declined_is_heard_from_once(
    deps: Deps, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Anna Holm")
    chat.type("/samskab setup", SETUP)
    dms = []
    for title in ("Første", "Anden"):
        chat.type(
            "/samskab workshop",
            WORKSHOP | {"Titel": title, "Dato og tidspunkt": "2026-11-23 08:00"},
        )
        posts = chat.type("/samskab referat", SUMMARY)
        dms.append(next(p for p in posts if p.label == "DM til Anna Holm"))
    chat.type("/as Anna Holm")
    chat.type(
        "/click " + chat.button(dms[0], "Giv input"),
        {"Dit input": "Tak.", "Vis mit navn?": "Ja, med mit navn"},
    )
    chat.type("/click " + chat.button(dms[1], "Intet input fra mig"))
    status = chat.type("/samskab status")[0].body
    assert "Spurgt om input: 1 kollega, der ikke deltog" in status
    assert "Har svaret: 1 kollega (1 med input, 0 uden)" in status
