"""Delivery at size (issue 14), through the real Slack adapter against the fake Slack over real
HTTP: an outage page instead of JSON costs a retry, not the round; a first DM goes to the
person's user id and its D… channel is kept, so `conversations.open` is not needed, not even
after a 429."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from handlers.context import Deps
from storage.models import Person
from tests.conftest import Clock
from tests.scenarios.test_slack_robustness import (
    ANNA,
    EMIL,
    FRIDA,
    GITTE,
    MEMBERS,
    METTE,
    USERS,
    set_up,
    summarise,
)
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot, text_of
from tests.waiting import eventually


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, MEMBERS) as harness:
        yield harness


def _asked(bot: SlackHarness, user: str) -> list[str]:
    return [text_of(m) for m in bot.dm(user) if "vil gerne høre fra dig" in text_of(m)]


@pytest.mark.parametrize("content_type", ["text/plain", "text/html"])
def test_an_outage_page_instead_of_json_is_retried_and_the_others_still_go(
    bot: SlackHarness, deps: Deps, clock: Clock, content_type: str
) -> None:
    set_up(deps)
    bot.slack.wait_for(lambda s: bool(s.messages(CHANNEL)))  # the setup announcement
    # Slack's edge answers 503 with a page, not JSON: once to Gitte, twice to anyone.
    is_gitte = lambda p: p.get("channel") == GITTE  # noqa: E731
    bot.slack.fail("chat.postMessage", status=503, content_type=content_type, when=is_gitte)
    summarise(deps, [METTE, ANNA])
    bot.slack.wait_for(lambda s: any(c.failed for c in s.calls_to("chat.postMessage")))
    # The same round went on: the others have their DM while Gitte's waits for its retry.
    bot.slack.wait_for(lambda s: all(_asked(bot, u) for u in (EMIL, FRIDA)))
    assert not _asked(bot, GITTE)
    clock.advance(seconds=60)  # past the backoff
    bot.slack.wait_for(lambda s: bool(_asked(bot, GITTE)))
    assert all(len(_asked(bot, u)) == 1 for u in (EMIL, FRIDA, GITTE)), "each once"


def test_a_cold_fan_out_posts_by_user_id_and_keeps_the_dm_channel_through_429s(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up(deps)
    bot.slack.wait_for(lambda s: bool(s.messages(CHANNEL)))
    # The first DM to each colleague is refused with 429 once: a retry must not open anything.
    bot.slack.fail(
        "chat.postMessage", retry_after=1, times=3, when=lambda p: p.get("channel") != CHANNEL
    )
    summarise(deps, [METTE])
    bot.slack.wait_for(lambda s: sum(c.failed for c in s.calls_to("chat.postMessage")) == 3)
    clock.advance(seconds=60)
    bot.slack.wait_for(lambda s: all(_asked(bot, u) for u in (ANNA, EMIL, FRIDA, GITTE)))
    assert bot.slack.calls_to("conversations.open") == []
    assert all(len(_asked(bot, u)) == 1 for u in (ANNA, EMIL, FRIDA, GITTE)), "each once"

    def kept() -> dict[str, str | None]:
        with deps.db.transaction() as session:
            return {p.user_id: p.dm_channel for p in session.scalars(select(Person))}

    # The D… id from the answer is kept for later updates.
    people = (ANNA, EMIL, FRIDA, GITTE)
    eventually(lambda: all(kept()[u] == bot.slack.dm_channel_of(u) for u in people))
