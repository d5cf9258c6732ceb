"""The pulse in Teams: a step change sends every member the question in their 1:1 chat as a card
with the five answers and the comment button; one press answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from handlers.context import Deps
from storage.models import PulseAnswer
from tests.scenarios.test_teams_loop import EVERYONE, METTE, PRESENT, _set_up
from tests.teams_harness import TeamsHarness, actions_of, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def test_a_step_change_brings_the_pulse_to_every_members_chat(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    _set_up(bot, deps)
    asked = bot.say(METTE, "trin 4")
    assert "Trin 4 af 6" in text_of(bot.replies_to(asked)[0])

    def pulse_of(user_id: str) -> dict[str, Any] | None:
        chat = bot.bf.conversation_for(user_id) or ""
        return next(
            (a for a in bot.bf.activities(chat) if "Føler du dig opdateret" in text_of(a)), None
        )

    bot.bf.wait_for(lambda bf: all(pulse_of(u.id) for u in EVERYONE))
    anna = PRESENT[0]
    card = pulse_of(anna.id)
    assert card is not None
    assert_valid(card_of(card), validator)
    titles = [a["title"] for a in actions_of(card_of(card))]
    assert titles[:5] == ["1", "2", "3", "4", "5"] and len(titles) == 6, "Teams shows six actions"

    chat = bot.bf.conversation_for(anna.id) or ""
    pressed = bot.press(anna, card, chat, "pulse.answer")
    assert "1 ud af 5" in text_of(bot.replies_to(pressed)[0])
    with deps.db.transaction() as session:
        assert [a.score for a in session.query(PulseAnswer)] == [1]
