"""The whole loop in a Slack workspace: signed requests to our real server, a fake Slack Web API
over real HTTP, a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handlers.context import Deps
from tests.builders import row_counts
from tests.conftest import Clock
from tests.slack_harness import (
    CHANNEL,
    SlackHarness,
    button_value,
    slack_bot,
    text_of,
)
from tests.waiting import eventually

METTE, ANNA, BO, CARL, DITTE = "U0METTE", "U0ANNA", "U0BO", "U0CARL", "U0DITTE"
EMIL, FRIDA, GITTE = "U0EMIL", "U0FRIDA", "U0GITTE"
USERS = {
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    BO: ("Bo Sørensen", "en-US"),
    CARL: ("Carl Friis", "da-DK"),
    DITTE: ("Ditte Bach", "da-DK"),
    EMIL: ("Emil Vestergaard", "da-DK"),
    FRIDA: ("Frida Juhl", "en-US"),
    GITTE: ("Gitte Møller", "da-DK"),
}
ABSENT = [EMIL, FRIDA, GITTE]


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def set_up_process(bot: SlackHarness, deps: Deps) -> None:
    view = bot.open_form(METTE, "opsætning")
    assert view["callback_id"] == "setup"
    answer = bot.submit(METTE, view, {"name": "Odder – samskabt styring", "step": "3"})
    assert answer["response_action"] == "update"
    assert "Forløbet »Odder – samskabt styring« er sat op." in text_of(answer["view"])
    # The channel's people become members (following conversations.members' cursor over pages
    # of 4; no more than Slack's tier lets through at once, so the test waits for no pace).
    eventually(lambda: row_counts(deps)["members"] == len(USERS))
    assert len(bot.slack.calls_to("conversations.members")) >= 2


def plan_and_summarise(bot: SlackHarness, clock: Clock) -> dict[str, Any]:
    view = bot.open_form(METTE, "workshop")
    invitees = [o["value"] for o in _element(view, "invitees")["options"]]
    assert sorted(invitees) == sorted(USERS), "all of the channel's people are proposed"
    answer = bot.submit(
        METTE, view, {"title": "Ny visitationsmodel", "starts_at": "2026-11-25T13:00"}
    )
    assert answer["response_action"] == "update", answer
    clock.set(clock.now.replace(day=25, hour=16))

    view = bot.open_form(METTE, "referat")
    attendees = _element(view, "attendees")
    assert sorted(o["value"] for o in attendees["initial_options"]) == sorted(USERS)
    answer = bot.submit(
        METTE,
        view,
        {
            "attendees": [METTE, ANNA, BO, CARL, DITTE],
            "text": "Vi tegnede et første udkast til en fælles visitationsmodel.",
            "decisions": "Fælles opstartsmøde afprøves i team Nord\nBestillingen skrives i borgerens egne ord",
            "open_questions": "Hvem indkalder til mødet?",
        },
    )
    assert "3 kolleger, der ikke deltog, er blevet spurgt om input" in text_of(answer["view"])
    bot.slack.wait_for(
        lambda s: all(s.dm_channel_of(u) and s.messages(s.dm_channel_of(u)) for u in ABSENT)
    )
    return next(m for m in bot.posts(CHANNEL) if "Opsamling fra workshoppen" in text_of(m))


def test_summary_dms_answers_and_status_in_slack(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    summary = plan_and_summarise(bot, clock)
    assert summary["blocks"][0]["type"] == "header"
    assert "Trin 3 af 6: Udvikle løsninger" in text_of(summary)
    assert "Fælles opstartsmøde afprøves i team Nord" in text_of(summary)
    assert summary["text"], "the notification fallback is always set"

    # Exactly the absent colleagues got a DM, with the summary's link and two buttons.
    for user in USERS:
        assert bool(bot.dm(user)) == (user in ABSENT), user
    assert len(bot.slack.calls_to("chat.getPermalink")) == 1, "one lookup for all the DMs"
    emil_dm = bot.dm(EMIL)[0]
    assert "Du var ikke med til »Ny visitationsmodel«" in text_of(emil_dm)
    assert "https://fake.slack.com/archives/" in text_of(emil_dm)
    # Frida's Slack speaks en-US: the Danish process's language is used, not hers.
    assert "Du var ikke med til" in text_of(bot.dm(FRIDA)[0])

    # Emil answers with his name: stored, thanked, posted in the thread, DM updated.
    before = len(bot.slack.calls_to("views.open"))
    dm_channel = bot.slack.dm_channel_of(EMIL)
    bot.click(
        EMIL,
        "input.request",
        button_value(emil_dm, "input.request"),
        channel=dm_channel,
        message_ts=emil_dm["ts"],
    )
    view = bot.opened_view(before)
    answer = bot.submit(EMIL, view, {"text": "Husk nattevagterne.", "anonymous": "named"})
    assert "Tak for dit input!" in text_of(answer["view"])
    bot.slack.wait_for(
        lambda s: any(m.get("thread_ts") == summary["ts"] for m in s.messages(CHANNEL))
    )
    reply = next(m for m in bot.posts(CHANNEL) if m.get("thread_ts") == summary["ts"])
    assert "Input fra Emil Vestergaard" in text_of(reply) and "Husk nattevagterne." in text_of(
        reply
    )
    bot.slack.wait_for(lambda s: "delt med dit navn" in text_of(s.messages(dm_channel)[0]))
    assert "input.request" not in text_of(bot.dm(EMIL)[0]), "the answered DM has no buttons"

    # Frida answers anonymously: her name is nowhere in the channel.
    frida_dm = bot.dm(FRIDA)[0]
    before = len(bot.slack.calls_to("views.open"))
    bot.click(FRIDA, "input.request", button_value(frida_dm, "input.request"))
    bot.submit(
        FRIDA, bot.opened_view(before), {"text": "Giv borgerne tid.", "anonymous": "anonymous"}
    )
    # Two have responded: her input waits for a third, so that its time cannot point to her.
    frida_channel = bot.slack.dm_channel_of(FRIDA)
    bot.slack.wait_for(lambda s: "bliver delt anonymt" in text_of(s.messages(frida_channel)[0]))
    assert not any("Giv borgerne tid." in text_of(m) for m in bot.posts(CHANNEL))

    # Gitte has no input: an ephemeral thank-you, and her DM shows it.
    gitte_dm = bot.dm(GITTE)[0]
    name = bot.click(GITTE, "input.decline", button_value(gitte_dm, "input.decline"))
    assert "Noteret: intet input fra dig" in text_of(bot.response(name))
    assert bot.response(name)["response_type"] == "ephemeral"
    gitte_channel = bot.slack.dm_channel_of(GITTE)
    bot.slack.wait_for(lambda s: "intet input fra mig" in text_of(s.messages(gitte_channel)[0]))
    # The third response: Frida's input is shown in the thread, without her name.
    bot.slack.wait_for(
        lambda s: any("Input fra en anonym kollega" in text_of(m) for m in s.messages(CHANNEL))
    )
    anonymous = next(m for m in bot.posts(CHANNEL) if "Giv borgerne tid." in text_of(m))
    assert anonymous.get("thread_ts") == summary["ts"]
    assert not any("Frida" in text_of(m) for m in bot.posts(CHANNEL))

    # A second click acts no more: it says so.
    again = bot.click(GITTE, "input.decline", button_value(gitte_dm, "input.decline"))
    assert "Du har allerede svaret" in text_of(bot.response(again))

    status = bot.response(bot.command(ANNA, "status"))
    assert status["response_type"] == "ephemeral"
    assert "Trin 3 af 6: Udvikle løsninger" in text_of(status)
    assert "*Nået*\\n3 af 3" in text_of(status)
    assert "*Har svaret*\\n3 kolleger (2 med input, 1 uden)" in text_of(status)
    assert "*Input modtaget*\\n2 input" in text_of(status)


def test_help_is_ephemeral_and_in_the_persons_language(bot: SlackHarness) -> None:
    help_reply = bot.response(bot.command(ANNA, "hjælp"))
    assert help_reply["response_type"] == "ephemeral"
    assert "/samskab status: hvor er vi i forløbet?" in text_of(help_reply)
    unknown = bot.response(bot.command(ANNA, "frobnicate"))
    assert "Jeg kender ikke kommandoen »frobnicate«." in text_of(unknown)


def _element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == block_id)
