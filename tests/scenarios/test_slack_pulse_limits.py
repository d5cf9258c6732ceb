"""A new pulse closes the old one in Slack: each old DM still unanswered is updated in place
(chat.update of the same message) to say it is closed, without buttons; an answered one keeps
its answer; a button pressed on an old DM is answered "closed" and stores nothing. Signed
requests to our real server, the fake Slack Web API over real HTTP, a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Deps
from storage.models import PulseAnswer
from tests.conftest import Clock
from tests.scenarios.test_slack_pulse import (
    ANNA,
    BO,
    METTE,
    USERS,
    buttons,
    press,
    pulse_dm,
    set_up_with_a_held_workshop,
)
from tests.slack_harness import SlackHarness, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits

CLOSED = {
    "da-DK": "Denne pulsmåling er lukket, fordi der er sendt en nyere.",
    "en-US": "This pulse is closed: a newer one has been sent.",
}


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def test_a_new_pulse_closes_the_old_dms_in_place(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_with_a_held_workshop(bot, deps, clock)
    reply = bot.response(bot.command(METTE, "step 3"))
    assert "Pulsmålingen er sendt til 7 medlemmer." in text_of(reply)
    bot.slack.wait_for(lambda s: all(_pulses(bot, user) for user in USERS))
    old = {user: pulse_dm(bot, user) for user in USERS}
    bo_four = next(e for e in buttons(old[BO]) if e["text"]["text"] == "4")
    bot.response(press(bot, ANNA, "4"))
    bot.slack.wait_for(lambda s: "4 ud af 5" in text_of(_message(bot, ANNA, old[ANNA]["ts"])))

    # A week and a day later: the new pulse, and the old DMs closed.
    clock.advance(days=8)
    updates = len(bot.slack.calls_to("chat.update"))
    reply = bot.response(bot.command(METTE, "puls"))
    assert "Pulsmålingen er sendt til 7 medlemmer." in text_of(reply)
    unanswered = [user for user in USERS if user != ANNA]
    bot.slack.wait_for(
        lambda s: all(
            "lukket" in text_of(_message(bot, u, old[u]["ts"]))
            or "closed" in text_of(_message(bot, u, old[u]["ts"]))
            for u in unanswered
        )
    )
    bot.slack.wait_for(lambda s: all(len(_pulses(bot, user)) == 2 for user in USERS))
    for user in unanswered:
        message = _message(bot, user, old[user]["ts"])
        assert CLOSED[USERS[user][1]] in text_of(message), user
        assert not [b for b in message["blocks"] if b["type"] == "actions"], user
        assert_within_slack_limits(message)
    updated = {
        (call.params["channel"], call.params["ts"])
        for call in bot.slack.calls_to("chat.update")[updates:]
    }
    assert updated == {(bot.slack.dm_channel_of(u), old[u]["ts"]) for u in unanswered}, (
        "each unanswered DM is updated in place, Anna's answered one is not"
    )
    assert "4 ud af 5" in text_of(_message(bot, ANNA, old[ANNA]["ts"]))

    # Bo's Slack still shows the old buttons (a stale message): his press is answered, and
    # nothing is stored.
    pressed = bot.click(
        BO,
        bo_four["action_id"],
        bo_four["value"],
        channel=bot.slack.dm_channel_of(BO),
        message_ts=old[BO]["ts"],
    )
    answer = bot.response(pressed)
    assert answer["response_type"] == "ephemeral"
    assert "This pulse is closed: a newer one has been sent" in text_of(answer)
    with deps.db.transaction() as session:
        assert session.scalars(select(PulseAnswer.score)).all() == [4], "only Anna's"


def _pulses(bot: SlackHarness, user: str) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.dm(user)
        if "Føler du dig opdateret" in text_of(m) or "Do you feel up to date" in text_of(m)
    ]


def _message(bot: SlackHarness, user: str, ts: str) -> dict[str, Any]:
    """The DM with this `ts`, as it reads now."""
    return next(m for m in bot.dm(user) if m["ts"] == ts)
