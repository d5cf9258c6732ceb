"""Closing the loop in Slack: anonymous input waits for the threshold, a facilitator marks what
became of an input with the buttons on its thread post (or from App Home), the contributor gets a
DM, and the digest says "Du sagde – vi gjorde"; the anonymous author is nowhere to be seen."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from handlers.context import Deps
from handlers.status.digest import post_digest
from storage.models import Process
from tests.conftest import Clock
from tests.fakes import slack_payloads as payloads
from tests.scenarios.test_slack_loop import (
    EMIL,
    FRIDA,
    GITTE,
    METTE,
    USERS,
    plan_and_summarise,
    set_up_process,
)
from tests.slack_harness import CHANNEL, SlackHarness, button_value, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def give_input(bot: SlackHarness, user: str, text: str, *, anonymous: bool) -> None:
    dm = bot.dm(user)[0]
    before = len(bot.slack.calls_to("views.open"))
    bot.click(user, "input.request", button_value(dm, "input.request"))
    kind = "anonymous" if anonymous else "named"
    bot.submit(user, bot.opened_view(before), {"text": text, "anonymous": kind})


def post_with(bot: SlackHarness, text: str) -> dict[str, Any]:
    bot.slack.wait_for(lambda s: any(text in text_of(m) for m in s.messages(CHANNEL)))
    return next(m for m in bot.posts(CHANNEL) if text in text_of(m))


def test_marked_input_reaches_its_anonymous_contributor_and_the_digest(
    bot: SlackHarness, deps: Deps, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    set_up_process(bot, deps)
    summary = plan_and_summarise(bot, clock)

    give_input(bot, EMIL, "Husk nattevagterne i modellen.", anonymous=True)
    give_input(bot, FRIDA, "Borgerne skal kunne forberede sig.", anonymous=False)
    post_with(bot, "Borgerne skal kunne forberede sig.")
    assert not any("nattevagterne" in text_of(m) for m in bot.posts(CHANNEL)), "it waits"
    bot.click(GITTE, "input.decline", button_value(bot.dm(GITTE)[0], "input.decline"))
    anonymous = post_with(bot, "Husk nattevagterne i modellen.")
    assert anonymous["thread_ts"] == summary["ts"]
    assert "Input fra en anonym kollega" in text_of(anonymous)
    assert_within_slack_limits(anonymous)
    marks = [e for b in anonymous["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in marks] == ["Overvejet", "Brugt", "Ikke brugt"]
    # Named by its letters, in the post and in its buttons' values (which anyone in the channel
    # can read): no row id that would tell when it was given.
    letters = re.search(r"A-[A-Z]{3}", text_of(anonymous))
    assert letters is not None
    assert all(e["value"].split(":")[1] == letters.group() for e in marks)

    # Mette presses "Brugt" on the thread post: a modal with the status chosen, and a note.
    used = next(e for e in marks if e["text"]["text"] == "Brugt")
    before = len(bot.slack.calls_to("views.open"))
    bot.click(METTE, used["action_id"], used["value"], channel=CHANNEL, message_ts=anonymous["ts"])
    view = bot.opened_view(before)
    assert view["callback_id"] == "input.mark"
    assert_within_slack_limits(view)
    too_long = bot.submit(METTE, view, {"note": "x" * 1001})
    assert too_long["response_action"] == "errors"
    done = bot.submit(METTE, view, {"note": "Nattevagten er med i model B."})
    assert "markeret brugt" in text_of(done["view"]) and "Emil" not in text_of(done["view"])
    # Her App Home follows: the input marked used is no longer on the list to follow up.
    bot.slack.wait_for(lambda s: METTE in s.home_views)
    home = bot.slack.home_views[METTE]
    # A button's value names the input by process and reference: "<process>:<reference>:<mark>".
    listed = {
        e["value"].rpartition(":")[0]
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].partition("#")[0] == "input.mark"
    }
    assert used["value"].rpartition(":")[0] not in listed and len(listed) == 1, "Frida's is left"

    # Emil hears what became of it, privately; the thread post shows it too.
    emil_dm = bot.slack.dm_channel_of(EMIL)
    bot.slack.wait_for(lambda s: any("Hvad der blev af" in text_of(m) for m in s.messages(emil_dm)))
    fate = next(m for m in bot.dm(EMIL) if "Hvad der blev af" in text_of(m))
    assert "brugt" in text_of(fate) and "Nattevagten er med i model B." in text_of(fate)
    bot.slack.wait_for(
        lambda s: "Status: brugt" in text_of(post_with(bot, "Husk nattevagterne i modellen."))
    )

    # A colleague who is not a facilitator cannot mark.
    named = post_with(bot, "Borgerne skal kunne forberede sig.")
    button = next(e for b in named["blocks"] if b["type"] == "actions" for e in b["elements"])
    refused = bot.click("U0ANNA", button["action_id"], button["value"], channel=CHANNEL)
    assert "Det kan kun forløbets facilitatorer." in text_of(bot.response(refused))

    # Mette's App Home lists what is still to follow up, without the anonymous author.
    bot.event(payloads.app_home_opened(METTE), "EvHomeMette")
    bot.slack.wait_for(lambda s: METTE in s.home_views)
    home = bot.slack.home_views[METTE]
    assert "Input at følge op på" in text_of(home) and "Frida Juhl" in text_of(home)
    assert_within_slack_limits(home)

    with deps.db.transaction() as session:
        process_id = session.query(Process.id).scalar()
    assert post_digest(deps, process_id, "2026-W48")
    bot.slack.wait_for(
        lambda s: any("Du sagde – vi gjorde" in text_of(m) for m in s.messages(CHANNEL))
    )
    digest = next(m for m in bot.posts(CHANNEL) if "Du sagde – vi gjorde" in text_of(m))
    assert "Nattevagten er med i model B." in text_of(digest)

    # Emil is nowhere: not in the channel, not in the facilitator's views, not in the logs.
    for trace in ("Emil", EMIL):
        assert not any(trace in text_of(m) for m in bot.posts(CHANNEL)), trace
        assert trace not in text_of(home), trace
        assert not [r for r in caplog.records if trace in r.getMessage()], trace
