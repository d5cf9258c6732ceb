"""Correcting a posted summary in Slack: the channel's message and the DMs of colleagues who have
not answered are edited with chat.update (never posted again), and an update that waited for a
retry never undoes a later correction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Deps
from storage.models import OutboxMessage
from tests.conftest import Clock
from tests.scenarios.test_slack_loop import (
    ABSENT,
    ANNA,
    METTE,
    USERS,
    plan_and_summarise,
    set_up_process,
)
from tests.slack_harness import CHANNEL, SlackHarness, button_value, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.waiting import eventually


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def open_correction(bot: SlackHarness, user: str) -> dict[str, Any]:
    """`/samskab workshopper`, then the button "Ret opsamlingen" under the list."""
    listing = bot.response(bot.command(user, "workshopper"))
    before = len(bot.slack.calls_to("views.open"))
    bot.click(user, "summary.correct", button_value(listing, "summary.correct"), channel=CHANNEL)
    return bot.opened_view(before)


def posted_to(bot: SlackHarness, channel: str | None) -> int:
    return sum(1 for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == channel)


def updates_of(bot: SlackHarness, message: dict[str, Any], channel: str | None) -> list[Any]:
    return [
        c
        for c in bot.slack.calls_to("chat.update")
        if c.params["channel"] == channel and c.params["ts"] == message["ts"]
    ]


def test_the_channel_message_and_the_dms_are_edited_in_place(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    summary = plan_and_summarise(bot, clock)
    dms = {user: bot.slack.dm_channel_of(user) for user in ABSENT}
    originals = {user: bot.dm(user)[0] for user in ABSENT}
    posted = {where: posted_to(bot, where) for where in (CHANNEL, *dms.values())}

    view = open_correction(bot, METTE)
    assert view["callback_id"] == "summary.correct"
    assert_within_slack_limits(view)
    assert "Vi tegnede et første udkast til en fælles visitationsmodel." in text_of(view)
    assert "Hvem indkalder til mødet?" in text_of(view), "the form holds the summary as posted"
    answer = bot.submit(
        METTE,
        view,
        {
            "text": "Vi valgte model B til visitationen.",
            "question": "Kan du leve med model B?",
            "deadline": "2026-12-09",
        },
    )
    assert "Opsamlingen er rettet" in text_of(answer["view"])

    bot.slack.wait_for(lambda s: len(updates_of(bot, summary, CHANNEL)) == 1)
    bot.slack.wait_for(
        lambda s: all(len(updates_of(bot, originals[u], dms[u])) == 1 for u in ABSENT)
    )
    corrected = next(m for m in bot.posts(CHANNEL) if m["ts"] == summary["ts"])
    assert "Vi valgte model B til visitationen." in text_of(corrected)
    assert "Rettet onsdag den 25. november kl. 17:00" in text_of(corrected)
    assert_within_slack_limits(corrected)
    emil = bot.dm(ABSENT[0])
    assert len(emil) == 1 and "Kan du leve med model B?" in text_of(emil[0])
    assert "https://fake.slack.com/archives/" in text_of(emil[0]), "still links to the post"
    assert {where: posted_to(bot, where) for where in posted} == posted, "nothing posted anew"

    # A colleague who is not a facilitator cannot.
    refused = bot.click(ANNA, "summary.correct", str(_summary_id(deps)), channel=CHANNEL)
    assert "Det kan kun forløbets facilitatorer." in text_of(bot.response(refused))


def test_an_update_waiting_for_a_retry_does_not_undo_a_later_correction(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    summary = plan_and_summarise(bot, clock)
    # The first correction's edit of the channel message meets an outage and waits to retry.
    bot.slack.fail("chat.update", status=503, when=lambda p: p.get("channel") == CHANNEL)
    bot.submit(METTE, open_correction(bot, METTE), {"text": "Første rettelse."})
    bot.slack.wait_for(lambda s: any(c.failed for c in s.calls_to("chat.update")))
    bot.submit(METTE, open_correction(bot, METTE), {"text": "Anden rettelse."})
    bot.slack.wait_for(
        lambda s: any(
            m["ts"] == summary["ts"] and "Anden rettelse." in text_of(m)
            for m in s.messages(CHANNEL)
        )
    )

    # Its retry falls due after the second one was shown: it is dropped, not sent.
    clock.advance(minutes=20)
    eventually(lambda: _status(deps, f"summary:{_summary_id(deps)}:corrected:1") == "sent")
    shown = next(m for m in bot.posts(CHANNEL) if m["ts"] == summary["ts"])
    assert "Anden rettelse." in text_of(shown) and "Første rettelse." not in text_of(shown)
    sent = [c for c in updates_of(bot, summary, CHANNEL) if not c.failed]
    assert len(sent) == 1


def _summary_id(deps: Deps) -> int:
    with deps.db.transaction() as session:
        key = session.scalar(
            select(OutboxMessage.key)
            .where(OutboxMessage.key.startswith("summary:"))
            .order_by(OutboxMessage.id)
        )
        assert key is not None
        return int(key.split(":")[1])


def _status(deps: Deps, key: str) -> str | None:
    with deps.db.transaction() as session:
        return session.scalar(select(OutboxMessage.status).where(OutboxMessage.key == key))
