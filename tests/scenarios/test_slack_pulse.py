"""The pulse in a Slack workspace: signed requests to our real server, the fake Slack Web API over
real HTTP, a real SQLite file. The process speaks English; colleagues whose Slack is Danish get
the pulse in Danish."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Deps
from handlers.status.digest import post_digest
from storage.models import Process
from tests.builders import row_counts
from tests.conftest import Clock
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.waiting import eventually

METTE, ANNA, BO, CARL = "U0METTE", "U0ANNA", "U0BO", "U0CARL"
EMIL, FRIDA, GITTE = "U0EMIL", "U0FRIDA", "U0GITTE"
USERS = {
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    BO: ("Bo Sørensen", "en-US"),
    CARL: ("Carl Friis", "da-DK"),
    EMIL: ("Emil Vestergaard", "da-DK"),
    FRIDA: ("Frida Juhl", "en-US"),
    GITTE: ("Gitte Møller", "da-DK"),
}
DANISH = "Føler du dig opdateret om, hvor forløbet er?"
ENGLISH = "Do you feel up to date on where the process stands?"


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def set_up_with_a_held_workshop(bot: SlackHarness, deps: Deps, clock: Clock) -> None:
    """An English process at step 2; a workshop that Mette, Anna, Bo and Carl attended."""
    view = bot.open_form(METTE, "setup")
    answer = bot.submit(METTE, view, {"name": "Odder", "step": "2", "language": "en"})
    assert answer["response_action"] == "update", answer
    eventually(lambda: row_counts(deps)["members"] == len(USERS))

    view = bot.open_form(METTE, "workshop")
    answer = bot.submit(
        METTE, view, {"title": "Ny visitationsmodel", "starts_at": "2026-11-25T13:00"}
    )
    assert answer["response_action"] == "update", answer
    clock.set(clock.now.replace(day=25, hour=16))
    view = bot.open_form(METTE, "summary")
    answer = bot.submit(
        METTE,
        view,
        {"attendees": [METTE, ANNA, BO, CARL], "text": "We drew a first draft."},
    )
    assert "3 kolleger, der ikke deltog, er blevet spurgt" in text_of(answer["view"]), answer


def pulse_dm(bot: SlackHarness, user: str) -> dict[str, Any]:
    """The newest pulse in the person's DM with the app (as it reads now)."""
    return [m for m in bot.dm(user) if DANISH in text_of(m) or ENGLISH in text_of(m)][-1]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def press(bot: SlackHarness, user: str, label: str) -> str:
    """Presses the button with this label in the person's pulse DM."""
    dm = pulse_dm(bot, user)
    button = next(e for e in buttons(dm) if e["text"]["text"] == label)
    return bot.click(
        user,
        button["action_id"],
        button["value"],
        channel=bot.slack.dm_channel_of(user),
        message_ts=dm["ts"],
    )


def pulse_lines(message: dict[str, Any]) -> str:
    return text_of(message).split("Pulse: do you feel up to date", 1)[-1]


def test_pulse_at_a_step_change_answered_in_dms_and_shown_in_the_digest(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_with_a_held_workshop(bot, deps, clock)
    bot.command(METTE, "step 3")

    # Every member gets the question as a DM, in their own language, with five buttons.
    bot.slack.wait_for(
        lambda s: all(
            any(DANISH in text_of(m) or ENGLISH in text_of(m) for m in bot.dm(u)) for u in USERS
        )
    )
    for user, (_name, locale) in USERS.items():
        dm = pulse_dm(bot, user)
        assert (DANISH if locale == "da-DK" else ENGLISH) in text_of(dm), user
        assert [e["text"]["text"] for e in buttons(dm)][:5] == ["1", "2", "3", "4", "5"]
        action_ids = [e["action_id"] for e in buttons(dm)]
        assert len(set(action_ids)) == len(action_ids), "Slack wants each action_id once"
        assert_within_slack_limits(dm)
    assert "Add a comment" in text_of(pulse_dm(bot, BO))

    # Anna answers with one click: a private thank-you, and her DM is updated in place.
    updates = len(bot.slack.calls_to("chat.update"))
    dms = len(bot.dm(ANNA))
    reply = bot.response(press(bot, ANNA, "4"))
    assert reply["response_type"] == "ephemeral"
    assert "Tak! Dit svar er modtaget: 4 ud af 5." in text_of(reply)
    bot.slack.wait_for(
        lambda s: "✅ Tak, dit svar er modtaget: 4 ud af 5" in text_of(pulse_dm(bot, ANNA))
    )
    assert len(bot.slack.calls_to("chat.update")) > updates and len(bot.dm(ANNA)) == dms

    # A second click changes her answer.
    reply = bot.response(press(bot, ANNA, "5"))
    assert "5 ud af 5" in text_of(reply)
    bot.slack.wait_for(lambda s: "dit svar er modtaget: 5 ud af 5" in text_of(pulse_dm(bot, ANNA)))

    # Bo answers through the comment form, a modal: too long first, then accepted.
    before = len(bot.slack.calls_to("views.open"))
    press(bot, BO, "Add a comment")
    view = bot.opened_view(before)
    assert view["callback_id"] == "pulse.comment"
    assert_within_slack_limits(view)
    too_long = bot.submit(BO, view, {"score": "3", "comment": "x" * 1001})
    assert too_long["response_action"] == "errors"
    assert "Too long: 1001 characters, at most 1000." in str(too_long["errors"])
    done = bot.submit(BO, view, {"score": "3", "comment": "I mostly hear about it in passing."})
    assert "Thank you! Your answer and comment are received." in text_of(done["view"])
    bot.slack.wait_for(lambda s: "Your comment is received too." in text_of(pulse_dm(bot, BO)))

    # Two answers: the status shows no numbers yet.
    status = bot.response(bot.command(ANNA, "status"))
    assert "Resultaterne vises, når mindst 3 har svaret." in text_of(status)
    assert "Gennemsnit" not in text_of(status) and "Svarprocent" not in text_of(status)

    # Only facilitators send a pulse.
    before_rows = row_counts(deps)
    refused = bot.response(bot.command(ANNA, "puls"))
    assert "Det kan kun forløbets facilitatorer." in text_of(refused)
    assert row_counts(deps) == before_rows

    for user, score in ((CARL, "4"), (EMIL, "2"), (FRIDA, "3")):
        bot.response(press(bot, user, score))

    # The scheduled digest in the channel: 5 of 7 answered (5, 3, 4 attended; 2, 3 did not).
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W48")
    bot.slack.wait_for(
        lambda s: any("Pulse: do you feel up to date" in text_of(m) for m in bot.posts(CHANNEL))
    )
    digest = next(m for m in bot.posts(CHANNEL) if "Pulse: do you feel up to date" in text_of(m))
    lines = pulse_lines(digest)
    assert "Average: 3.4 of 5" in lines and "since the last pulse" not in lines
    assert "Response rate: 71% (5 of 7)" in lines
    # Two did not attend: hidden, and so the three who did, or 5 × 3.4 − 3 × 4.0 would tell.
    assert "Attended “Ny visitationsmodel”: shown from 3 answers" in lines
    assert "Did not attend: shown from 3 answers" in lines
    assert_within_slack_limits(digest)
