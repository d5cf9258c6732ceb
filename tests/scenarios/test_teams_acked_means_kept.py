"""Acked means kept, in Teams: the Bot Framework does not send again an activity it got a 200
for, so every activity the bot answered is done, once, even when the process is killed right
after answering; an activity it could not keep gets a 500, and the Bot Framework's retry of it
is done then."""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import submit_form
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEntry, InboxEntry, InputRequest
from tests.builders import disk_on_fire, plan, set_up, summary_values
from tests.fakes import teams_activities as teams
from tests.fakes.botframework import FakeBotFramework
from tests.fakes.teams_activities import TeamsUser
from tests.scenarios.test_teams_ack_first import ConnectorGate
from tests.servers import bot_serving
from tests.teams_harness import APP_ID, actions_of, card_of, teams_bot, text_of
from tests.waiting import eventually, settle

PASSWORD = "secret"
FACILITATOR = TeamsUser.make("Mette Lund")
COLLEAGUES = [TeamsUser.make(f"Kollega {i:02d}") for i in range(40)]
NOTED = ("Noteret: intet input fra dig", "Du har allerede svaret »intet input fra mig«")


@contextmanager
def bot_process(
    database_url: str, bf: FakeBotFramework, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`samskab serve` for Teams as a real process; yields it and its /api/messages URL."""
    settings = {
        "DATABASE_URL": database_url,
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": PASSWORD,
        "TEAMS_OPENID_METADATA_URL": bf.openid_metadata_url,
        "TEAMS_TOKEN_URL": bf.token_url,
        "SAMSKAB_SCHEDULER": "off",
    }
    with bot_serving(settings, tmp_path) as (process, base):
        yield process, f"{base}/api/messages"


def post(url: str, bf: FakeBotFramework, activity: dict[str, Any]) -> int | None:
    """The POST as the Bot Framework makes it: its status, or None when no answer came."""
    try:
        response = httpx.post(url, json=activity, headers=bf.sign_activity(activity), timeout=30)
    except httpx.TransportError:
        return None
    return response.status_code


def ask_everyone(db: Database) -> None:
    """Odder in the team's channel; a workshop only Mette attended, whose summary asks each
    colleague for input, written through the use cases."""
    refs = [
        PersonRef("teams", teams.TENANT_ID, u.id, u.name, "da") for u in [FACILITATOR, *COLLEAGUES]
    ]
    deps = Deps(db=db)
    where = ChannelRef("teams", teams.TENANT_ID, teams.CHANNEL_ID, "odder", tuple(refs))
    set_up(deps, where, refs[0], step="3", name="Odder", tracks="Visitation")
    workshop = plan(deps, where, refs[0], refs, title="Ny visitationsmodel")
    outcome = submit_form(
        deps,
        refs[0],
        where,
        "summary",
        {"workshop": workshop},
        summary_values([refs[0]], deadline="2099-01-01"),
    )
    assert outcome.ok, outcome.errors


def no_input_presses(bf: FakeBotFramework, service_url: str) -> list[dict[str, Any]]:
    """Each colleague pressing "Intet input fra mig" on the card in their 1:1 chat."""
    presses = []
    for user in COLLEAGUES:
        chat = bf.conversation_for(user.id) or ""
        card = next(
            a
            for a in bf.activities(chat)
            if any(b.get("data", {}).get("action_id") == "input.decline" for b in _buttons(a))
        )
        data = next(b["data"] for b in _buttons(card) if b["data"]["action_id"] == "input.decline")
        presses.append(
            teams.card_submit(
                data,
                user=user,
                conversation_id=chat,
                reply_to_id=card["id"],
                service_url=service_url,
                bot_app_id=APP_ID,
            )
        )
    return presses


def _buttons(activity: dict[str, Any]) -> list[dict[str, Any]]:
    if not activity.get("attachments"):
        return []
    return [a for a in actions_of(card_of(activity)) if isinstance(a.get("data"), dict)]


def delivered(bf: FakeBotFramework, user: TeamsUser) -> bool:
    chat = bf.conversation_for(user.id)
    return chat is not None and any(_buttons(a) for a in bf.activities(chat))


def replies(bf: FakeBotFramework, activity: dict[str, Any]) -> list[dict[str, Any]]:
    chat = activity["conversation"]["id"]
    return [a for a in bf.activities(chat) if a.get("replyToId") == activity["id"]]


def declined(db: Database) -> int:
    with db.transaction() as session:
        count = select(func.count()).select_from(InputRequest)
        return session.scalar(count.where(InputRequest.status == "declined")) or 0


def declines_recorded(db: Database) -> int:
    with db.transaction() as session:
        count = select(func.count()).select_from(AuditEntry)
        return session.scalar(count.where(AuditEntry.action == "input.declined")) or 0


def inbox(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry)) or 0


def test_presses_answered_before_a_sigkill_are_all_applied_once_after_the_restart(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    everyone = [FACILITATOR, *COLLEAGUES]
    with (
        FakeBotFramework(app_id=APP_ID, app_password=PASSWORD) as bf,
        ConnectorGate().serving() as gate,
    ):
        gate.target = bf.base_url
        bf.add_channel(teams.CHANNEL_ID, members=everyone)
        bf.add_channel(teams.TEAM_ID, members=everyone)
        with bot_process(sqlite_url, bf, tmp_path) as (first, url):
            # Installed with the team's people: the bot can reach each of them from now on.
            installed = teams.conversation_update_members_added(
                everyone,
                by=FACILITATOR,
                bot_added=True,
                service_url=bf.service_url,
                bot_app_id=APP_ID,
            )
            assert post(url, bf, installed) == 200
            ask_everyone(db)
            bf.wait_for(lambda bf: all(delivered(bf, u) for u in COLLEAGUES), timeout=30)
            # The presses come by a Connector whose answers wait at the gate: the work of the
            # first few stops there, and the rest wait in the inbox, answered and kept.
            presses = no_input_presses(bf, gate.service_url)
            statuses: list[int | None] = [None] * len(presses)
            enough = threading.Event()

            def press(i: int) -> None:
                statuses[i] = post(url, bf, presses[i])
                if statuses.count(200) >= len(presses) // 4:
                    enough.set()

            with ThreadPoolExecutor(8) as pool:
                for i in range(len(presses)):
                    pool.submit(press, i)
                assert enough.wait(30), statuses
                first.send_signal(signal.SIGKILL)  # a moment into the burst
                first.wait(10)
        answered = [p for p, s in zip(presses, statuses, strict=True) if s == 200]
        assert declined(db) < len(answered), "killed with answered presses still to do"
        gate.open()

        with bot_process(sqlite_url, bf, tmp_path) as (_second, url):
            # The Bot Framework sends again what got no 200; what was answered, it does not.
            unanswered = [p for p, s in zip(presses, statuses, strict=True) if s != 200]
            assert [post(url, bf, p) for p in unanswered] == [200] * len(unanswered)
            eventually(lambda: declined(db) == len(COLLEAGUES), timeout=60)
            eventually(lambda: inbox(db) == 0)
            assert declines_recorded(db) == len(COLLEAGUES), "each press applied once"
            # Each colleague reads that it was noted: "Noteret …", or, where the kill came
            # between the decline and its reply, the rerun's "Du har allerede svaret …".
            bf.wait_for(lambda bf: all(replies(bf, p) for p in presses))
            for pressed in presses:
                said = [text_of(r) for r in replies(bf, pressed)]
                assert any(n in s for s in said for n in NOTED), said

            # A retry of an activity that was answered and done is answered, and dropped.
            replayed = answered[0]
            before = len(replies(bf, replayed))
            assert post(url, bf, replayed) == 200
            settle()
            assert len(replies(bf, replayed)) == before, "the replay was not done again"
            assert declines_recorded(db) == len(COLLEAGUES)
    db.dispose()


def put_out(deps: Deps) -> None:
    """The database accepts inbox rows again (see builders.disk_on_fire)."""
    with deps.db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("DROP TRIGGER disk_on_fire ON inbox"))
            session.execute(text("DROP FUNCTION disk_on_fire()"))
        else:
            session.execute(text("DROP TRIGGER disk_on_fire"))


def test_an_activity_that_could_not_be_kept_gets_a_500_and_its_retry_is_done(
    deps: Deps,
) -> None:
    mette = FACILITATOR
    with teams_bot(deps, [mette]) as bot:
        asked = teams.channel_message(
            "hjælp", user=mette, service_url=bot.bf.service_url, bot_app_id=APP_ID
        )
        disk_on_fire(deps, "INSERT ON inbox")
        refused = bot.post(asked)
        assert refused.status_code == 500, "not kept, so not answered: the retry may keep it"
        put_out(deps)
        retried = bot.post(asked)
        assert retried.status_code == 200
        bot.bf.wait_for(
            lambda bf: any("/samskab status" in text_of(r) for r in bot.replies_to(asked))
        )
        helped = [r for r in bot.replies_to(asked) if "/samskab status" in text_of(r)]
        assert len(helped) == 1, "the retry was done, once"
