"""A Teams team's roster becomes the process's members although `pagedmembers` is throttled or
down for a while: retried after Retry-After, and what still fails is healed by the regular
reconcile or by a command from someone the process does not know."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from bot.settings import Settings
from bot.teams.app import bot_connector
from bot.teams.roster import reconcile_all
from handlers.context import Deps
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.teams_harness import APP_ID, TeamsHarness, card_of, teams_bot
from tests.waiting import eventually

METTE = TeamsUser.make("Mette Lund")
ANNA = TeamsUser.make("Anna Holm")
EMIL = TeamsUser.make("Emil Vestergaard")
EVERYONE = [METTE, ANNA, EMIL]
PAGED = r"GET /v3/conversations/[^/]*/pagedmembers"


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def members(deps: Deps) -> dict[str, str]:
    with deps.db.transaction() as session:
        rows = session.execute(
            text(
                "SELECT p.user_id, p.name FROM members m JOIN people p ON p.id = m.person_id "
                "WHERE m.active"
            )
        )
        return {str(user_id): str(name) for user_id, name in rows}


def set_up(bot: TeamsHarness) -> None:
    asked = bot.say(METTE, "opsætning")
    card = bot.replies_to(asked)[0]
    assert card_of(card)["type"] == "AdaptiveCard"
    bot.submit(METTE, card, asked["conversation"]["id"], {"name": "Odder", "step": "3"})


def test_pagedmembers_answering_429_once_still_enrols_the_team(
    bot: TeamsHarness, deps: Deps
) -> None:
    bot.bf.fail(PAGED, status=429, retry_after=1, times=1)
    set_up(bot)
    eventually(lambda: len(members(deps)) == 3, timeout=20)
    assert members(deps) == {u.id: u.name for u in EVERYONE}
    reads = bot.bf.calls_to(PAGED)
    assert len(reads) >= 2, "the throttled read was tried again"


def test_a_roster_teams_cannot_give_is_healed_by_the_regular_reconcile(
    bot: TeamsHarness, deps: Deps
) -> None:
    asked = bot.say(METTE, "opsætning")  # the setup card reads the roster once, unfailed
    card = bot.replies_to(asked)[0]
    bot.bf.fail(PAGED, status=503, retry_after=1, times=4)  # every attempt after setup
    bot.submit(METTE, card, asked["conversation"]["id"], {"name": "Odder", "step": "3"})
    eventually(lambda: len(bot.bf.calls_to(PAGED)) >= 5, timeout=20)
    assert set(members(deps)) == {METTE.id}, "only the facilitator so far"
    settings = Settings(
        database_url=deps.db.url,
        teams_app_id=APP_ID,
        teams_app_password="secret",
        teams_token_url=bot.bf.token_url,
    )

    async def reconcile() -> int:
        async with httpx.AsyncClient() as http:
            return await reconcile_all(bot_connector(settings, http), deps)

    assert asyncio.run(reconcile()) == 1
    assert members(deps) == {u.id: u.name for u in EVERYONE}


def test_a_command_from_someone_unknown_heals_the_roster(bot: TeamsHarness, deps: Deps) -> None:
    set_up(bot)
    eventually(lambda: len(members(deps)) == 3, timeout=20)
    ole, pia = TeamsUser.make("Ole Bak"), TeamsUser.make("Pia Vig")
    for user in (ole, pia):  # their joining was never heard of
        bot.bf.add_member(teams.CHANNEL_ID, user)
        bot.bf.add_member(teams.TEAM_ID, user)
    bot.say(ole, "status")
    # Pia, who typed nothing, is healed with him: the roster was read again.
    eventually(lambda: members(deps).get(pia.id) == "Pia Vig", timeout=20)
    assert members(deps)[ole.id] == "Ole Bak"
