"""Ack first, at any size: a summary asking a thousand colleagues is answered in its modal and
every one of them has their DM on its way (the first ones arrive); two hundred commands at once are all answered, and each
person's answer follows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from handlers.context import ChannelRef, Deps, PersonRef
from storage.models import OutboxMessage
from tests.builders import plan, set_up
from tests.fakes import slack_payloads as payloads
from tests.slack_harness import CHANNEL, TEAM, SlackHarness, slack_bot, text_of
from tests.waiting import eventually

FACILITATOR = "U0METTE"


def colleagues(n: int) -> dict[str, tuple[str, str]]:
    users = {FACILITATOR: ("Mette Lund", "da-DK")}
    users |= {f"U{i:05d}": (f"Kollega {i}", "da-DK") for i in range(n)}
    return users


def process_with(deps: Deps, users: dict[str, tuple[str, str]]) -> ChannelRef:
    refs = [PersonRef("slack", TEAM, u, name, "da") for u, (name, _) in users.items()]
    where = ChannelRef("slack", TEAM, CHANNEL, "odder", tuple(refs))
    set_up(deps, where, refs[0], step="3", name="Odder", tracks="Visitation")
    plan(deps, where, refs[0], refs, title="Stor workshop", when="2026-11-23 08:00")
    return where


def command(bot: SlackHarness, user: str, text: str, name: str) -> int:
    body, kind = payloads.slash_command(
        text, user_id=user, channel_id=CHANNEL, response_url=bot.slack.response_url(name)
    )
    headers = payloads.signed_headers(body, kind, "test-signing-secret")
    return bot.http.post(bot.url, content=body.encode(), headers=headers).status_code


def test_a_summary_asking_a_thousand_colleagues_is_answered_and_every_one_gets_a_dm(
    deps: Deps,
) -> None:
    users = colleagues(1000)
    process_with(deps, users)
    with slack_bot(deps, users, list(users)) as bot:
        form = bot.open_form(FACILITATOR, "referat")
        answer = bot.submit(
            FACILITATOR,
            form,
            {"attendees": [FACILITATOR], "text": "Vi nåede langt.", "deadline": "2026-12-02"},
        )
        assert answer["response_action"] == "update"
        told = text_of(answer["view"])
        assert "1000 kolleger, der ikke deltog, er blevet spurgt om input" in told, told
        # Every colleague's DM is written, once, with the summary (delivering 1000 at Slack's
        # pace takes the better part of a minute: bench/fanout.py measures that, not this test).
        with deps.db.transaction() as session:
            asked = session.scalars(
                select(OutboxMessage.person_id).where(OutboxMessage.key.startswith("ask:"))
            ).all()
        assert len(asked) == 1000 and len(set(asked)) == 1000, "one DM for each colleague"
        absent = [u for u in users if u != FACILITATOR]
        eventually(lambda: sum(1 for u in absent[:50] if bot.dm(u)) == 50, timeout=60)
        assert all(len(bot.dm(u)) == 1 for u in absent[:50]), "one DM each"
        assert any("Opsamling fra workshoppen" in text_of(m) for m in bot.posts(CHANNEL))


def test_two_hundred_commands_at_once_are_all_answered(deps: Deps) -> None:
    users = colleagues(200)
    process_with(deps, users)
    people = [u for u in users if u != FACILITATOR]
    with slack_bot(deps, users, list(users)) as bot:
        with ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(lambda u: command(bot, u, "status", f"status-{u}"), people))
        assert statuses == [200] * 200
        eventually(lambda: all(bot.slack.responses[f"status-{u}"] for u in people), timeout=60)
        for user in people:  # each person reads where the process is, once
            (reply,) = bot.slack.responses[f"status-{user}"]
            assert "Odder" in text_of(reply)
