"""Bad input gets a clear answer in the person's language, and nothing is half-written."""

from __future__ import annotations

import pytest

from handlers.commands import handle_command
from handlers.context import Deps
from handlers.interactions import press_button, submit_form
from handlers.messages import Reply
from tests.builders import channel, person, plan, row_counts, set_up, summary_values
from tests.conftest import Clock

METTE, ANNA, BO, CARL = (
    person("Mette Lund"),
    person("Anna Holm"),
    person("Bo Berg"),
    person("Carl Ek"),
)
ODDER = channel("odder", [METTE, ANNA, BO, CARL])
ONLY_FACILITATORS = "Det kan kun forløbets facilitatorer. Facilitatoren er Mette Lund."


@pytest.fixture
def process(deps: Deps) -> str:
    set_up(deps, ODDER, METTE)
    return plan(deps, ODDER, METTE, [METTE, ANNA, BO, CARL])


def text_of(reply: Reply) -> str:
    assert reply.message is not None
    return reply.message.text


def test_an_unknown_command_is_explained_with_the_help(deps: Deps, process: str) -> None:
    reply = handle_command(deps, ANNA, ODDER, "opsummering")
    assert "Jeg kender ikke kommandoen »opsummering«." in text_of(reply)
    assert "/samskab status: hvor er vi i forløbet?" in text_of(reply)


def test_the_help_answers_in_english_for_an_english_process(deps: Deps) -> None:
    where = channel("english", [METTE])
    set_up(deps, where, METTE, language="en")
    reply = handle_command(deps, METTE, where, "hjælp")
    assert "/samskab status: where are we in the process?" in text_of(reply)


def test_a_step_outside_one_to_six_is_refused(deps: Deps, process: str) -> None:
    before = row_counts(deps)
    for argument in ("7", "0", "tre"):
        reply = handle_command(deps, METTE, ODDER, f"trin {argument}")
        assert "Trinnet skal være et tal fra 1 til 6." in text_of(reply)
    assert row_counts(deps) == before


def test_a_participant_cannot_use_a_facilitators_command(deps: Deps, process: str) -> None:
    before = row_counts(deps)
    for command in ("setup", "workshop", "summary", "step 2"):
        reply = handle_command(deps, ANNA, ODDER, command)
        assert text_of(reply) == ONLY_FACILITATORS, command
    outcome = submit_form(
        deps, ANNA, ODDER, "summary", {"workshop": process}, summary_values([METTE])
    )
    assert outcome.reply.message and outcome.reply.message.text == ONLY_FACILITATORS
    assert row_counts(deps) == before


def test_a_summary_for_another_process_workshop_is_refused(deps: Deps, process: str) -> None:
    elsewhere = channel("aarhus", [METTE, ANNA])
    set_up(deps, elsewhere, METTE)
    before = row_counts(deps)
    outcome = submit_form(
        deps, METTE, elsewhere, "summary", {"workshop": process}, summary_values([METTE])
    )
    assert outcome.reply.message and "hører til et andet forløb" in outcome.reply.message.text
    assert row_counts(deps) == before


def test_a_summary_needs_attendees_and_a_deadline_not_in_the_past(
    deps: Deps, process: str, clock: Clock
) -> None:
    before = row_counts(deps)
    outcome = submit_form(
        deps,
        METTE,
        ODDER,
        "summary",
        {"workshop": process},
        summary_values([], deadline="2026-11-20"),
    )
    assert outcome.errors == {
        "attendees": "Vælg mindst én person.",
        "deadline": "Fristen er overskredet. Vælg i dag eller en senere dato.",
    }
    assert row_counts(deps) == before


def test_an_input_over_3000_characters_is_refused(deps: Deps, process: str) -> None:
    reply = press_button(deps, ANNA, "input.open", "1")
    assert reply.message is not None  # no summary yet
    submit_form(deps, METTE, ODDER, "summary", {"workshop": process}, summary_values([METTE, BO]))
    before = row_counts(deps)
    outcome = submit_form(
        deps, ANNA, None, "input", {"request": "1"}, {"text": "x" * 3001, "anonymous": "named"}
    )
    assert outcome.errors == {"text": "For langt: 3001 tegn, højst 3000."}
    assert row_counts(deps) == before


def test_someone_elses_input_request_cannot_be_answered(deps: Deps, process: str) -> None:
    submit_form(deps, METTE, ODDER, "summary", {"workshop": process}, summary_values([METTE, BO]))
    before = row_counts(deps)
    # Request 1 is Anna's (she was absent); Bo attended and has none.
    reply = press_button(deps, BO, "input.decline", "1")
    assert text_of(reply) == "Denne forespørgsel om input er ikke til dig."
    outcome = submit_form(
        deps, BO, None, "input", {"request": "1"}, {"text": "hej", "anonymous": "named"}
    )
    assert outcome.reply.message and "ikke til dig" in outcome.reply.message.text
    assert row_counts(deps) == before


def test_commands_in_a_channel_without_a_process_say_how_to_start(deps: Deps) -> None:
    reply = handle_command(deps, ANNA, channel("tom"), "status")
    assert "Start et med /samskab opsætning." in text_of(reply)


def test_a_button_in_a_dm_is_refused_in_the_language_of_the_persons_process(deps: Deps) -> None:
    """A DM carries no channel: the refusal speaks the language of the process the person is
    in, not the bot's default."""
    set_up(deps, channel("english", [METTE, ANNA]), METTE, language="en")
    reply = press_button(deps, ANNA, "pulse.answer", "not-a-pulse")
    assert text_of(reply) == "That is not an answer to the pulse: choose a number from 1 to 5."
    stranger = person("Nobody Known")
    reply = press_button(deps, stranger, "pulse.answer", "not-a-pulse")
    assert text_of(reply).startswith("Det er ikke et svar på pulsmålingen")
