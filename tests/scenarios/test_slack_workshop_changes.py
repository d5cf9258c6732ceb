"""Changing and cancelling a planned workshop in Slack: the buttons on `/samskab workshopper`'s
answer open a modal, and the colleagues concerned get their DMs through the fake Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.context import Deps
from tests.scenarios.test_slack_loop import ANNA, CARL, DITTE, METTE, USERS, set_up_process
from tests.slack_harness import CHANNEL, SlackHarness, button_value, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def dm_saying(bot: SlackHarness, user: str, words: str) -> str:
    """The DM to `user` that says `words`, once it has arrived."""
    bot.slack.wait_for(lambda s: any(words in text_of(m) for m in bot.dm(user)))
    return next(text_of(m) for m in bot.dm(user) if words in text_of(m))


def test_a_facilitator_changes_then_cancels_a_workshop_from_the_list(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up_process(bot, deps)
    view = bot.open_form(METTE, "workshop")
    planned = bot.submit(
        METTE,
        view,
        {"title": "Budget 2027", "starts_at": "2026-12-03T13:00", "invitees": [METTE, ANNA, CARL]},
    )
    assert planned["response_action"] == "update"

    listing = bot.response(bot.command(METTE, "workshopper"))
    assert_within_slack_limits(listing)
    change = button_value(listing, "workshop.change")
    opened = len(bot.slack.calls_to("views.open"))
    bot.click(METTE, "workshop.change", change, channel=CHANNEL)
    view = bot.opened_view(opened)
    assert view["callback_id"] == "workshop.change"
    assert_within_slack_limits(view)
    assert "Budget 2027" in text_of(view) and "2026-12-03" in text_of(view), "as it is today"
    answer = bot.submit(
        METTE, view, {"starts_at": "2026-12-04T14:00", "invitees": [METTE, ANNA, DITTE]}
    )
    assert "er rettet: Budget 2027, fredag den 4. december kl. 14:00" in text_of(answer["view"])

    assert "Hvornår" in dm_saying(bot, DITTE, "Du er inviteret til en workshop: Budget 2027")
    dm_saying(bot, CARL, "Workshoppen vedrører dig ikke længere.")
    dm_saying(bot, ANNA, "Nyt tidspunkt: fredag den 4. december kl. 14:00")
    bot.slack.wait_for(
        lambda s: any("Workshop ændret: Budget 2027" in text_of(m) for m in s.messages(CHANNEL))
    )
    assert not any("Budget 2027" in text_of(m) for m in bot.dm(METTE)), "she made the change"

    # Cancelled from the list: a modal asks first.
    listing = bot.response(bot.command(METTE, "workshopper"))
    opened = len(bot.slack.calls_to("views.open"))
    bot.click(METTE, "workshop.cancel", button_value(listing, "workshop.cancel"), channel=CHANNEL)
    view = bot.opened_view(opened)
    assert view["callback_id"] == "workshop.cancel" and "Skal workshoppen aflyses?" in (
        text_of(view)
    )
    answer = bot.submit(METTE, view, {"confirm": "cancel"})
    assert "»Budget 2027« er aflyst" in text_of(answer["view"])
    for user in (ANNA, DITTE):
        dm_saying(
            bot, user, "Workshoppen »Budget 2027« fredag den 4. december kl. 14:00 er aflyst."
        )
    listing = bot.response(bot.command(METTE, "workshopper"))
    assert "Budget 2027" not in text_of(listing)

    # A colleague pressing the old button is told no, in words.
    refused = bot.click(ANNA, "workshop.change", change, channel=CHANNEL)
    assert "Det kan kun forløbets facilitatorer." in text_of(bot.response(refused))
