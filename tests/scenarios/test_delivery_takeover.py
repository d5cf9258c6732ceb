"""After a crash, on with it (issue 14): rows a killed bot had claimed are taken over as soon as
its heartbeat is seen to have stopped, not when their two-minute lease runs out; and replicas on
one PostgreSQL database keep one pace together. Real `samskab serve` processes, SIGKILL, the
fake Slack over real HTTP."""

from __future__ import annotations

import signal
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import POSTGRES, _postgres_database
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.test_crash_and_replicas import (
    _assert_each_once,
    _unsent,
    bot_process,
    build_fan_out,
    colleagues,
)
from tests.waiting import eventually

LEASE = 120.0  # the default: the takeover must not wait for it


def test_a_fan_out_of_400_killed_with_sigkill_is_finished_within_a_minute_of_the_restart(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with FakeSlack() as slack:
        build_fan_out(db, slack, 400)
        # Slack acts on a post at once but answers late: a kill lands while posts are in flight.
        slack.delays["chat.postMessage"] = 0.3
        with bot_process(sqlite_url, slack, tmp_path, lease=LEASE) as first:
            slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 100, timeout=60)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert _unsent(db) > 0, "killed in the middle, not after the end"
        slack.delays["chat.postMessage"] = 0.0
        with bot_process(sqlite_url, slack, tmp_path, lease=LEASE):
            eventually(lambda: _unsent(db) == 0, timeout=60)  # far inside the lease
        _assert_each_once(slack, colleagues(400))
        opened = [c.params.get("users") for c in slack.calls_to("conversations.open")]
        assert len(opened) == len(set(opened)), "no DM opened twice"
    db.dispose()


def _rate_limited_run(tmp_path: Path, replicas: int) -> int:
    """How many 429s `replicas` bots draw delivering a fan-out of 200 DMs to a Slack that
    allows 20 posts a second for the workspace."""
    with contextmanager(_postgres_database)() as url:
        upgrade(url)
        db = Database(url)
        with FakeSlack() as slack, ExitStack() as bots:
            build_fan_out(db, slack, 200)
            slack.rate_limit("chat.postMessage", workspace_per_second=20, workspace_burst=20)
            for _ in range(replicas):
                bots.enter_context(bot_process(url, slack, tmp_path / f"r{replicas}"))
            eventually(lambda: _unsent(db) == 0, timeout=120)
            _assert_each_once(slack, colleagues(200))
            limited = slack.rate_limited("chat.postMessage")
        db.dispose()
    return limited


@pytest.mark.skipif(POSTGRES is None, reason="TEST_POSTGRES_URL is not set")
def test_three_replicas_keep_the_workspace_pace_of_one(tmp_path: Path) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r3").mkdir()
    alone = _rate_limited_run(tmp_path, 1)
    together = _rate_limited_run(tmp_path, 3)
    # One replica draws 0 to 2 at the edge of the fake's bucket (timing on 127.0.0.1); three
    # that each paced only themselves drew 16 in the same run.
    assert together <= alone + 2, f"three replicas drew {together} 429s, one drew {alone}"
