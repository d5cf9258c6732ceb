"""Changing and cancelling a planned workshop in Teams: the list's card carries the buttons, the
form comes as a card, and the colleagues concerned hear it in their 1:1 chats."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
import pytest

from handlers.context import Deps
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.scenarios.test_teams_loop import EVERYONE, METTE, PRESENT, _set_up
from tests.teams_harness import TeamsHarness, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)

ANNA, BO, CARL = PRESENT[0], PRESENT[1], PRESENT[2]


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def chat_saying(bot: TeamsHarness, user: TeamsUser, words: str) -> str:
    """What the bot said to `user` in their 1:1 chat that holds `words`, once it is there."""

    def said() -> list[str]:
        chat = bot.bf.conversation_for(user.id)
        return [text_of(a) for a in bot.bf.activities(chat or "") if words in text_of(a)]

    bot.bf.wait_for(lambda bf: bool(said()))
    return said()[0]


def test_a_facilitator_changes_then_cancels_a_workshop_from_the_list(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    _set_up(bot, deps)
    asked = bot.say(METTE, "workshop")
    bot.submit(
        METTE,
        bot.replies_to(asked)[0],
        asked["conversation"]["id"],
        {
            "title": "Budget 2027",
            "starts_at": "2026-12-03T13:00",
            "invitees": [METTE.id, ANNA.id, BO.id],
        },
    )

    asked = bot.say(METTE, "workshopper")
    listing = bot.replies_to(asked)[0]
    assert_valid(card_of(listing), validator)
    pressed = bot.press(METTE, listing, teams.CHANNEL_ID, "workshop.change")
    form = bot.replies_to(pressed)[0]
    assert "Ret en workshop" in text_of(form) and "Budget 2027" in text_of(form)
    assert_valid(card_of(form), validator)
    bot.submit(
        METTE,
        form,
        teams.CHANNEL_ID,
        {"starts_at": "2026-12-04T14:00", "invitees": [METTE.id, ANNA.id, CARL.id]},
    )
    done = [text_of(a) for a in bot.bf.activities(teams.CHANNEL_ID) if "er rettet" in text_of(a)]
    assert "er rettet: Budget 2027, fredag den 4. december kl. 14:00" in done[-1]

    chat_saying(bot, CARL, "Du er inviteret til en workshop: Budget 2027")
    chat_saying(bot, BO, "Workshoppen vedrører dig ikke længere.")
    anna = chat_saying(bot, ANNA, "Nyt tidspunkt: fredag den 4. december kl. 14:00")
    assert "før torsdag den 3. december kl. 13:00" in anna

    # Cancelled from the list, after a card that asks.
    asked = bot.say(METTE, "workshopper")
    pressed = bot.press(METTE, bot.replies_to(asked)[0], teams.CHANNEL_ID, "workshop.cancel")
    form = bot.replies_to(pressed)[0]
    assert "Skal workshoppen aflyses?" in text_of(form)
    assert_valid(card_of(form), validator)
    bot.submit(METTE, form, teams.CHANNEL_ID, {"confirm": "cancel"})
    for user in (ANNA, CARL):
        chat_saying(
            bot, user, "Workshoppen »Budget 2027« fredag den 4. december kl. 14:00 er aflyst."
        )
    asked = bot.say(METTE, "workshopper")
    assert "Budget 2027" not in text_of(bot.replies_to(asked)[0])
