"""Roster reads keep to Slack's tier for the method, together: two replicas reading a big
workspace's people at once take turns from one bucket in the database, as the outbox's posts
do, instead of each spending the whole tier and drawing 429s."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.directory import SlackDirectory
from bot.slack.patience import Patience
from schedules.shared_pace import SharedPace
from storage.db import Database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_payloads import TEAM_ID

PEOPLE = [f"U0P{n:04d}" for n in range(1000)]  # 5 pages of users.list (200 each)
PER_MINUTE = 300.0  # the tier the test gives users.list (Slack's is 20): 5 a second
REPLICAS = 2


def read_everyone(slack: FakeSlack, db: Database, *, shared: bool) -> int:
    """Each replica reads the workspace's list to its end at the same moment; the 429s Slack
    answered."""

    async def replica() -> int:
        pace = SharedPace(db) if shared else None
        patience = Patience(pace=pace, tiers={"users.list": PER_MINUTE})
        directory = SlackDirectory(
            AsyncWebClient(token="xoxb-test", base_url=slack.api_url), patience
        )
        found = await directory.users(TEAM_ID, PEOPLE)
        return len(found)

    async def together() -> list[int]:
        return await asyncio.gather(*(replica() for _ in range(REPLICAS)))

    slack.rate_limit("users.list", workspace_per_second=PER_MINUTE / 60, workspace_burst=3)
    assert asyncio.run(together()) == [len(PEOPLE)] * REPLICAS, "everyone named, by each"
    return slack.rate_limited("users.list")


def make_slack() -> FakeSlack:
    slack = FakeSlack(page_size=200)
    for user in PEOPLE:
        slack.add_user(user, user.lower(), real_name=f"Kollega {user}")
    return slack


def test_replicas_reading_the_roster_share_the_tier(db: Database) -> None:
    with make_slack() as slack:
        together = read_everyone(slack, db, shared=True)
    with make_slack() as slack:
        alone = read_everyone(slack, db, shared=False)
    assert together <= 1, f"one bucket for both replicas: {together} 429s"
    assert alone > together, "each pacing only itself draws 429s (the test can fail)"
