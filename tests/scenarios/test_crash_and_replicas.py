"""Once-only delivery with real processes: a bot killed with SIGKILL in the middle of a fan-out
and started again delivers every message exactly once; on PostgreSQL, three bots drain one
outbox together without sending anything twice."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import submit_form
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.builders import plan, set_up, summary_values
from tests.conftest import POSTGRES, _postgres_database
from tests.fakes.slack_api import FakeSlack
from tests.servers import bot_serving
from tests.slack_harness import CHANNEL, TEAM
from tests.waiting import eventually

FACILITATOR = "U0FACIL"


def colleagues(n: int) -> list[str]:
    return [f"U{i:05d}" for i in range(n)]


def build_fan_out(db: Database, slack: FakeSlack, n: int) -> None:
    """A process whose summary asks `n` absent colleagues, written through the use cases."""
    users = [FACILITATOR, *colleagues(n)]
    for user in users:
        slack.add_user(user, user.lower(), real_name=f"Kollega {user}", locale="da-DK")
    slack.add_channel(CHANNEL, members=[*users, slack.bot_user_id])
    refs = [PersonRef("slack", TEAM, u, f"Kollega {u}", "da") for u in users]
    deps = Deps(db=db)
    where = ChannelRef("slack", TEAM, CHANNEL, "odder", tuple(refs))
    set_up(deps, where, refs[0], step="3", name="Odder", tracks="Visitation")
    workshop = plan(deps, where, refs[0], refs, title="Fan-out", when="2026-11-23 08:00")
    outcome = submit_form(
        deps,
        refs[0],
        where,
        "summary",
        {"workshop": workshop},
        summary_values([refs[0]], deadline="2099-01-01"),
    )
    assert outcome.ok, outcome.errors


@contextmanager
def bot_process(
    database_url: str, slack: FakeSlack, tmp_path: Path, *, lease: float = 1
) -> Iterator[subprocess.Popen[str]]:
    """`samskab serve` as a real process, its delivery worker pointed at the fake Slack, with
    claims leased for `lease` seconds."""
    settings = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "SAMSKAB_SCHEDULER": "off",
        "SAMSKAB_DELIVERY_LEASE": str(lease),
    }
    with bot_serving(settings, tmp_path) as (process, _):
        yield process


def _unsent(db: Database) -> int:
    with db.transaction() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
            or 0
        )


def _assert_each_once(slack: FakeSlack, people: list[str]) -> None:
    for user in people:
        dm = slack.dm_channel_of(user)
        assert dm is not None and len(slack.messages(dm)) == 1, f"{user}: {dm}"
    posts = [m["text"] for m in slack.messages(CHANNEL)]
    assert len(posts) == len(set(posts)), "no channel post twice"
    assert sum("Opsamling fra workshoppen" in text for text in posts) == 1


def test_a_fan_out_killed_with_sigkill_and_restarted_delivers_each_message_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with FakeSlack() as slack:
        build_fan_out(db, slack, 200)
        # Slack acts on a post at once but answers late: a kill lands while posts are in flight.
        slack.delays["chat.postMessage"] = 0.3
        with bot_process(sqlite_url, slack, tmp_path) as first:
            slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 60, timeout=60)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        in_flight = len(slack.calls_to("chat.postMessage"))
        assert _unsent(db) > 0, "killed in the middle, not after the end"
        slack.delays["chat.postMessage"] = 0.0
        with bot_process(sqlite_url, slack, tmp_path):
            eventually(lambda: _unsent(db) == 0, timeout=90)
        assert in_flight < 200 + 3
        # Rows caught mid-call were looked up in Slack rather than posted again.
        assert slack.calls_to("conversations.history"), "the crash check was exercised"
        _assert_each_once(slack, colleagues(200))
    db.dispose()


@pytest.mark.skipif(POSTGRES is None, reason="TEST_POSTGRES_URL is not set")
def test_three_bots_on_one_postgresql_database_send_each_of_200_messages_once(
    tmp_path: Path,
) -> None:
    with contextmanager(_postgres_database)() as url:
        upgrade(url)
        db = Database(url)
        with FakeSlack() as slack:
            # 200: the three share the workspace's pace (20/s), so more would only take longer.
            build_fan_out(db, slack, 200)
            slack.delays["chat.postMessage"] = 0.02
            with (
                bot_process(url, slack, tmp_path),
                bot_process(url, slack, tmp_path),
                bot_process(url, slack, tmp_path),
            ):
                eventually(lambda: _unsent(db) == 0, timeout=120)
            _assert_each_once(slack, colleagues(200))
            posted = [c for c in slack.calls_to("chat.postMessage") if not c.failed]
            assert len(posted) == 200 + 3  # the DMs, and setup, workshop and summary posts
            logs = [p.read_text() for p in tmp_path.glob("bot-*.log")]
            assert all("Traceback" not in log for log in logs)
        db.dispose()
