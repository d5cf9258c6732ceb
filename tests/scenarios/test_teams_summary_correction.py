"""Correcting a posted summary in Teams: the channel's card and the 1:1 cards of colleagues who
have not answered are updated (PUT of the same activity), never sent again."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from handlers.context import Deps
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.scenarios.test_teams_loop import ABSENT, EVERYONE, METTE, PRESENT, _set_up
from tests.teams_harness import TeamsHarness, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import SCHEMA_PATH, assert_valid

VALIDATOR = jsonschema.Draft6Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def summarise(bot: TeamsHarness, clock: Clock) -> dict[str, Any]:
    bot.hold_workshop(
        METTE,
        clock,
        {
            "attendees": [METTE.id, *(p.id for p in PRESENT)],
            "text": "Vi tegnede et første udkast.",
            "decisions": "Fælles opstartsmøde afprøves i team Nord",
        },
    )
    bot.bf.wait_for(lambda bf: all(bf.activities(bf.conversation_for(u.id) or "") for u in ABSENT))
    return next(
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Opsamling fra workshoppen: Ny visitationsmodel" in text_of(a) and a.get("attachments")
    )


def puts_to(bot: TeamsHarness, conversation: str, activity_id: str) -> list[Any]:
    path = f"PUT /v3/conversations/{re.escape(conversation)}/activities/{activity_id}$"
    return bot.bf.calls_to(path)


def test_the_channel_card_and_the_dms_are_updated_in_place(
    bot: TeamsHarness, deps: Deps, clock: Clock
) -> None:
    _set_up(bot, deps)
    summary = summarise(bot, clock)
    chats = {u.id: bot.bf.conversation_for(u.id) or "" for u in ABSENT}
    originals = {u.id: bot.bf.activities(chats[u.id])[0] for u in ABSENT}

    asked = bot.say(METTE, "workshopper")
    listing = bot.replies_to(asked)[0]
    pressed = bot.press(METTE, listing, asked["conversation"]["id"], "summary.correct")
    form = bot.replies_to(pressed)[0]
    assert "Vi tegnede et første udkast." in text_of(form), "the form holds the summary"
    assert_valid(card_of(form), VALIDATOR)
    sent_before = len(bot.bf.calls_to(r"POST /v3/conversations/.+/activities"))
    bot.submit(
        METTE,
        form,
        asked["conversation"]["id"],
        {"text": "Vi valgte model B.", "question": "Kan du leve med model B?"},
    )

    bot.bf.wait_for(lambda bf: len(puts_to(bot, teams.CHANNEL_ID, summary["id"])) == 1)
    bot.bf.wait_for(
        lambda bf: all(len(puts_to(bot, chats[u], originals[u]["id"])) == 1 for u in chats)
    )
    card = next(a for a in bot.bf.activities(teams.CHANNEL_ID) if a["id"] == summary["id"])
    assert "Vi valgte model B." in text_of(card) and "Rettet onsdag den 25. november" in text_of(
        card
    )
    assert_valid(card_of(card), VALIDATOR)
    emil = bot.bf.activities(chats[ABSENT[0].id])
    assert "Kan du leve med model B?" in text_of(emil[0])
    new = bot.bf.calls_to(r"POST /v3/conversations/.+/activities")[sent_before:]
    assert not [c for c in new if "model B" in text_of(c.json)], "the correction is not sent anew"
