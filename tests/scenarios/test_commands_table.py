"""The table of commands is the one place a command is named: help, Danish words, forms and
buttons all come from it, and every platform listens for what it declares."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from handlers.command_spec import Role
from handlers.commands import BY_WORD, COMMANDS, help_message
from handlers.context import Deps
from handlers.i18n import Translator
from tests.fakes import slack_payloads as payloads
from tests.scenarios.test_slack_robustness import ANNA, MEMBERS, USERS, set_up
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot


def test_every_word_names_one_command() -> None:
    words = Counter(w for c in COMMANDS for w in (c.name, *c.aliases))
    assert [w for w, n in words.items() if n > 1] == []
    assert set(BY_WORD) == set(words)


def test_every_form_and_button_belongs_to_one_command() -> None:
    forms = Counter(f.callback_id for c in COMMANDS for f in c.forms)
    buttons = Counter(b.action_id for c in COMMANDS for b in c.buttons)
    assert [f for f, n in forms.items() if n > 1] == []
    assert [b for b, n in buttons.items() if n > 1] == []


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_command_has_help_in_both_languages(language: str) -> None:
    tr = Translator(language)
    help_text = help_message(tr).text
    for command in COMMANDS:
        if command.help is None:
            # Covered by another command's line, which names it.
            assert any(command.name in (c.help or "") for c in COMMANDS if c is not command), (
                command.name
            )
            continue
        line = tr._(command.help)
        if language == "da":
            assert line != command.help, f"{command.name} has no Danish help"
        words = (command.name,) if language == "en" else (command.name, *command.aliases)
        assert line.split(":")[0].removeprefix("/samskab ").split()[0] in words, line
        assert line in help_text
        facilitators = tr._("(facilitators)")
        assert (f"{line} {facilitators}" in help_text) == (command.role is Role.FACILITATOR)


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    set_up(deps)
    with slack_bot(deps, USERS, MEMBERS) as harness:
        yield harness


def test_slack_listens_for_every_button_and_form_of_the_table(bot: SlackHarness) -> None:
    """A press or a submission of anything the table declares reaches its use case (which
    refuses the made-up id), never bolt's "unhandled request"."""
    for command in COMMANDS:
        for button in command.buttons:
            body, kind = payloads.block_actions(
                button.action_id,
                "0",
                user_id=ANNA,
                channel_id=CHANNEL,
                response_url=bot.slack.response_url(button.action_id),
            )
            assert bot.post(body, kind).status_code == 200, button.action_id
            assert bot.response(button.action_id)["text"], button.action_id
        for form in command.forms:
            body, kind = payloads.view_submission(
                form.callback_id,
                {},
                user_id=ANNA,
                private_metadata=json.dumps({"c": CHANNEL, "m": {}}),
                view_id=f"V{form.callback_id}",
            )
            response = bot.post(body, kind)
            assert response.status_code == 200, form.callback_id
            assert response.content, f"{form.callback_id}: answered by our listener"


def test_a_made_up_command_word_is_refused_with_the_help(bot: SlackHarness) -> None:
    answer = bot.response(bot.command(ANNA, "hokuspokus"))
    assert "kender ikke kommandoen »hokuspokus«" in answer["text"]
    assert "/samskab status: hvor er vi i forløbet?" in answer["text"]
