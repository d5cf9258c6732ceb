"""`/samskab workshops` (`workshopper`): what a colleague reads of the process's workshops per
track: planned and held, the date, who was invited and who came, whether the summary is out."""

from __future__ import annotations

from pathlib import Path

from handlers.context import Deps
from tests.builders import channel, person, plan, set_up, summarise
from tests.console_driver import ConsoleDriver

METTE, ANNA, BO = person("Mette Lund"), person("Anna Holm"), person("Bo Sørensen")
WHERE = channel("odder", [METTE, ANNA, BO])


def test_a_colleague_sees_the_workshops_per_track(deps: Deps, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE)
    held = plan(deps, WHERE, METTE, [ANNA, BO], title="Ny visitation", when="2026-11-23 08:00")
    summarise(deps, WHERE, METTE, held, [METTE, ANNA])
    plan(deps, WHERE, METTE, [ANNA], title="Dokumentation i praksis", when="2026-11-20 13:00")
    plan(deps, WHERE, METTE, [ANNA, BO], title="Budget 2027", when="2027-01-14 13:00")

    chat = ConsoleDriver(deps, channel="odder", as_name="Bo Sørensen", export_dir=tmp_path)
    answer = next(p for p in chat.type("/samskab workshopper") if p.label.startswith("kun til dig"))
    lines = answer.body.splitlines()
    assert "Workshops i »Forløb i odder«" in lines[0]
    assert any(
        "Ny visitation · mandag den 23. november kl. 08:00 · holdt · 3 inviterede, 2 deltog"
        " · opsamlingen er delt" in line
        for line in lines
    ), answer.body
    assert any(
        "Dokumentation i praksis · fredag den 20. november kl. 13:00 · 1 inviteret"
        " · ingen opsamling endnu" in line
        for line in lines
    ), answer.body
    assert any(
        "Budget 2027 · torsdag den 14. januar 2027 kl. 13:00 · planlagt · 2 inviterede" in line
        for line in lines
    ), answer.body


def test_a_process_without_workshops_says_so_in_words(deps: Deps, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE, language="en")
    chat = ConsoleDriver(deps, channel="odder", as_name="Anna Holm", export_dir=tmp_path)
    answer = next(p for p in chat.type("/samskab workshops") if p.label.startswith("only to you"))
    assert "No workshops are planned yet." in answer.body
