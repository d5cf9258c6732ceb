"""Small things a colleague reads, read as a colleague would: the setup proposes track names in
the form's language, the console's /click explains itself, a step change reads as Danish."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from handlers.commands import handle_command
from handlers.context import Deps
from storage.models import SummaryItem
from tests.builders import channel, person, plan, set_up, summarise
from tests.console_driver import ConsoleDriver

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
WHERE = channel("odder", [METTE, ANNA])


def _proposed_tracks(deps: Deps, locale: str) -> str:
    form = handle_command(deps, replace(METTE, locale=locale), WHERE, "setup").form
    assert form is not None
    [tracks] = [f for f in form.fields if f.id == "tracks"]
    assert isinstance(tracks.initial, str)
    return tracks.initial


def test_setup_proposes_track_names_in_the_forms_language(deps: Deps) -> None:
    assert _proposed_tracks(deps, "da").splitlines() == ["Visitation", "Dokumentation", "Budget"]
    assert _proposed_tracks(deps, "en").splitlines() == [
        "Needs assessment",
        "Documentation",
        "Budget",
    ]


def test_click_without_a_number_says_how(deps: Deps, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE)
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/click")
    assert "Skriv knappens nummer, fx /click 2." in chat.last_text
    assert "ingen knap ." not in chat.last_text


def test_a_step_change_reads_as_danish(deps: Deps, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE)
    reply = handle_command(deps, METTE, WHERE, "trin 3")
    assert reply.message is not None
    assert "Sådan" not in reply.message.text
    assert "Nu: Trin 3 af 6" in reply.message.text


def test_the_follow_up_list_of_a_process_without_input_says_there_is_none(deps: Deps) -> None:
    set_up(deps, WHERE, METTE)
    reply = handle_command(deps, METTE, WHERE, "bidragene")
    assert reply.message is not None
    shown = json.dumps(reply.message.to_json(), ensure_ascii=False)
    assert "Der er ikke delt noget input i forløbet endnu." in shown
    assert "Alle input er markeret" not in shown


def test_a_thread_under_a_post_from_an_earlier_console_session_is_named_in_words(
    deps: Deps, tmp_path: Path
) -> None:
    set_up(deps, WHERE, METTE)
    workshop = plan(deps, WHERE, METTE, [METTE, ANNA], title="Ny visitation")
    summarise(deps, WHERE, METTE, workshop, [METTE], decisions="", open_questions="Hvem?")
    first = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    first.deliver()
    with deps.db.transaction() as session:
        question = session.scalars(select(SummaryItem.id)).one()

    later = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    posts = later.type(f"/samskab spørgsmål {question} Teamlederen.")
    [thread] = [p for p in posts if p.label.startswith("#odder")]
    assert thread.label == "#odder · i tråden under en tidligere besked"
