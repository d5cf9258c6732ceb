"""Marking what became of an input, in Teams: the input's card in the summary's thread carries
the buttons, the form comes as a card, and the contributor hears it in their 1:1 chat."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
import pytest

from handlers.context import Deps
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.scenarios.test_teams_loop import EMIL, EVERYONE, METTE, PRESENT, _set_up
from tests.teams_harness import TeamsHarness, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def test_a_facilitator_marks_an_input_used_and_the_contributor_hears_it(
    bot: TeamsHarness,
    deps: Deps,
    clock: Clock,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    _set_up(bot, deps)
    bot.hold_workshop(
        METTE,
        clock,
        {"attendees": [METTE.id, *(p.id for p in PRESENT)], "text": "Vi tegnede et udkast."},
    )
    bot.bf.wait_for(lambda bf: bool(bf.activities(bf.conversation_for(EMIL.id) or "")))
    emil_chat = bot.bf.conversation_for(EMIL.id) or ""
    pressed = bot.press(EMIL, bot.bf.activities(emil_chat)[0], emil_chat, "input.request")
    bot.submit(
        EMIL,
        bot.replies_to(pressed)[0],
        emil_chat,
        {"text": "Husk nattevagterne.", "anonymous": "named"},
    )
    bot.bf.wait_for(
        lambda bf: any("Husk nattevagterne." in text_of(a) for a in bf.activities(teams.CHANNEL_ID))
    )
    post = next(
        a for a in bot.bf.activities(teams.CHANNEL_ID) if "Husk nattevagterne." in text_of(a)
    )
    assert_valid(card_of(post), validator)

    # Mette presses a mark button on the input's card: the form arrives as a card.
    pressed = bot.press(METTE, post, teams.CHANNEL_ID, "input.mark")
    form = bot.replies_to(pressed)[0]
    assert "Hvad blev der af inputtet?" in text_of(form)
    assert_valid(card_of(form), validator)
    bot.submit(METTE, form, teams.CHANNEL_ID, {"status": "used", "note": "Med i model B."})

    bot.bf.wait_for(
        lambda bf: any("Hvad der blev af" in text_of(a) for a in bf.activities(emil_chat))
    )
    fate = next(a for a in bot.bf.activities(emil_chat) if "Hvad der blev af" in text_of(a))
    assert "brugt" in text_of(fate) and "Med i model B." in text_of(fate)
    assert_valid(card_of(fate), validator)
