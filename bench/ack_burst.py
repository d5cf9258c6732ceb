"""Bursts for bench.ack_latency: N requests sent at once, each from a thread and connection of
its own, timing each ack; then how long until the work behind the acks was done."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select

from bench.process_data import CHANNEL, member_ref
from storage.db import Database
from storage.models import InboxEntry
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack

WORK_TIMEOUT = 180.0


@dataclass
class Burst:
    acks: list[float]  # seconds per request, answered 200 or not
    failed: int  # not answered 200: bolt answers 404 to a request not acked within 3 s
    done: float  # seconds from the start until the work behind the acks was done


def burst(url: str, secret: str, bodies: list[tuple[str, str]]) -> list[tuple[float, int]]:
    """Sends every body at once; each answer's time and status. The threads start first and
    wait at a barrier, so that the requests do leave together."""
    ready = threading.Barrier(len(bodies))

    def send(item: tuple[str, str]) -> tuple[float, int]:
        body, kind = item
        headers = payloads.signed_headers(body, kind, secret)
        with httpx.Client(timeout=30) as http:
            ready.wait(timeout=60)
            start = time.perf_counter()
            response = http.post(url, content=body.encode(), headers=headers)
            elapsed = time.perf_counter() - start
        return elapsed, response.status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def status_burst(url: str, secret: str, slack: FakeSlack, size: int) -> Burst:
    """`/samskab status` from `size` colleagues at once: the acks, and the seconds until every
    ephemeral answer reached its response_url."""
    members = [member_ref(i).user_id for i in range(1, size + 1)]
    names = [f"burst-{u}" for u in members]
    commands = [
        payloads.slash_command(
            "status", user_id=u, channel_id=CHANNEL, response_url=slack.response_url(name)
        )
        for u, name in zip(members, names, strict=True)
    ]
    start = time.perf_counter()
    answers = burst(url, secret, commands)
    done = _until(lambda: all(slack.responses.get(name) for name in names), start)
    return _summed(answers, done)


def click_burst(
    url: str, secret: str, slack: FakeSlack, db: Database, requests: list[tuple[int, str]]
) -> Burst:
    """ "No input from me" on `requests` at once: the acks, and the seconds until the inbox was
    empty again (every kept click done)."""
    clicks = [
        payloads.block_actions(
            "input.decline",
            str(request_id),
            user_id=user_id,
            channel_id=f"D{user_id[1:]}",
            message_ts="1700000000.000100",
            response_url=slack.response_url(f"c{request_id}"),
        )
        for request_id, user_id in requests
    ]
    start = time.perf_counter()
    answers = burst(url, secret, clicks)
    done = _until(lambda: _inbox_rows(db) == 0, start)
    return _summed(answers, done)


def _summed(answers: list[tuple[float, int]], done: float) -> Burst:
    return Burst([t for t, _ in answers], sum(1 for _, s in answers if s != 200), done)


def _until(condition: Callable[[], bool], start: float) -> float:
    deadline = start + WORK_TIMEOUT
    while not condition():
        if time.perf_counter() > deadline:
            return float("nan")
        time.sleep(0.05)
    return time.perf_counter() - start


def _inbox_rows(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEntry)) or 0)
