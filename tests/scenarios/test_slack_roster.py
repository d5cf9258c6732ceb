"""A big channel's roster in Slack: read quickly (conversations.members, users.list), complete
with real names although Slack rate-limits, never a bare user id for a name, never the bot as a
person, never a form offering a roster read halfway; and a missed member healed by a reconcile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from bot.slack.directory import SlackDirectory
from bot.slack.patience import Patience
from bot.slack.roster import RosterReads, reconcile_all
from handlers.context import ChannelRef, Deps, PersonRef
from tests.builders import plan
from tests.fakes import slack_payloads as payloads
from tests.slack_harness import CHANNEL, TEAM, SlackHarness, slack_bot, text_of
from tests.waiting import eventually

METTE = "U0METTE"
COLLEAGUES = {f"U0P{n:03d}": (f"Kollega {n:03d} Hansen", "da-DK") for n in range(1, 400)}
USERS = {METTE: ("Mette Lund", "da-DK")} | COLLEAGUES  # 400 people
STILL_READING = "Samskab er ved at læse, hvem der er med i kanalen"


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS), page_size=1000) as harness:
        yield harness


def members(deps: Deps) -> dict[str, str]:
    """The process's active members: user id → name as stored."""
    with deps.db.transaction() as session:
        rows = session.execute(
            text(
                "SELECT p.user_id, p.name FROM members m JOIN people p ON p.id = m.person_id "
                "WHERE m.active"
            )
        )
        return {str(user_id): str(name) for user_id, name in rows}


def people(deps: Deps) -> dict[str, str]:
    with deps.db.transaction() as session:
        rows = session.execute(text("SELECT user_id, name FROM people"))
        return {str(user_id): str(name) for user_id, name in rows}


def set_up(bot: SlackHarness) -> None:
    view = bot.open_form(METTE, "opsætning")
    answer = bot.submit(METTE, view, {"name": "Ældreområdet", "step": "3"})
    assert "Forløbet »Ældreområdet« er sat op." in text_of(answer["view"])


def test_a_400_person_channel_becomes_400_members_with_real_names_despite_429s(
    bot: SlackHarness, deps: Deps
) -> None:
    bot.slack.fail("users.list", retry_after=1, times=2)
    bot.slack.fail("users.info", retry_after=1, times=3)
    set_up(bot)
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    assert members(deps) == {user: name for user, (name, _) in USERS.items()}
    known = people(deps)
    assert not [name for name in known.values() if name.startswith("U0")], "no bare ids"
    assert bot.slack.bot_user_id not in known, "the bot is not a person"
    # Names come a page of 200 at a time, not one call per person.
    assert len([c for c in bot.slack.calls_to("users.list") if not c.failed]) == 3
    assert len(bot.slack.calls_to("users.info")) <= 3 + 2
    assert all(
        c.params.get("limit") in (1000, "1000") for c in bot.slack.calls_to("conversations.members")
    )


def test_a_workshop_form_opened_while_the_roster_is_read_offers_nobody(
    bot: SlackHarness, deps: Deps
) -> None:
    """Slack keeps answering 429 to users.list for a while: the facilitator plans a workshop
    at once, and the modal says the list is being read instead of offering only herself."""
    bot.slack.fail("users.list", retry_after=2, times=2)
    set_up(bot)
    view = bot.open_form(METTE, "workshop")
    assert STILL_READING in text_of(view)
    assert not [b for b in view["blocks"] if b.get("type") == "input"], "no people offered"
    assert "submit" not in view
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    view = bot.open_form(METTE, "workshop")
    invitees = next(b for b in view["blocks"] if b.get("block_id") == "invitees")["element"]
    assert sorted(invitees["initial_users"]) == sorted(USERS), "everyone, once read"


def test_a_newcomer_is_enrolled_by_name_although_users_info_is_rate_limited(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up(bot)
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    bot.slack.add_user("U0NANNA", "nanna", real_name="Nanna Ny", display_name="Nanna Ny")
    bot.slack.add_channel(CHANNEL, members=[*USERS, "U0NANNA", bot.slack.bot_user_id])
    bot.slack.fail("users.info", retry_after=1, times=2)
    bot.event(payloads.member_joined_channel("U0NANNA", CHANNEL), event_id="EvNanna")
    eventually(lambda: members(deps).get("U0NANNA") == "Nanna Ny", timeout=20)
    assert people(deps)["U0NANNA"] == "Nanna Ny"


def test_a_command_from_someone_unknown_heals_the_roster(bot: SlackHarness, deps: Deps) -> None:
    """Ole's join was never heard of (the event was lost): his first command reads the
    channel again, and he, and anyone else missed, become members by name."""
    set_up(bot)
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    bot.slack.add_user("U0OLE", "ole", real_name="Ole Bak", display_name="Ole Bak")
    bot.slack.add_user("U0PIA", "pia", real_name="Pia Vig", display_name="Pia Vig")
    bot.slack.add_channel(CHANNEL, members=[*USERS, "U0OLE", "U0PIA", bot.slack.bot_user_id])
    bot.command("U0OLE", "status")
    eventually(lambda: {"U0OLE", "U0PIA"} <= set(members(deps)), timeout=20)
    assert members(deps)["U0OLE"] == "Ole Bak" and members(deps)["U0PIA"] == "Pia Vig"


def test_the_regular_reconcile_heals_missed_joins_and_leaves(bot: SlackHarness, deps: Deps) -> None:
    set_up(bot)
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    gone = "U0P001"
    bot.slack.add_user("U0OLE", "ole", real_name="Ole Bak", display_name="Ole Bak")
    bot.slack.add_user("U0KIM", "kim", real_name="Kim Ukendt", display_name="Kim Ukendt")
    others = [u for u in USERS if u != gone]
    bot.slack.add_channel(CHANNEL, members=[*others, "U0OLE", "U0KIM", bot.slack.bot_user_id])
    # Kim cannot be named yet (Slack refuses users.info, users.list reads nobody new): he is
    # not enrolled under his id, and the next reconcile enrols him.
    bot.slack.fail("users.list", status=503, error="service_unavailable", times=2)
    kim = lambda p: p.get("user") == "U0KIM"  # noqa: E731
    bot.slack.fail("users.info", status=503, error="service_unavailable", times=2, when=kim)
    client = AsyncWebClient(token="xoxb-test", base_url=bot.slack.api_url)
    directory = SlackDirectory(client, Patience(attempts=2, longest_wait=0.1))
    reads = RosterReads()
    assert asyncio.run(reconcile_all(directory, reads, deps)) == 1
    now = members(deps)
    assert now["U0OLE"] == "Ole Bak" and gone not in now
    assert "U0KIM" not in people(deps), "never stored under a bare id"
    assert asyncio.run(reconcile_all(directory, reads, deps)) == 1
    assert members(deps)["U0KIM"] == "Kim Ukendt"
    # Found by a later read, Ole and Kim are welcomed as a join would have welcomed them; the
    # channel enrolled quietly by the first read after setup is not.
    welcome = "Velkommen til forløbet »Ældreområdet«"
    for found in ("U0OLE", "U0KIM"):
        eventually(lambda: any(welcome in text_of(m) for m in bot.dm(found)), timeout=20)  # noqa: B023
    assert not any(welcome in text_of(m) for m in bot.dm("U0P002"))


def test_the_summary_forms_second_step_says_the_roster_is_being_read(
    bot: SlackHarness, deps: Deps
) -> None:
    """Two workshops: "referat" first asks which one, then shows the summary form, whose
    attendees are people. While a re-read of the roster runs (Ole's command, someone unknown),
    that second step says so instead of offering the list it has."""
    set_up(bot)
    eventually(lambda: len(members(deps)) == 400, timeout=30)
    where = ChannelRef("slack", TEAM, CHANNEL, "aeldre")
    mette = PersonRef("slack", TEAM, METTE, "Mette Lund")
    invitees = [PersonRef("slack", TEAM, u, n) for u, (n, _) in list(COLLEAGUES.items())[:3]]
    first = plan(deps, where, mette, [mette, *invitees], title="Visitation")
    plan(deps, where, mette, [mette, *invitees], title="Budget", when="2026-11-23 08:30")
    bot.slack.add_user("U0OLE", "ole", real_name="Ole Bak", display_name="Ole Bak")
    bot.slack.add_channel(CHANNEL, members=[*USERS, "U0OLE", bot.slack.bot_user_id])
    bot.slack.fail("conversations.members", retry_after=3, times=2)  # a slow re-read
    bot.command("U0OLE", "status")
    eventually(lambda: bot.slack.calls_to("conversations.members")[-1].failed)

    pick = bot.open_form(METTE, "referat")
    assert pick["callback_id"] == "summary.pick"
    answer = bot.submit(METTE, pick, {"workshop": first})
    assert answer["response_action"] == "update"
    assert STILL_READING in text_of(answer["view"])
    assert not [b for b in answer["view"]["blocks"] if b.get("type") == "input"]
