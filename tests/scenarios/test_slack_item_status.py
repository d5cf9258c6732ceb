"""Open questions answered and colleagues nudged, in Slack: the facilitator's list comes as an
ephemeral message with buttons, "Besvar" opens a modal, and "Send en påmindelse nu" sends the
absent colleagues one DM each; members are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

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

NUDGE = "Facilitatorerne spørger dig igen"


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def test_an_open_question_is_answered_in_a_modal(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    summary = plan_and_summarise(bot, clock)

    listing = bot.response(bot.command(METTE, "spørgsmål"))
    assert "Åbne spørgsmål (1)" in text_of(listing) and "Beslutninger (2)" in text_of(listing)
    assert_within_slack_limits(listing)
    question = button_value(listing, "item.resolve")  # the open question comes first

    refused = bot.click(ANNA, "item.resolve", question, channel=CHANNEL)
    assert "Det kan kun forløbets facilitatorer." in text_of(bot.response(refused))

    before = len(bot.slack.calls_to("views.open"))
    bot.click(METTE, "item.resolve", question, channel=CHANNEL)
    view = bot.opened_view(before)
    assert view["callback_id"] == "item.resolve"
    assert view["title"]["text"] == "Besvar spørgsmålet"
    assert "Hvem indkalder til mødet?" in text_of(view)
    assert_within_slack_limits(view)
    empty = bot.submit(METTE, view, {"text": ""})
    assert empty["response_action"] == "errors", "an empty answer keeps the modal open"
    done = bot.submit(METTE, view, {"text": "Lederen af team Nord"})
    assert f"Åbent spørgsmål #{question} er markeret som besvaret." in text_of(done["view"])

    # The channel hears it in the summary's thread.
    shared = "Et åbent spørgsmål er besvaret: Hvem indkalder til mødet?"
    bot.slack.wait_for(lambda s: any(shared in text_of(m) for m in s.messages(CHANNEL)))
    post = next(m for m in bot.posts(CHANNEL) if shared in text_of(m))
    assert post["thread_ts"] == summary["ts"] and "Lederen af team Nord" in text_of(post)

    status = bot.response(bot.command(ANNA, "status"))
    assert "Hvem indkalder til mødet? · besvaret: Lederen af team Nord" in text_of(status)


def test_a_nudge_reaches_each_absent_colleague_once(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    plan_and_summarise(bot, clock)
    clock.set(clock.now.replace(day=26, hour=9))  # Thursday, 10:00 in Copenhagen

    refused = bot.response(bot.command(ANNA, "mangler"))
    assert "Det kan kun forløbets facilitatorer." in text_of(refused)
    listing = bot.response(bot.command(METTE, "mangler"))
    assert "Emil Vestergaard" in text_of(listing) and "Gitte Møller" in text_of(listing)
    assert_within_slack_limits(listing)
    summary = button_value(listing, "input.nudge")

    pressed = bot.response(bot.click(METTE, "input.nudge", summary, channel=CHANNEL))
    assert "En påmindelse er på vej til: Emil Vestergaard, Frida Juhl, Gitte Møller." in (
        text_of(pressed)
    )
    bot.slack.wait_for(lambda s: all(any(NUDGE in text_of(m) for m in bot.dm(u)) for u in ABSENT))

    again = bot.response(bot.click(METTE, "input.nudge", summary, channel=CHANNEL))
    assert "Ikke påmindet igen" in text_of(again)
    with deps.db.transaction() as session:
        queued = session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.key.like("nudge:%"))
        )
    assert queued == len(ABSENT), "one nudge each, the second press queued none"
    assert all(sum(NUDGE in text_of(m) for m in bot.dm(u)) == 1 for u in ABSENT)
