"""Acked means kept, once, in Teams: a workshop planned on its card is planned once, even when
the process is killed after the plan was committed and before the card was turned into what was
done. The plan marked the activity applied in the inbox as it committed: the next process does
the work again, and its plan rolls back."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from handlers.context import ChannelRef, Deps, PersonRef
from storage.db import Database
from storage.migrate import upgrade
from storage.models import InboxEntry, Workshop
from tests.builders import set_up
from tests.fakes import teams_activities as teams
from tests.fakes.botframework import FakeBotFramework
from tests.fakes.teams_activities import TeamsUser
from tests.scenarios.test_teams_ack_first import ConnectorGate
from tests.scenarios.test_teams_acked_means_kept import PASSWORD, bot_process, post, replies
from tests.teams_harness import APP_ID, card_of, fill
from tests.waiting import eventually

METTE = TeamsUser.make("Mette Lund")


def workshops(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Workshop)) or 0


def inbox(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry)) or 0


def applied(db: Database) -> list[bool]:
    with db.transaction() as session:
        return list(session.scalars(select(InboxEntry.applied)))


def plan_on_card(bf: FakeBotFramework, url: str, card: dict[str, Any], via: str) -> int | None:
    """Mette fills in the workshop card and submits it, by the Connector at `via`."""
    value = fill(card_of(card), {"title": "Ny visitationsmodel", "starts_at": "2099-01-07T13:00"})
    submitted = teams.card_submit(
        value,
        user=METTE,
        conversation_id=card["conversation"]["id"],
        reply_to_id=card["id"],
        service_url=via,
        bot_app_id=APP_ID,
    )
    return post(url, bf, submitted)


def test_a_workshop_planned_on_a_card_before_a_sigkill_is_planned_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    mette = PersonRef("teams", teams.TENANT_ID, METTE.id, METTE.name, "da")
    where = ChannelRef("teams", teams.TENANT_ID, teams.CHANNEL_ID, "odder", (mette,))
    set_up(Deps(db=db), where, mette, step="3", name="Odder", tracks="Visitation")
    with (
        FakeBotFramework(app_id=APP_ID, app_password=PASSWORD) as bf,
        ConnectorGate().serving() as gate,
    ):
        gate.target = bf.base_url
        bf.add_channel(teams.CHANNEL_ID, members=[METTE])
        bf.add_channel(teams.TEAM_ID, members=[METTE])
        with bot_process(sqlite_url, bf, tmp_path) as (first, url):
            asked = teams.channel_message(
                "workshop", user=METTE, service_url=bf.service_url, bot_app_id=APP_ID
            )
            assert post(url, bf, asked) == 200
            bf.wait_for(lambda bf: bool(replies(bf, asked)))
            card = replies(bf, asked)[0]
            # The card's update goes by a Connector whose answers wait at the gate: the work
            # stops there, after the plan's commit, and the process is killed.
            assert plan_on_card(bf, url, card, gate.service_url) == 200
            assert gate.reached.wait(30), "the work never came to turning the card"
            eventually(lambda: workshops(db) == 1)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert applied(db) == [True], "the plan committed without marking its activity applied"
        gate.open()

        with bot_process(sqlite_url, bf, tmp_path) as (_second, url):
            eventually(lambda: inbox(db) == 0, timeout=30)  # done again: its plan rolled back
            listed = teams.channel_message(
                "workshops", user=METTE, service_url=bf.service_url, bot_app_id=APP_ID
            )
            assert post(url, bf, listed) == 200
            bf.wait_for(lambda bf: bool(replies(bf, listed)))
            eventually(lambda: inbox(db) == 0)  # the listing's own row, once it is answered
            assert workshops(db) == 1, "planned once"
    db.dispose()
