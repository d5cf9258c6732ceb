"""The foundation scenario in Microsoft Teams: signed activities to our real server, a fake Bot
Framework over real HTTP, a real SQLite file; and every card valid Adaptive Card 1.5."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from handlers.context import Deps
from handlers.status.digest import post_digest
from tests.builders import row_counts
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.teams_harness import APP_ID, TeamsHarness, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import SCHEMA_PATH, assert_valid
from tests.waiting import eventually

METTE = TeamsUser.make("Mette Lund")
PRESENT = [TeamsUser.make(n) for n in ("Anna Holm", "Bo Sørensen", "Carl Friis", "Ditte Bach")]
EMIL = TeamsUser.make("Emil Vestergaard")
FRIDA = TeamsUser.make("Frida Juhl", locale="en-US")
GITTE = TeamsUser.make("Gitte Møller")
ABSENT = [EMIL, FRIDA, GITTE]
EVERYONE = [METTE, *PRESENT, *ABSENT]


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def _set_up(bot: TeamsHarness, deps: Deps) -> None:
    asked = bot.say(METTE, "opsætning")
    form = bot.replies_to(asked)[0]
    bot.submit(METTE, form, asked["conversation"]["id"], {"name": "Odder", "step": "3"})
    eventually(lambda: row_counts(deps)["members"] == len(EVERYONE))
    updated = bot.bf.activities(asked["conversation"]["id"])
    assert any("Forløbet »Odder« er sat op." in text_of(a) for a in updated)


def test_the_whole_loop_in_teams(bot: TeamsHarness, deps: Deps, clock: Clock) -> None:
    _set_up(bot, deps)
    asked = bot.say(METTE, "workshop")
    bot.submit(
        METTE,
        bot.replies_to(asked)[0],
        asked["conversation"]["id"],
        {"title": "Ny visitationsmodel", "starts_at": "2026-11-25T13:00"},
    )
    clock.set(clock.now.replace(day=25, hour=16))
    asked = bot.say(METTE, "referat")
    bot.submit(
        METTE,
        bot.replies_to(asked)[0],
        asked["conversation"]["id"],
        {
            "attendees": [METTE.id, *(p.id for p in PRESENT)],
            "text": "Vi tegnede et første udkast.",
            "decisions": "Fælles opstartsmøde afprøves i team Nord",
        },
    )
    channel = [
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Opsamling fra workshoppen: Ny visitationsmodel" in text_of(a)
    ]
    bot.bf.wait_for(lambda bf: all(bf.conversation_for(u.id) for u in ABSENT))
    bot.bf.wait_for(lambda bf: all(bf.activities(bf.conversation_for(u.id) or "") for u in ABSENT))
    channel = [
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Opsamling fra workshoppen: Ny visitationsmodel" in text_of(a) and a.get("attachments")
    ]
    assert len(channel) == 1, "the summary is posted in the channel, once"
    summary = channel[0]
    # Proactive 1:1 messages to exactly the absent colleagues.
    for user in EVERYONE:
        assert (bot.bf.conversation_for(user.id) is not None) == (user in ABSENT), user.name
    emil_chat = bot.bf.conversation_for(EMIL.id) or ""
    emil_dm = bot.bf.activities(emil_chat)[0]
    assert "Du var ikke med til »Ny visitationsmodel«" in text_of(emil_dm)

    # Emil gives input with his name: a form in his chat, then the thread, then his DM updated.
    pressed = bot.press(EMIL, emil_dm, emil_chat, "input.request")
    form = bot.replies_to(pressed)[0]
    bot.submit(EMIL, form, emil_chat, {"text": "Husk nattevagterne.", "anonymous": "named"})
    bot.bf.wait_for(
        lambda bf: any(a.get("replyToId") == summary["id"] for a in bf.activities(teams.CHANNEL_ID))
    )
    reply = next(
        a for a in bot.bf.activities(teams.CHANNEL_ID) if a.get("replyToId") == summary["id"]
    )
    assert "Input fra Emil Vestergaard" in text_of(reply) and "Husk nattevagterne." in text_of(
        reply
    )
    bot.bf.wait_for(lambda bf: "delt med dit navn" in text_of(bf.activities(emil_chat)[0]))
    assert "Tak for dit input!" in text_of(bot.bf.activities(emil_chat)[-1]), (
        "the form card says so"
    )

    # Frida (English client, Danish process) answers anonymously: her name nowhere in the channel.
    frida_chat = bot.bf.conversation_for(FRIDA.id) or ""
    frida_dm = bot.bf.activities(frida_chat)[0]
    pressed = bot.press(FRIDA, frida_dm, frida_chat, "input.request")
    bot.submit(
        FRIDA,
        bot.replies_to(pressed)[0],
        frida_chat,
        {"text": "Giv borgerne tid.", "anonymous": "anonymous"},
    )
    # Only two have responded: it waits for a third, so that its time cannot point to her.
    bot.bf.wait_for(lambda bf: "bliver delt anonymt" in text_of(bf.activities(frida_chat)[0]))
    assert not any("Giv borgerne tid." in text_of(a) for a in bot.bf.activities(teams.CHANNEL_ID))

    # Gitte: no input from her. The third response: Frida's input is shown, without her name.
    gitte_chat = bot.bf.conversation_for(GITTE.id) or ""
    pressed = bot.press(GITTE, bot.bf.activities(gitte_chat)[0], gitte_chat, "input.decline")
    assert "Noteret: intet input fra dig" in text_of(bot.replies_to(pressed)[0])
    bot.bf.wait_for(lambda bf: "intet input fra mig" in text_of(bf.activities(gitte_chat)[0]))
    bot.bf.wait_for(
        lambda bf: any(
            "Input fra en anonym kollega" in text_of(a) for a in bf.activities(teams.CHANNEL_ID)
        )
    )
    posted = [a for a in bot.bf.activities(teams.CHANNEL_ID) if "Giv borgerne tid." in text_of(a)]
    assert len(posted) == 1 and "Frida" not in text_of(posted[0])
    assert posted[0].get("replyToId") == summary["id"], "in the summary's thread"

    asked = bot.say(PRESENT[0], "status")
    status = text_of(bot.replies_to(asked)[0])
    assert "Trin 3 af 6: Udvikle løsninger" in status
    assert "3 kolleger, der ikke deltog" in status and "3 af 3" in status
    assert "3 kolleger (2 med input, 1 uden)" in status

    # The weekly digest in the channel.
    with deps.db.transaction() as session:
        from storage.models import Process

        process_id = session.query(Process.id).scalar()
    assert post_digest(deps, process_id, "2026-W48")
    bot.bf.wait_for(
        lambda bf: any(
            "Status på forløbet" in text_of(a) and "replyToId" not in a
            for a in bf.activities(teams.CHANNEL_ID)
        )
    )

    # A colleague who joins the team gets a welcome in a 1:1 chat.
    newcomer = TeamsUser.make("Nanna Ny")
    bot.bf.add_member(teams.CHANNEL_ID, newcomer)
    joined = teams.conversation_update_members_added(
        [newcomer], by=METTE, service_url=bot.bf.service_url, bot_app_id=APP_ID
    )
    assert bot.post(joined).status_code == 200
    bot.bf.wait_for(
        lambda bf: bool(
            bf.conversation_for(newcomer.id)
            and bf.activities(bf.conversation_for(newcomer.id) or "")
        )
    )
    welcome = bot.bf.activities(bot.bf.conversation_for(newcomer.id) or "")[0]
    assert "Velkommen til forløbet »Odder«" in text_of(welcome)

    # One token for all of that: cached until shortly before it expires.
    assert bot.bf.token_requests == 1

    # Every card the bot sent is a valid Adaptive Card 1.5.
    validator = jsonschema.Draft6Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    cards = [
        a
        for call in bot.bf.calls_to(r"(POST|PUT) /v3/conversations/.+/activities")
        for a in [call.json]
        if isinstance(a, dict) and a.get("attachments")
    ]
    assert len(cards) > 15
    for activity in cards:
        assert_valid(card_of(activity), validator)
