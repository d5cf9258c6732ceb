"""The shared pace during a fan-out with lone 429s: the real delivery worker sends N DMs to a
FakeSlack (20 posts/s workspace-wide, 1/s per channel, 100 ms per call) that answers a few of
them 503 and a few 429 (Retry-After 1 s), and once a second it prints how many are sent and
the `pace_buckets` row (rate, tokens): how a 429 lowers the pace and how soon it comes back.

    .venv/bin/python -m bench.pace_probe [--requests 400] [--faults 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from bench.fanout import _open_rows, build_and_warm_up, colleague
from bot.slack.messenger import SlackMessenger
from handlers.context import Deps, utcnow
from schedules.worker import DeliveryWorker
from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack


def to(users: list[str]) -> Callable[[dict[str, Any]], bool]:
    chosen = set(users)
    return lambda params: params.get("channel") in chosen


async def watch(db: Database, slack: FakeSlack) -> float:
    """Runs the worker until every row is sent; prints a line a second; the seconds it took."""
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token="xoxb-bench", base_url=slack.api_url, session=session)
    worker = DeliveryWorker(db, {"slack": SlackMessenger(client)}, utcnow)
    start = time.perf_counter()
    task = asyncio.create_task(worker.run())
    sent_before = 0
    while await asyncio.to_thread(_open_rows, db):
        await asyncio.sleep(1.0)
        with db.transaction() as s:
            sent = s.execute(text("SELECT count(*) FROM outbox WHERE status = 'sent'")).scalar()
            bucket = s.execute(text("SELECT rate, tokens FROM pace_buckets")).first()
        rate = f"rate {bucket[0]:5.1f}/s, tokens {bucket[1]:4.1f}" if bucket else "no bucket"
        print(
            f"{time.perf_counter() - start:5.1f} s  sent {sent} (+{(sent or 0) - sent_before})  {rate}"
        )
        sent_before = sent or 0
    took = time.perf_counter() - start
    worker.stop()
    await task
    await session.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400, help="absent colleagues (400)")
    parser.add_argument("--faults", type=int, default=3, help="503s, and as many 429s (3)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(page_size=200) as slack:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        build_and_warm_up(Deps(db=db, clock=utcnow), slack, args.requests)
        slack.rate_limit(
            per_channel_per_second=1,
            per_channel_burst=3,
            workspace_per_second=20,
            workspace_burst=20,
        )
        slack.delays["chat.postMessage"] = 0.1
        users = [colleague(i).user_id for i in range(1, args.requests + 1)]
        spots = 2 * args.faults + 1
        unlucky = [users[len(users) * k // spots] for k in range(1, spots)]
        if unlucky:
            slack.fail("chat.postMessage", status=503, times=args.faults, when=to(unlucky[::2]))
            slack.fail("chat.postMessage", retry_after=1, times=args.faults, when=to(unlucky[1::2]))
        took = asyncio.run(watch(db, slack))
        minimum = max(0, args.requests + 1 - 20) / 20
        print(f"{took:.1f} s for {args.requests} DMs and the summary; minimum {minimum:.1f} s")
        db.dispose()


if __name__ == "__main__":
    main()
