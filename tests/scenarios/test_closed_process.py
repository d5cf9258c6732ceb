"""A closed process says so: its status names the day it closed and lists no planned workshop,
and its settings cannot be opened (refused before the form, not after it is filled in)."""

from __future__ import annotations

import json

from handlers.commands import handle_command
from handlers.context import Deps
from handlers.interactions import submit_form
from tests.builders import channel, person, plan, row_counts, set_up, summarise

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
WHERE = channel("odder", [METTE, ANNA])


def close(deps: Deps) -> None:
    outcome = submit_form(deps, METTE, WHERE, "close", {}, {"confirm": "close"})
    assert outcome.ok, outcome.errors


def test_the_status_of_a_closed_process_says_so_and_plans_nothing(deps: Deps) -> None:
    set_up(deps, WHERE, METTE)
    held = plan(deps, WHERE, METTE, [ANNA], title="Visitation", when="2026-11-23 08:00")
    summarise(deps, WHERE, METTE, held, [METTE])
    plan(deps, WHERE, METTE, [ANNA], title="Aldrig holdt", when="2026-12-03 13:00")
    close(deps)
    status = handle_command(deps, ANNA, WHERE, "status").message
    assert status is not None
    shown = json.dumps(status.to_json(), ensure_ascii=False)
    assert "Forløbet blev lukket mandag den 23. november. Der er ikke planlagt mere." in shown
    assert "Visitation: 1 holdt · senest: Visitation" in shown
    assert "planlagt" not in shown.replace("ikke planlagt mere", "")
    assert "næste:" not in shown


def test_setup_in_a_closed_process_is_refused_before_the_form(deps: Deps) -> None:
    set_up(deps, WHERE, METTE)
    close(deps)
    before = row_counts(deps)
    reply = handle_command(deps, METTE, WHERE, "opsætning")
    assert reply.form is None
    assert reply.message is not None and "er lukket" in reply.message.text
    assert row_counts(deps) == before
