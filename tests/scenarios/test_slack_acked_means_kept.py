"""Acked means kept: Slack does not send again a request it got a 200 for, so every click,
command and event the bot acknowledged is done, once, even when the process is killed right
after answering; and acks never wait for work, however many requests arrive at once."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEntry, InboxEntry, InputRequest, Member, Person
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.test_crash_and_replicas import build_fan_out
from tests.servers import bot_serving
from tests.slack_harness import text_of
from tests.waiting import eventually

SECRET = "s"


@contextmanager
def bot_process(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`samskab serve` as a real process; yields it and its /slack/events URL."""
    settings = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "SAMSKAB_SCHEDULER": "off",
    }
    with bot_serving(settings, tmp_path) as (process, base):
        yield process, f"{base}/slack/events"


def open_requests(db: Database) -> list[tuple[int, str]]:
    with db.transaction() as session:
        rows = session.execute(
            select(InputRequest.id, Person.user_id)
            .join(Member, InputRequest.member_id == Member.id)
            .join(Person, Member.person_id == Person.id)
            .order_by(InputRequest.id)
        ).all()
    return [(request_id, user_id) for request_id, user_id in rows]


def declined(db: Database) -> int:
    with db.transaction() as session:
        count = select(func.count()).select_from(InputRequest)
        return session.scalar(count.where(InputRequest.status == "declined")) or 0


def declines_recorded(db: Database) -> int:
    with db.transaction() as session:
        count = select(func.count()).select_from(AuditEntry)
        return session.scalar(count.where(AuditEntry.action == "input.declined")) or 0


def click(url: str, slack: FakeSlack, user: str, request_id: int) -> int:
    body, kind = payloads.block_actions(
        "input.decline",
        str(request_id),
        user_id=user,
        channel_id=f"D{user[1:]}",
        message_ts="1700000000.000100",
        response_url=slack.response_url(f"click-{request_id}"),
    )
    headers = payloads.signed_headers(body, kind, SECRET)
    return httpx.post(url, content=body.encode(), headers=headers, timeout=30).status_code


def test_clicks_acked_before_a_sigkill_are_all_applied_once_after_the_restart(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with FakeSlack() as slack:
        build_fan_out(db, slack, 150)
        clicks = open_requests(db)
        assert len(clicks) == 150
        # Each click's answer takes Slack a while: the kill lands with acked clicks undone.
        slack.delays["response_url"] = 0.3
        with bot_process(sqlite_url, slack, tmp_path) as (first, url):
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda c: click(url, slack, c[1], c[0]), clicks))
            assert statuses == [200] * 150, "every click acknowledged"
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert declined(db) < 150, "killed with acknowledged clicks still to do"
        slack.delays["response_url"] = 0.0
        with bot_process(sqlite_url, slack, tmp_path):
            eventually(lambda: declined(db) == 150, timeout=60)
            eventually(lambda: _inbox(db) == 0)
        assert declines_recorded(db) == 150, "each click applied once"
        # The person reads that their answer was noted: "Noteret …", or, where the kill came
        # between the decline's commit and its reply, the rerun's "Du har allerede svaret
        # »intet input fra mig« …", which says the same.
        noted = ("Noteret", "Du har allerede svaret »intet input fra mig«")
        for request_id, _user in clicks:
            answers_to = slack.responses[f"click-{request_id}"]
            assert any(n in text_of(a) for a in answers_to for n in noted), request_id
    db.dispose()


def _inbox(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry)) or 0
