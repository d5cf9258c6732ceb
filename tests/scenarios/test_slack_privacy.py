"""A person's own data in Slack (fake Slack over real HTTP, real SQLite): `mydata` answers
privately, sends the readable version as a DM and the JSON file into the person's DM; a stranger
is told there is nothing; `forget-me` through its modal leaves no trace of the person and turns
their post in the thread into a notice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from handlers.context import Deps
from tests.builders import row_counts
from tests.conftest import Clock
from tests.scenarios.test_privacy import traces_of
from tests.scenarios.test_slack_input_lifecycle import give_input, post_with
from tests.scenarios.test_slack_loop import (
    EMIL,
    FRIDA,
    USERS,
    plan_and_summarise,
    set_up_process,
)
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot, text_of
from tests.waiting import eventually

STRANGER = "U0UKENDT"


@pytest.fixture
def bot(deps: Deps, clock: Clock) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        harness.slack.add_user(STRANGER, "ukendt", real_name="Ukendt Kollega")
        set_up_process(harness, deps)
        plan_and_summarise(harness, clock)
        give_input(harness, EMIL, "Husk nattevagterne i modellen.", anonymous=False)
        give_input(harness, FRIDA, "Borgerne skal kunne forberede sig.", anonymous=False)
        post_with(harness, "Borgerne skal kunne forberede sig.")
        yield harness


def test_mydata_arrives_privately_as_a_dm_and_a_json_file_in_the_dm(bot: SlackHarness) -> None:
    answer = bot.response(bot.command(EMIL, "minedata"))
    assert answer["response_type"] == "ephemeral"
    assert "Du har fået dine data i en direkte besked." in text_of(answer)

    dm_channel = bot.slack.dm_channel_of(EMIL)
    assert dm_channel is not None
    bot.slack.wait_for(
        lambda s: any("Dine data i Samskab" in text_of(m) for m in s.messages(dm_channel))
    )
    readable = next(m for m in bot.dm(EMIL) if "Dine data i Samskab" in text_of(m))
    assert "Emil Vestergaard" in text_of(readable) and "Husk nattevagterne" in text_of(readable)
    assert not any("Dine data i Samskab" in text_of(m) for m in bot.posts(CHANNEL))

    bot.slack.wait_for(lambda s: any(f.get("content") for f in s.files))
    [upload] = bot.slack.files
    assert upload["filename"].startswith("samskab-mydata-")
    data = json.loads(upload["content"])
    assert data["person"]["user_id"] == EMIL and data["person"]["name"] == "Emil Vestergaard"
    assert [i["text"] for i in data["inputs"]] == ["Husk nattevagterne i modellen."]
    assert upload["channel_id"] == dm_channel, "the file goes to his DM, never the channel"


def test_a_stranger_has_no_data_and_nothing_is_written(bot: SlackHarness, deps: Deps) -> None:
    eventually(lambda: bot.slack.calls_to("chat.postMessage") != [])
    before = row_counts(deps)
    for command in ("minedata", "glem-mig"):
        answer = bot.response(bot.command(STRANGER, command))
        assert "Jeg har ingen data om dig." in text_of(answer), command
    assert bot.slack.files == []
    assert row_counts(deps) == before
    # The inbox holds an acknowledged command only until its work is done.
    eventually(lambda: traces_of(deps, STRANGER, "Ukendt Kollega") == [])


def test_forget_me_through_the_modal_leaves_no_trace_and_updates_the_thread(
    bot: SlackHarness, deps: Deps
) -> None:
    view = bot.open_form(FRIDA, "glem-mig")
    assert view["callback_id"] == "forget-me"
    assert "Samskab sletter alt, hvad det har gemt om dig" in text_of(view)
    missing = bot.submit(FRIDA, view, {})
    assert missing["response_action"] == "errors", "a choice is required: that is the confirmation"
    assert traces_of(deps, FRIDA, "Frida Juhl"), "nothing erased yet"

    done = bot.submit(FRIDA, view, {"named": "delete"})
    assert done["response_action"] == "update"
    assert "Dine data er slettet" in text_of(done["view"])

    # In the thread, her post now says that it was deleted.
    bot.slack.wait_for(
        lambda s: any(
            "Bidraget er slettet efter ønske fra bidragsyderen" in text_of(m)
            for m in s.messages(CHANNEL)
        )
    )
    assert not any("Borgerne skal kunne forberede sig." in text_of(m) for m in bot.posts(CHANNEL))
    assert traces_of(deps, FRIDA, "Frida Juhl", "Borgerne skal kunne forberede sig.") == []
    assert traces_of(deps, "Husk nattevagterne i modellen.", "Emil Vestergaard"), "Emil's stays"
