"""A bot stopped as a process manager stops it (SIGTERM) in the middle of a fan-out finishes
the posts it has in flight before it lets go of its connections to Slack: none of them fails
at the stop, and the next start sends the rest, each once."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.test_crash_and_replicas import (
    _assert_each_once,
    _unsent,
    bot_process,
    build_fan_out,
    colleagues,
)
from tests.waiting import eventually


def test_a_stop_in_the_middle_of_a_fan_out_cuts_no_post_off(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with FakeSlack() as slack:
        build_fan_out(db, slack, 120)
        slack.delays["chat.postMessage"] = 0.3  # posts in flight when the stop comes
        with bot_process(sqlite_url, slack, tmp_path) as first:
            slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 30, timeout=60)
            first.terminate()
            first.wait(30)
        log = "\n".join(path.read_text() for path in tmp_path.glob("bot-*.log"))
        assert "will be retried" not in log, log[-3000:]
        assert "Session is closed" not in log
        assert _unsent(db) > 0, "stopped in the middle, not after the end"
        slack.delays["chat.postMessage"] = 0.0
        with bot_process(sqlite_url, slack, tmp_path):
            eventually(lambda: _unsent(db) == 0, timeout=60)
        _assert_each_once(slack, colleagues(120))
    db.dispose()
