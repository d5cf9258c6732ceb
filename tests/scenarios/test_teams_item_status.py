"""An open question answered in Teams: the facilitator's list is a card with a "Besvar" action,
the form comes as a card, and the status shows the answer; a member's press is refused."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
import pytest

from handlers.context import Deps
from tests.conftest import Clock
from tests.scenarios.test_teams_loop import EVERYONE, METTE, PRESENT, _set_up
from tests.teams_harness import TeamsHarness, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def test_a_facilitator_answers_an_open_question_on_a_card(
    bot: TeamsHarness,
    deps: Deps,
    clock: Clock,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    _set_up(bot, deps)
    conversation = bot.hold_workshop(
        METTE,
        clock,
        {
            "attendees": [METTE.id, *(p.id for p in PRESENT)],
            "text": "Vi tegnede et udkast.",
            "open_questions": "Hvem indkalder til mødet?",
        },
    )

    asked = bot.say(METTE, "spørgsmål")
    listing = bot.replies_to(asked)[0]
    assert "Åbne spørgsmål (1)" in text_of(listing)
    assert_valid(card_of(listing), validator)

    anna = PRESENT[0]
    refused = bot.press(anna, listing, conversation, "item.resolve")
    assert "Det kan kun forløbets facilitatorer." in text_of(bot.replies_to(refused)[0])

    pressed = bot.press(METTE, listing, conversation, "item.resolve")
    form = bot.replies_to(pressed)[0]
    assert "Besvar spørgsmålet" in text_of(form) and "Hvem indkalder til mødet?" in text_of(form)
    assert_valid(card_of(form), validator)
    submitted = bot.submit(METTE, form, conversation, {"text": "Lederen af team Nord"})
    assert submitted.status_code == 200
    told = bot.bf.activities(conversation)
    assert any("er markeret som besvaret" in text_of(a) for a in told), "the facilitator is told"

    status = bot.replies_to(bot.say(anna, "status"))
    assert any(
        "Hvem indkalder til mødet? · besvaret: Lederen af team Nord" in text_of(a) for a in status
    )
