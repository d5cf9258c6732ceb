"""Fan-out: one workshop summary to the channel and an input request to each of N absent
colleagues, delivered by the real delivery worker to a fake Slack that enforces rate limits.

The outbox is filled through the real use cases (setup with the channel's roster, a workshop
inviting everyone, a summary that only the facilitator attended) on a SQLite file in a temporary
directory. `DeliveryWorker` then sends it with `SlackMessenger` over real HTTP to `FakeSlack`,
which answers chat.postMessage beyond a per-channel and a workspace-wide token bucket with HTTP
429 and Retry-After, as Slack does. What is timed: from starting the worker to the moment no row
is pending or being sent.

    .venv/bin/python -m bench.fanout [--requests 1000] [--workspace-rate 20] ...
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from bot.slack.messenger import SlackMessenger
from handlers.context import ChannelRef, Deps, PersonRef, utcnow
from handlers.interactions import submit_form
from schedules.delivery import drain
from schedules.pacing import LIMITS, Limit, Pacer, PlatformLimits
from schedules.worker import DeliveryWorker
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage, Summary, Workshop
from tests.builders import plan, set_up, summary_values
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_payloads import TEAM_ID

CHANNEL = "C0FANOUT"
POLL = 0.05  # seconds between looks at the outbox while the worker runs


def colleague(i: int) -> PersonRef:
    return PersonRef("slack", TEAM_ID, f"U{i:07d}", f"Kollega {i}")


def post_summary(deps: Deps, where: ChannelRef, facilitator: PersonRef) -> int:
    """The summary of the latest workshop, attended by the facilitator only; its id."""
    with deps.db.transaction() as session:
        workshop_id = session.scalar(select(func.max(Workshop.id)))
    deadline = (deps.clock() + timedelta(days=7)).date().isoformat()
    outcome = submit_form(
        deps,
        facilitator,
        where,
        "summary",
        {"workshop": str(workshop_id)},
        summary_values([facilitator], deadline=deadline),
    )
    assert outcome.ok, outcome.errors
    with deps.db.transaction() as session:
        summary_id = session.scalar(select(func.max(Summary.id)))
    assert summary_id is not None
    return int(summary_id)


@dataclass
class Result:
    messages: int
    wall: float
    minimum: float
    cpu_ours: float
    cpu_fake: float
    limited_posts: int
    limited_opens: int
    calls: Counter[str]
    unsent: int
    lost: int
    duplicated: int
    retried_rows: int
    final_rate: float | None


def minimum_seconds(messages: int, rate: float, burst: float) -> float:
    """What the workspace-wide bucket allows at best: a full burst, then `rate` a second. With
    one message per DM channel (and one in the process's channel) the per-channel limit never
    binds."""
    return max(0.0, messages - burst) / rate


async def deliver(
    db: Database, slack: FakeSlack, pacer_rate: float | None
) -> tuple[float, float, float, float | None]:
    """Runs the real worker until no row is pending or sending; wall, our CPU, the fake's CPU."""
    # One pool of connections, as `samskab serve` gives its client (bot.slack.adapter).
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token="xoxb-bench", base_url=slack.api_url, session=session)
    worker = DeliveryWorker(db, {"slack": SlackMessenger(client)}, utcnow)
    if pacer_rate is not None:  # another ceiling for the app-wide rate (burst: one second's)
        slack_limits = PlatformLimits(LIMITS["slack"].per_target, Limit(pacer_rate, pacer_rate))
        worker.pacer = Pacer({**LIMITS, "slack": slack_limits})
    cpu0, fake0, t0 = time.process_time(), slack.cpu_time(), time.perf_counter()
    task = asyncio.create_task(worker.run())
    while await asyncio.to_thread(_open_rows, db):
        await asyncio.sleep(POLL)
    wall = time.perf_counter() - t0
    cpu, fake = time.process_time() - cpu0, slack.cpu_time() - fake0
    worker.stop()
    await task
    await session.close()
    bucket = getattr(worker.pacer, "_apps", {}).get("slack")  # the adaptive rate, for the report
    return wall, cpu - fake, fake, getattr(bucket, "rate", None)


def _open_rows(db: Database) -> int:
    with db.transaction() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(("pending", "sending")))
            )
            or 0
        )


def check(db: Database, slack: FakeSlack, absentees: int, summary_id: int) -> tuple[int, int, int]:
    """Rows not sent; messages lost (a colleague without a DM, no summary post) and duplicated
    (a DM channel with more than one message, the summary posted twice)."""
    with db.transaction() as session:
        unsent = (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
            or 0
        )
    lost = duplicated = 0
    for i in range(1, absentees + 1):
        dm = slack.dm_channel_of(colleague(i).user_id)
        count = len(slack.messages(dm)) if dm else 0
        lost += count == 0
        duplicated += max(0, count - 1)
    key = f"summary:{summary_id}"
    posts = [
        m
        for m in slack.messages(CHANNEL)
        if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") == key
    ]
    lost += not posts
    duplicated += max(0, len(posts) - 1)
    return unsent, lost, duplicated


def run(args: argparse.Namespace) -> Result:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(page_size=200) as slack:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        deps = Deps(db=db, clock=utcnow)
        summary_id = build_and_warm_up(deps, slack, args.requests)
        slack.rate_limit(
            "chat.postMessage",
            per_channel_per_second=args.channel_rate,
            per_channel_burst=args.channel_burst,
            workspace_per_second=args.workspace_rate,
            workspace_burst=args.workspace_burst,
        )
        if args.open_per_minute:
            slack.rate_limit(
                "conversations.open",
                workspace_per_second=args.open_per_minute / 60,
                workspace_burst=args.open_burst,
            )
        calls_before = Counter(c.method for c in slack.calls)
        wall, cpu_ours, cpu_fake, final_rate = asyncio.run(deliver(db, slack, args.pacer_rate))
        calls = Counter(c.method for c in slack.calls) - calls_before
        unsent, lost, duplicated = check(db, slack, args.requests, summary_id)
        with db.transaction() as session:
            retried = (
                session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.attempts > 1)
                )
                or 0
            )
        db.dispose()
        messages = args.requests + 1
        burst = args.workspace_rate if args.workspace_burst is None else args.workspace_burst
        minimum = minimum_seconds(messages, args.workspace_rate, burst)
        if args.open_per_minute:  # every colleague's DM is opened once, first
            opens = minimum_seconds(args.requests, args.open_per_minute / 60, args.open_burst)
            minimum = max(minimum, opens)
        return Result(
            messages=messages,
            wall=wall,
            minimum=minimum,
            cpu_ours=cpu_ours,
            cpu_fake=cpu_fake,
            limited_posts=slack.rate_limited("chat.postMessage"),
            limited_opens=slack.rate_limited("conversations.open"),
            calls=calls,
            unsent=unsent,
            lost=lost,
            duplicated=duplicated,
            retried_rows=retried,
            final_rate=final_rate,
        )


def build_and_warm_up(deps: Deps, slack: FakeSlack, absentees: int) -> int:
    """Builds the outbox and returns the summary's id. What came before the summary (the setup
    and workshop posts) is sent first, so the timed part holds the summary and its requests."""
    where, facilitator = set_up_process(deps, slack, absentees)

    async def warm_up() -> None:
        client = AsyncWebClient(token="xoxb-bench", base_url=slack.api_url)
        await drain(deps.db, {"slack": SlackMessenger(client)}, deps.clock())

    asyncio.run(warm_up())
    return post_summary(deps, where, facilitator)


def set_up_process(deps: Deps, slack: FakeSlack, absentees: int) -> tuple[ChannelRef, PersonRef]:
    """Through the use cases: a process whose channel holds the facilitator and `absentees`
    colleagues (all of them users of the fake), and a workshop that invites everyone."""
    people = [colleague(i) for i in range(absentees + 1)]
    facilitator = people[0]
    for ref in people:
        slack.add_user(ref.user_id, ref.user_id.lower(), real_name=ref.name)
    slack.add_channel(CHANNEL, members=[*(p.user_id for p in people), slack.bot_user_id])
    where = ChannelRef("slack", TEAM_ID, CHANNEL, "fanout", tuple(people))
    set_up(deps, where, facilitator, step="3", name="Fan-out", tracks="Visitation")
    plan(
        deps,
        where,
        facilitator,
        people,
        title="Ny visitationsmodel",
        when=(deps.clock() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
    )
    return where, facilitator


def report(args: argparse.Namespace, r: Result) -> None:
    ratio = r.wall / r.minimum if r.minimum else float("inf")
    rows = [
        ("messages (summary + DMs)", f"{r.messages}"),
        (
            "limits in the fake",
            f"{args.channel_rate:g}/s per channel (burst {args.channel_burst:g}), "
            f"{args.workspace_rate:g}/s workspace (burst "
            f"{args.workspace_rate if args.workspace_burst is None else args.workspace_burst:g})"
            + (
                f", conversations.open {args.open_per_minute:g}/min"
                if args.open_per_minute
                else ", conversations.open unlimited"
            ),
        ),
        (
            "pacer's app-wide ceiling",
            f"{args.pacer_rate:g}/s (set by --pacer-rate)"
            if args.pacer_rate
            else f"{LIMITS['slack'].per_app.rate:g}/s (its own)",
        ),
        ("wall time", f"{r.wall:.1f} s"),
        ("theoretical minimum", f"{r.minimum:.1f} s"),
        ("ratio (target <= 1.15)", f"{ratio:.2f}x {'met' if ratio <= 1.15 else 'MISSED'}"),
        ("429s on chat.postMessage", f"{r.limited_posts}"),
        ("429s on conversations.open", f"{r.limited_opens}"),
        ("rows sent more than one attempt", f"{r.retried_rows}"),
        ("rows not sent", f"{r.unsent}"),
        ("lost messages (target 0)", f"{r.lost}"),
        ("duplicated messages (target 0)", f"{r.duplicated}"),
        ("CPU, bench process minus fake", f"{r.cpu_ours * 1000 / r.messages:.2f} ms/message"),
        ("CPU, fake Slack thread", f"{r.cpu_fake * 1000 / r.messages:.2f} ms/message"),
        ("pacer's app rate at the end", f"{r.final_rate:.2f}/s" if r.final_rate else "-"),
        ("peak memory (RSS) of the process", f"{peak_rss_mb():.0f} MB, the fake's included"),
        ("API calls", ", ".join(f"{m} {n}" for m, n in sorted(r.calls.items()))),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000, help="absent colleagues (1000)")
    parser.add_argument("--workspace-rate", type=float, default=20.0, help="W, posts/s (20)")
    parser.add_argument(
        "--workspace-burst", type=float, default=None, help="workspace burst (one second of W)"
    )
    parser.add_argument("--channel-rate", type=float, default=1.0, help="posts/s per channel (1)")
    parser.add_argument("--channel-burst", type=float, default=3.0, help="per channel burst (3)")
    parser.add_argument(
        "--open-per-minute",
        type=float,
        default=0.0,
        help="rate-limit conversations.open to this many a minute (0: not limited)",
    )
    parser.add_argument("--open-burst", type=float, default=10.0, help="its burst (10)")
    parser.add_argument(
        "--pacer-rate",
        type=float,
        default=None,
        help="the pacer's app-wide ceiling for Slack, in place of its own (20/s)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # retries are counted, not logged one by one
    report(args, run(args))


if __name__ == "__main__":
    main()
