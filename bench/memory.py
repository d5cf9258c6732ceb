"""Memory (RSS) of `samskab serve` under traffic: idle, then after every 500 of 3 000 mixed
signed requests (`/samskab status`, `help`, `workshops`, "No input from me" clicks and
`/samskab workshop`, which opens a modal), against the benchmark process (bench.process_data).

The app runs as a real process of its own (`python -m bot serve`, settings in its environment, as
tests/scenarios/test_crash_and_replicas.py starts bots), so that what is read from its
/proc/<pid>/status (VmRSS, and VmHWM for the peak) is the app alone, not this client or the
FakeSlack it talks to. Requests are sent one at a time over one keep-alive connection; before each
reading the app is given a moment to finish the work it started after answering.

With `--floor`, a minimal slack-bolt app (bench.floor_app: one command that acks, served by
uvicorn) gets the same number of `/samskab status` commands and is read the same way: what
slack-bolt, uvicorn and Python cost before any of ours.

    .venv/bin/python -m bench.memory [--requests 3000] [--every 500] [--floor] ...
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from bench.ack_latency import SECRET, Client, open_requests, post_dms
from bench.process_data import CHANNEL, Size, build_process, member_ref
from handlers.context import Deps
from storage.db import Database
from storage.migrate import upgrade
from storage.models import InputRequest
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack
from tests.servers import answers, free_port
from tests.waiting import eventually

Reading = tuple[int, float, float]  # requests sent so far, RSS MB, peak MB
SETTLE = 2.0  # seconds the app gets to finish its after-the-ack work before a reading


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the process in MB, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB
    return fields["VmRSS"], fields["VmHWM"]


@contextmanager
def server_process(argv: list[str], env: dict[str, str], tmp: Path) -> Iterator[tuple[int, str]]:
    """A server process on a free port; yields (pid, base url) once /healthz answers."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAMSKAB_"))}
    log = (tmp / f"server-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, *argv, "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp,
        env=clean | env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: answers(f"{base}/healthz"), timeout=60)
        yield process.pid, base
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def measure(pid: int, send: Callable[[int], None], requests: int, every: int) -> list[Reading]:
    """Readings (requests sent so far, RSS, peak): idle, after every `every`, at the end."""
    time.sleep(SETTLE)
    readings = [(0, *rss_mb(pid))]
    for i in range(requests):
        send(i)
        if (i + 1) % every == 0 or i + 1 == requests:
            time.sleep(SETTLE)
            readings.append((i + 1, *rss_mb(pid)))
    return readings


def mixed_requests(client: Client, db: Database, size: Size, clicks: int) -> Callable[[int], None]:
    """Request i of the mix: status, help, workshops, a "No input" click, a modal opened."""
    facilitator = member_ref(0).user_id
    members = [member_ref(i).user_id for i in range(1, size.members)]
    requests = open_requests(db, min(clicks, _open_count(db)))
    post_dms(db, client.slack, requests)
    cycle = itertools.cycle(requests)

    def command(user: str, text: str) -> None:
        url = client.slack.response_url(client.response_name())
        client.post(
            *payloads.slash_command(text, user_id=user, channel_id=CHANNEL, response_url=url)
        )

    def send(i: int) -> None:
        user = members[i % len(members)]
        kind = i % 5
        if kind == 0:
            command(user, "status")
        elif kind == 1:
            command(user, "help")
        elif kind == 2:
            command(user, "workshops")
        elif kind == 3:
            request_id, owner = next(cycle)
            body = payloads.block_actions(
                "input.decline",
                str(request_id),
                user_id=owner,
                channel_id=f"D{owner[1:]}",
                message_ts="1700000000.000100",
                response_url=client.slack.response_url(client.response_name()),
            )
            client.post(*body)
        else:
            command(facilitator, "workshop")

    return send


def _open_count(db: Database) -> int:
    """Clicks beyond this many go round again (the person is told it is already answered)."""
    with db.transaction() as session:
        return (
            session.scalar(
                select(func.count()).where(InputRequest.status.in_(("pending", "delivered")))
            )
            or 0
        )


def run_app(args: argparse.Namespace) -> list[Reading]:
    size = Size(args.members, args.workshops, args.inputs)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(page_size=200) as slack:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        build_process(Deps(db=db, language="da", timezone="Europe/Copenhagen"), size)
        people = [member_ref(i) for i in range(size.members)]
        for ref in people:
            slack.add_user(ref.user_id, ref.user_id.lower(), real_name=ref.name)
        slack.add_channel(CHANNEL, members=[*(p.user_id for p in people), slack.bot_user_id])
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SAMSKAB_SCHEDULER": "on",
        }
        with server_process(["-m", "bot", "serve"], env, Path(tmp)) as (pid, base):
            client = Client(slack, base)
            send = mixed_requests(client, db, size, clicks=args.requests // 5)
            readings = measure(pid, send, args.requests, args.every)
            client.http.close()
        db.dispose()
    return readings


def run_floor(args: argparse.Namespace) -> list[Reading]:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        root = str(Path(__file__).resolve().parent.parent)
        env = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "PYTHONPATH": root}
        with server_process(["-m", "bench.floor_app"], env, Path(tmp)) as (pid, base):
            client = Client(slack, base)

            def send(i: int) -> None:
                user = member_ref(1 + i % 300).user_id
                client.post(*payloads.slash_command("status", user_id=user, channel_id=CHANNEL))

            readings = measure(pid, send, args.requests, args.every)
            client.http.close()
    return readings


def report(name: str, readings: list[Reading]) -> None:
    print(f"\n{name}")
    print(f"{'requests':>8} {'RSS':>9} {'peak':>9}")
    for sent, rss, peak in readings:
        print(f"{sent:>8} {rss:>6.1f} MB {peak:>6.1f} MB")
    idle, end = readings[0][1], readings[-1][1]
    first = readings[1][1] if len(readings) > 2 else idle
    print(f"growth: {end - idle:+.1f} MB from idle, {end - first:+.1f} MB after the first reading")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--every", type=int, default=500, help="a reading after this many")
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--workshops", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--floor", action="store_true", help="also the minimal slack-bolt app")
    args = parser.parse_args()
    report("samskab serve (mixed requests)", run_app(args))
    if args.floor:
        report("minimal slack-bolt app (/samskab status, acked)", run_floor(args))


if __name__ == "__main__":
    main()
