"""Ack latency: the HTTP round trip of a signed request to our real ASGI app, which is what
Slack's 3-second window sees, for `/samskab status`, `/samskab workshop` (opens a modal), the
"Give input" button and the input form's submission, against a process the size of the digest
benchmark's.

The app is `bot.server.build_app` served by uvicorn on an ephemeral port in a background thread
(`tests.servers.serve`), with its delivery worker and scheduler running, and `SLACK_API_URL`
pointing at a `FakeSlack` on another ephemeral port. Requests are signed as Slack signs them and
sent one at a time over one keep-alive connection; after each, the benchmark waits for what the
person then sees (the ephemeral answer at the response_url, the modal's views.open) and times
that too, so that every request meets an idle app.

    .venv/bin/python -m bench.ack_latency [--requests 200] [--members 300] [--workshops 100] ...

With `--burst N`, it then sends N `/samskab status` commands all at once (N threads, each its
own connection), and then N "No input from me" clicks all at once, and times each ack: what a
burst does to Slack's 3-second window while the work queues behind the acks.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select, update

from bench.ack_burst import click_burst, status_burst
from bench.app_process import serve_in_process
from bench.digest import percentile
from bench.process_data import CHANNEL, Size, build_process, member_ref
from bot.server import build_app
from bot.settings import Settings
from handlers.context import Deps
from storage.db import Database
from storage.migrate import upgrade
from storage.models import InputRequest, Member, OutboxMessage, Person
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack
from tests.servers import serve
from tests.slack_harness import fill

SECRET = "bench-signing-secret"
WARMUP = 5


@dataclass
class Series:
    """Seconds per request: the ack (HTTP round trip) and, where there is one, what follows."""

    ack: list[float] = field(default_factory=list)
    then: list[float] = field(default_factory=list)


class Client:
    def __init__(self, slack: FakeSlack, base_url: str) -> None:
        self.slack = slack
        self.url = base_url + "/slack/events"
        self.http = httpx.Client(timeout=30)
        self.responses = 0

    def post(self, body: str, content_type: str) -> tuple[float, httpx.Response]:
        headers = payloads.signed_headers(body, content_type, SECRET)
        start = time.perf_counter()
        response = self.http.post(self.url, content=body.encode(), headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (response.status_code, response.text)
        return elapsed, response

    def response_name(self) -> str:
        self.responses += 1
        return f"r{self.responses}"


class Watch:
    """Notes when `condition()` first holds, polling every millisecond from a thread of its own
    while the request is under way (the follow-up may reach Slack before the ack does). The
    conditions are cheap: the poll shares the interpreter with the app and the fake."""

    def __init__(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        self.condition, self.timeout = condition, timeout
        self.at: float | None = None
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _poll(self) -> None:
        deadline = time.perf_counter() + self.timeout
        while not self.condition() and time.perf_counter() < deadline:
            time.sleep(0.001)
        self.at = time.perf_counter()

    def since(self, start: float) -> float:
        """Seconds from `start` until the condition held."""
        self.thread.join()
        if not self.condition():
            raise TimeoutError("the app did not answer in time")
        assert self.at is not None
        return self.at - start


def slash_command(client: Client, user: str, text: str, series: Series) -> None:
    """`/samskab text`; `then` is until the ephemeral answer reaches the response_url, or for
    a command that opens a modal, until views.open reaches Slack (the trigger lives 3 s)."""
    name = client.response_name()
    opened = len(client.slack.views)
    body, kind = payloads.slash_command(
        text, user_id=user, channel_id=CHANNEL, response_url=client.slack.response_url(name)
    )
    slack = client.slack
    with Watch(lambda: bool(slack.responses[name]) or len(slack.views) > opened) as watch:
        start = time.perf_counter()
        ack, _ = client.post(body, kind)
    series.ack.append(ack)
    series.then.append(watch.since(start))


def answer_request(
    client: Client, user: str, request_id: int, dm: str, button: Series, submit: Series
) -> None:
    """ "Give input" in the DM (`then`: until its modal is opened), then the form submitted."""
    opened = len(client.slack.views)
    body, kind = payloads.block_actions(
        "input.request",
        str(request_id),
        user_id=user,
        channel_id=dm,
        message_ts="1700000000.000100",
        response_url=client.slack.response_url(client.response_name()),
    )
    with Watch(lambda: len(client.slack.views) > opened) as watch:
        start = time.perf_counter()
        ack, _ = client.post(body, kind)
    button.ack.append(ack)
    button.then.append(watch.since(start))
    view = list(client.slack.views.values())[opened]
    view_id = f"VBENCH{request_id:06d}"
    body, kind = payloads.view_submission(
        view["callback_id"],
        fill(view, {"text": "Husk borgerens egne ønsker i den nye model.", "anonymous": "named"}),
        user_id=user,
        private_metadata=view["private_metadata"],
        view_id=view_id,
        blocks=view["blocks"],
    )
    ack, response = client.post(body, kind)
    submit.ack.append(ack)
    assert response.json().get("response_action") == "update", response.text


def open_requests(db: Database, count: int) -> list[tuple[int, str]]:
    """`count` open input requests, one per colleague where there are enough: (id, user id)."""
    with db.transaction() as session:
        rows = session.execute(
            select(InputRequest.id, Person.user_id)
            .join(Member, InputRequest.member_id == Member.id)
            .join(Person, Member.person_id == Person.id)
            .where(InputRequest.status.in_(("pending", "delivered")))
            .order_by(InputRequest.id)
        ).all()
    chosen, seen = [], set()
    for request_id, user_id in rows:
        if user_id not in seen:
            chosen.append((request_id, user_id))
            seen.add(user_id)
    chosen += [row for row in rows if row not in chosen]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} open requests; ask for fewer or a bigger process")
    return [(r, u) for r, u in chosen[:count]]


def post_dms(db: Database, slack: FakeSlack, requests: list[tuple[int, str]]) -> None:
    """Puts the asking DMs of these requests in the fake, so that marking them answered
    (chat.update, by the worker) finds them as it would in Slack."""
    with db.transaction() as session:
        for request_id, user_id in requests:
            posted = slack.handle("chat.postMessage", {"channel": user_id, "text": "Giv input"})
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.request_id == request_id, OutboxMessage.key.like("ask:%"))
                .values(platform_ref=f"{posted['channel']}:{posted['ts']}")
            )


@contextmanager
def running_app(size: Size, app_process: bool) -> Iterator[tuple[Client, Database, FakeSlack]]:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(page_size=200) as slack:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        deps = Deps(db=db, language="da", timezone="Europe/Copenhagen")
        build_process(deps, size, channel=CHANNEL)
        people = [member_ref(i) for i in range(size.members)]
        for ref in people:
            slack.add_user(ref.user_id, ref.user_id.lower(), real_name=ref.name)
        slack.add_channel(CHANNEL, members=[*(p.user_id for p in people), slack.bot_user_id])
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SAMSKAB_LANGUAGE": "da",
            "SAMSKAB_TIMEZONE": "Europe/Copenhagen",
            "SAMSKAB_SCHEDULER": "true",
        }
        server = (
            serve_in_process(env)
            if app_process
            else serve(build_app(Settings.model_validate(env), deps))
        )
        with server as base_url:
            client = Client(slack, base_url)
            yield client, db, slack
            client.http.close()  # so that uvicorn need not wait for the keep-alive to lapse
        db.dispose()


def run(args: argparse.Namespace) -> dict[str, Series]:
    size = Size(args.members, args.workshops, args.inputs)
    kinds = ("status", "workshop", "button", "submit", "burst status", "burst click")
    results = {name: Series() for name in kinds}
    with running_app(size, args.app_process) as (client, db, slack):
        facilitator = member_ref(0).user_id
        members = [member_ref(i).user_id for i in range(1, size.members)]
        requests = open_requests(db, WARMUP + args.requests)
        post_dms(db, slack, requests)
        first_row = _last_row(db) + 1
        for i in range(WARMUP + args.requests):
            series = results["status"] if i >= WARMUP else Series()
            slash_command(client, members[i % len(members)], "status", series)
        for i in range(WARMUP + args.requests):
            series = results["workshop"] if i >= WARMUP else Series()
            slash_command(client, facilitator, "workshop", series)
        for i, (request_id, user_id) in enumerate(requests):
            button, submit = (
                (results["button"], results["submit"]) if i >= WARMUP else (Series(), Series())
            )
            answer_request(client, user_id, request_id, f"D{user_id[1:]}", button, submit)
        if args.burst:
            burst_requests = open_requests(db, args.burst)
            for name, measured in (
                ("burst status", status_burst(client.url, SECRET, slack, args.burst)),
                ("burst click", click_burst(client.url, SECRET, slack, db, burst_requests)),
            ):
                results[name].ack += measured.acks
                results[name].then.append(measured.done)
                print(f"{name}: {measured.failed} of {len(measured.acks)} not answered 200")
        print(f"calls the app made to the fake: {json.dumps(_method_counts(slack))}")
        print(f"outbox rows written while measuring: {json.dumps(_outbox(db, first_row))}")
        print("(the input posts go to the process's channel, paced at one a second)\n")
        # Before the app stops: stopping may take a while, and the numbers are in.
        report(results, args.app_process)
    return results


def _last_row(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.max(OutboxMessage.id))) or 0


def _outbox(db: Database, first_row: int) -> dict[str, int]:
    """The rows written since `first_row`, by status. The worker is still sending the thread
    posts when the benchmark ends: they go to one channel, paced at one a second."""
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.id >= first_row)
            .group_by(OutboxMessage.status)
        ).all()
    return {status: count for status, count in rows}


def _method_counts(slack: FakeSlack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in slack.calls:
        counts[call.method] = counts.get(call.method, 0) + 1
    return counts


def report(results: dict[str, Series], app_process: bool) -> None:
    rows = [
        ("/samskab status", results["status"].ack, "ack", "ephemeral answer posted"),
        ("/samskab status", results["status"].then, "then", ""),
        ("/samskab workshop", results["workshop"].ack, "ack", "views.open reached Slack"),
        ("/samskab workshop", results["workshop"].then, "then", ""),
        ('"Give input" button', results["button"].ack, "ack", "views.open reached Slack"),
        ('"Give input" button', results["button"].then, "then", ""),
        ("input form submission", results["submit"].ack, "ack", "(the use case runs first)"),
        ("burst: status", results["burst status"].ack, "ack", "all sent at once"),
        ("burst: status", results["burst status"].then, "done", "every answer posted"),
        ('burst: "No input" click', results["burst click"].ack, "ack", "all sent at once"),
        ('burst: "No input" click', results["burst click"].then, "done", "the inbox empty again"),
    ]
    print(f"{'request':<22} {'':<5} {'n':>4} {'median':>9} {'p99':>9} {'max':>9}  note")
    for name, values, what, note in rows:
        if not values:
            continue
        ms = [v * 1000 for v in values]
        print(
            f"{name:<22} {what:<5} {len(ms):>4} {statistics.median(ms):>6.1f} ms "
            f"{percentile(ms, 99):>6.1f} ms {max(ms):>6.1f} ms  {note}"
        )
    print("\nack: HTTP round trip of the signed request (Slack's 3 s window); then: from sending "
          "the request until what follows it reached the fake Slack; done: from the start of a "
          "burst until its work was done.")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    if app_process:
        print("the app ran as `samskab serve` in a process of its own")
    else:
        print(f"peak memory (RSS) of the process, app and fake together: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="of each kind (200)")
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--workshops", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--burst", type=int, default=0, help="requests sent at once (0: none)")
    parser.add_argument(
        "--app-process",
        action="store_true",
        help="run the app as `samskab serve` in a process of its own (default: in this one)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    run(args)


if __name__ == "__main__":
    main()
