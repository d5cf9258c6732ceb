"""A fan-out keeps to the workspace's pace from its first message: the shared bucket lets out no
more than Slack's own at the start, though the delivery worker takes its tokens a few at a time,
ahead of the posts (before, the first second of every fan-out drew a 429 and a second's pause)."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.messenger import SlackMessenger
from handlers.context import utcnow
from schedules.worker import DeliveryWorker
from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.test_crash_and_replicas import (
    _assert_each_once,
    _unsent,
    build_fan_out,
    colleagues,
)
from tests.waiting import eventually_async


async def deliver_all(db: Database, slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url, session=session)
        worker = DeliveryWorker(db, {"slack": SlackMessenger(client)}, utcnow)
        task = asyncio.create_task(worker.run())
        await eventually_async(lambda: _unsent(db) == 0, timeout=60)
        worker.stop()
        await task


def test_a_fan_out_at_the_workspace_pace_draws_no_429(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with FakeSlack() as slack:
        build_fan_out(db, slack, 80)
        # Slack's bucket as the pacer's ceiling, full at the start; each post answered late.
        slack.rate_limit("chat.postMessage", workspace_per_second=20, workspace_burst=20)
        slack.delays["chat.postMessage"] = 0.1
        asyncio.run(deliver_all(db, slack))
        _assert_each_once(slack, colleagues(80))
        assert slack.rate_limited("chat.postMessage") == 0
    db.dispose()
