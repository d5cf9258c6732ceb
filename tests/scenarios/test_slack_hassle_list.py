"""The whole bøvl list in Slack. With more bøvl than the board shows (30), the board says how many
more there are and offers "Se hele listen"; that button and `/samskab bøvl liste` open a modal
with every bøvl, within Slack's limits. When Slack will not open a modal (the trigger expired),
the list comes privately instead, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handlers.context import Deps, PersonRef
from tests.builders import add_hassle, row_counts, with_ballot_key
from tests.fakes.slack_payloads import TEAM_ID
from tests.scenarios.test_slack_hassle_round import board_versions, boards, buttons, said
from tests.slack_harness import SlackHarness, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.waiting import eventually

METTE = "U0METTE"
PEOPLE = {f"U{n:03d}": f"Kollega {n}" for n in range(1, 6)}
USERS = {METTE: ("Mette Lund", "da-DK")} | {u: (name, "da-DK") for u, name in PEOPLE.items()}
# Forty-five bøvl that look nothing alike, so none is offered as a look-alike of another.
TITLES = [f"Bøvl nummer {n}: {word}" for n, word in enumerate(
    ["vagtplan", "journal", "telefonkø", "bilpark", "nøgleboks", "printer", "kantine", "IT-login",
     "mødelokale", "vikarer", "dokumentation", "medicin", "hjælpemidler", "parkering", "rengøring",
     "indkøb", "tolk", "pårørende", "overlevering", "arbejdstelefon", "sygemelding", "kørsel",
     "kursus", "introduktion", "visitation", "hjemmeside", "nattevagt", "skema", "skabe", "lys",
     "varme", "trappe", "elevator", "affald", "vaskeri", "køkken", "haven", "post", "adgangskort",
     "wifi", "tablet", "lader", "uniform", "sko", "kaffe"], start=1)]  # fmt: skip


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(with_ballot_key(deps), USERS, list(USERS), page_size=100) as harness:
        yield harness


def round_with_45(bot: SlackHarness, deps: Deps) -> dict[str, Any]:
    """A process, a round started from its modal, 45 bøvl; the board as Slack shows it last."""
    view = bot.open_form(METTE, "setup")
    said(bot.submit(METTE, view, {"name": "Odder", "step": "2", "language": "da"}))
    eventually(lambda: row_counts(deps)["members"] == len(USERS))
    view = bot.open_form(METTE, "bøvl start")
    said(bot.submit(METTE, view, {"collect_until": "2026-12-03"}))
    bot.slack.wait_for(lambda s: bool(boards(bot)))
    [board] = boards(bot)
    authors = [PersonRef("slack", TEAM_ID, u, name) for u, name in PEOPLE.items()]
    for n, title in enumerate(TITLES):
        add_hassle(deps, authors[n % len(authors)], "1", title)
    bot.slack.wait_for(
        lambda s: "og 15 mere" in text_of((board_versions(bot, board["ts"]) or [board])[-1]),
        timeout=15,
    )
    return board_versions(bot, board["ts"])[-1] | {"ts": board["ts"]}


def assert_whole_list(view: dict[str, Any]) -> None:
    assert view["type"] == "modal"
    assert_within_slack_limits(view)
    assert view["title"]["text"] == "Bøvl-runden"
    shown = text_of(view)
    assert "Bøvl indtil videre (45)" in shown
    for n, title in enumerate(TITLES, start=1):
        assert f"#{n} {title}" in shown, title


def test_the_board_and_the_list_command_open_the_whole_list(bot: SlackHarness, deps: Deps) -> None:
    board = round_with_45(bot, deps)
    assert_within_slack_limits(board)
    shown = text_of(board)
    assert "… og 15 mere" in shown and "Bøvl nummer 30:" in shown
    assert "Bøvl nummer 31:" not in shown

    # The board's button opens the whole list in a modal, for anyone in the channel.
    [see_all] = [b for b in buttons(board) if b["text"]["text"] == "Se hele listen"]
    before = len(bot.slack.calls_to("views.open"))
    bot.click("U003", see_all["action_id"], see_all["value"], message_ts=board["ts"])
    assert_whole_list(bot.opened_view(before))

    # `/samskab bøvl liste` opens the same modal; nothing is posted or answered besides it.
    before = len(bot.slack.calls_to("views.open"))
    name = bot.command("U004", "bøvl liste")
    assert_whole_list(bot.opened_view(before))
    assert not bot.slack.responses[name]


def test_the_list_comes_privately_when_slack_will_not_open_a_modal(
    bot: SlackHarness, deps: Deps
) -> None:
    round_with_45(bot, deps)
    bot.slack.fail("views.open", error="expired_trigger_id")
    answer = bot.response(bot.command("U002", "bøvl liste"))
    assert answer["response_type"] == "ephemeral"
    assert_within_slack_limits(answer)
    shown = text_of(answer)
    assert "Bøvl indtil videre (45)" in shown
    assert all(title in shown for title in TITLES)
