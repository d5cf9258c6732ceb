"""The whole bøvl list of a large round in Teams. Teams has no modal, and one card holds about
40 KB: a list of 200 long bøvl is answered as several cards, each valid and within the limit,
each saying which part it is, together holding every bøvl once and in order. From
`@Samskab bøvl liste` and from the board's "Se hele listen" button alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from handlers.context import Deps, PersonRef
from storage.models import HassleItem
from tests.builders import add_hassle, row_counts, with_ballot_key
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TENANT_ID, TeamsUser
from tests.scenarios.test_teams_hassle_round import checked, form_in_channel
from tests.teams_harness import TeamsHarness, actions_of, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import validator  # noqa: F401 (a fixture)
from tests.waiting import eventually

METTE = TeamsUser.make("Mette Lund")
PEOPLE = [TeamsUser.make(f"Kollega {n}") for n in range(1, 6)]
ITEMS = 200
# Long titles (80 characters, with Danish letters that JSON escapes) make the list heavy.
LONG = "Vagtplanen ændres for sent, så vi må ringe rundt til kolleger på vagt i weekenden"
TITLES = [f"Bøvl {n:03d}: {LONG}"[:80] for n in range(1, 261)]


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(with_ballot_key(deps), [METTE, *PEOPLE]) as harness:
        harness.bf.page_size = 50
        yield harness


def large_round(bot: TeamsHarness, deps: Deps, items: int = ITEMS) -> None:
    card = form_in_channel(bot, METTE, "opsætning")
    bot.submit(METTE, card, card["conversation"]["id"], {"name": "Odder", "step": "2"})
    eventually(lambda: row_counts(deps)["members"] == 1 + len(PEOPLE))
    card = form_in_channel(bot, METTE, "bøvl start")
    bot.submit(METTE, card, card["conversation"]["id"], {"collect_until": "2026-12-03"})
    authors = [PersonRef("teams", TENANT_ID, p.id, p.name) for p in PEOPLE]
    for n, title in enumerate(TITLES[:items]):
        add_hassle(deps, authors[n % len(authors)], "1", title)


def all_parts(bot: TeamsHarness, asked: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers to `asked`, once the last part ("Del 3 af 3") has come."""
    last = re.compile(r"Del (\d+) af \1\b")
    bot.bf.wait_for(lambda bf: any(last.search(text_of(a)) for a in bot.replies_to(asked)))
    return bot.replies_to(asked)


def assert_whole_list_in_parts(
    parts: list[dict[str, Any]], schema: jsonschema.Draft6Validator
) -> None:
    assert len(parts) >= 2
    shown = ""
    for n, part in enumerate(parts, start=1):
        checked(part, schema)  # valid Adaptive Card 1.5, within the size limit
        assert f"Del {n} af {len(parts)}" in text_of(part)
        assert "mere" not in text_of(part)  # nothing cut
        shown += text_of(part)
    listed = re.findall(r"#(\d+) Bøvl (\d{3}):", shown)
    assert [int(a) for a, _ in listed] == list(range(1, ITEMS + 1))
    assert all(int(a) == int(b) for a, b in listed)


def test_a_large_list_comes_in_parts_from_the_command_and_the_board(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    large_round(bot, deps)
    asked = bot.say(PEOPLE[2], "bøvl liste")
    assert_whole_list_in_parts(all_parts(bot, asked), validator)

    # The board's button answers with the same parts.
    bot.bf.wait_for(
        lambda bf: any(
            "og 170 mere" in text_of(a) for a in bf.activities(teams.CHANNEL_ID) if a.get("id")
        ),
        timeout=15,
    )
    [board] = [
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Bøvl-runden" in text_of(a) and not a.get("replyToId")
    ]
    assert "Se hele listen" in [a["title"] for a in actions_of(card_of(board))]
    pressed = bot.press(PEOPLE[3], board, teams.CHANNEL_ID, "hassle.list")
    assert_whole_list_in_parts(all_parts(bot, pressed), validator)


def test_the_dots_card_of_a_large_round_offers_every_bøvl(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    large_round(bot, deps)
    card = form_in_channel(bot, METTE, "bøvl afstemning")
    bot.submit(METTE, card, card["conversation"]["id"], {"dots": "3", "vote_until": "2026-12-04"})
    form = form_in_channel(bot, PEOPLE[1], "bøvl prikker")
    checked(form, validator)
    menus = [e for e in card_of(form)["body"] if e.get("type") == "Input.ChoiceSet"]
    assert [m["isMultiSelect"] for m in menus] == [True, True]  # two parts of at most 100
    offered = [c["value"] for m in menus for c in m["choices"]]
    assert sorted(offered, key=int) == [str(n) for n in range(1, ITEMS + 1)]
    assert "mere" not in text_of(form)


def test_a_round_too_large_for_one_card_gives_its_dots_on_several(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    """260 long bøvl do not fit one card (about 210 do): the dots come as three cards of one
    list each, every bøvl offered once; each card saves its own part and keeps the others'."""
    large_round(bot, deps, items=260)
    card = form_in_channel(bot, METTE, "bøvl afstemning")
    bot.submit(METTE, card, card["conversation"]["id"], {"dots": "3", "vote_until": "2026-12-04"})
    anna = PEOPLE[1]
    asked = bot.say(anna, "bøvl prikker")
    bot.bf.wait_for(lambda bf: len(bot.replies_to(asked)) == 3)
    parts = bot.replies_to(asked)
    offered: list[list[str]] = []
    for n, part in enumerate(parts, start=1):
        checked(part, validator)
        assert f"Giv dine prikker (Del {n} af 3)" in text_of(part)
        [menu] = [e for e in card_of(part)["body"] if e.get("type") == "Input.ChoiceSet"]
        assert menu["isMultiSelect"] is True
        offered.append([c["value"] for c in menu["choices"]])
    assert sorted((v for values in offered for v in values), key=int) == [
        str(n) for n in range(1, 261)
    ]
    conversation = asked["conversation"]["id"]

    def answer(part: dict[str, Any]) -> str:
        [now] = [a for a in bot.bf.activities(conversation) if a["id"] == part["id"]]
        return text_of(now)

    def supports() -> dict[str, int]:
        with deps.db.transaction() as session:
            items = session.scalars(select(HassleItem)).all()
            return {i.reference: i.supports for i in items if i.supports}

    first, second, third = offered[0][:2], offered[1][0], offered[2][0]
    bot.submit(anna, parts[0], conversation, {"items": first})
    saved = answer(parts[0])
    assert "Dine prikker er gemt: " in saved and "Du har brugt 2." in saved
    bot.submit(anna, parts[2], conversation, {parts_field(parts[2]): [third]})
    assert "Du har brugt 3." in answer(parts[2])
    assert supports() == {first[0]: 1, first[1]: 1, third: 1}
    # One more on the second card would make four: refused, and nothing changes.
    bot.submit(anna, parts[1], conversation, {parts_field(parts[1]): [second]})
    bot.bf.wait_for(
        lambda bf: any(
            "men du har kun 3 prikker" in text_of(a) for a in bf.activities(conversation)
        )
    )
    assert supports() == {first[0]: 1, first[1]: 1, third: 1}
    # The first card emptied: its two dots go, the third card's stays.
    again = bot.say(anna, "bøvl prikker")
    bot.bf.wait_for(lambda bf: len(bot.replies_to(again)) == 3)
    bot.submit(anna, bot.replies_to(again)[0], conversation, {"items": []})
    assert supports() == {third: 1}


def parts_field(part: dict[str, Any]) -> str:
    [menu] = [e for e in card_of(part)["body"] if e.get("type") == "Input.ChoiceSet"]
    return str(menu["id"])
