"""Through the front door: `samskab serve` in a process of its own, driven over HTTP as a Slack
workspace of N members would drive it, against a FakeSlack that answers each Web API call after
100 ms and enforces Slack's rate limits; and, in the same run, the minimal slack-bolt app
(bench/floor_app.py) as the floor.

For each size: setup in a channel of N members (the setup modal, submitted), the seconds until
all N are members with names (polling the SQLite file); the acks of `/samskab status` and `help`,
of opening the workshop modal and submitting it (everyone invited), of opening the summary modal
(and the seconds until views.open reached Slack) and of submitting it with only the facilitator
present, which fans out N-1 input-request DMs. During the fan-out, a burst of status commands and
"No input from me" clicks is sent at once. Then: the seconds until every DM is in the fake against
the least time the rate limits allow (and the least time counting also the 1-s pauses Slack
demanded with its 429s and the clicks' DM updates, which share the pace), the app's CPU seconds (/proc/<pid>/stat) per delivered
message, its RSS idle, sampled every 100 ms during the fan-out, and its high-water mark.

    .venv/bin/python -m bench.front_door [--sizes 30,400,1000] [--quick] [--json PATH]
                                         [--faults 3] [--burst 50]

`--faults` is how many 503s, and as many 429s, the fake answers DMs of the fan-out (0: none);
`--burst` how many status commands (and at most as many clicks) go at once (0: none).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import bindparam, text

from bench.ack_burst import burst
from bench.ack_latency import SECRET, Watch
from bench.digest import percentile
from bench.memory import rss_mb, server_process
from bench.process_data import CHANNEL, member_ref
from storage.db import Database
from storage.migrate import upgrade
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import fill

DELAY = 0.1  # seconds the fake takes to answer every Web API call (and a response_url)
DELAYED = (
    *("auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "chat.getPermalink"),
    *("conversations.open", "conversations.members", "conversations.history"),
    *("conversations.replies", "users.list", "users.info", "response_url"),
    *("views.open", "views.update", "views.push", "views.publish"),
)
POST_RATE, POST_BURST = 20.0, 20.0  # chat.postMessage, workspace-wide (Slack does not publish it)
# Slack's tiers, calls a minute; a bucket holds ten seconds' worth (Slack allows "bursts").
TIERS = {"users.list": 20, "conversations.members": 100, "users.info": 100}
OPENS_PER_MINUTE = 50  # conversations.open, Tier 3: the bot should make none for first DMs
TZ = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Plan:
    series: int  # sequential status and help commands
    modals: int  # workshop and summary modals opened
    workshops: int  # workshop modals submitted, everyone invited
    burst: int  # status commands (and at most as many clicks) sent at once during the fan-out
    faults: int = 3  # 503s, and as many 429s (Retry-After 1), on DMs spread over the fan-out


FULL, QUICK = Plan(30, 10, 3, 50), Plan(5, 3, 1, 10)


@dataclass
class SizeResult:
    members: int
    roster_seconds: float = float("nan")
    acks: dict[str, list[float]] = field(default_factory=dict)  # seconds, by request kind
    opened: dict[str, list[float]] = field(default_factory=dict)  # until views.open, by modal
    refused: int = 0  # requests not answered 200 (bolt answers 404 past 3 s)
    burst_at: float = float("nan")  # seconds after the summary's submission
    burst_during_fanout: bool = False
    dms: int = 0
    delivered: int = 0
    duplicated: int = 0
    fanout_seconds: float = float("nan")
    minimum_seconds: float = float("nan")
    # ... counting as well the Retry-After pauses Slack demanded (the injected 429s and its
    # buckets', 1 s each) and the DM updates of the burst's clicks, which share the pace
    paced_minimum_seconds: float = float("nan")
    posts_429: int = 0  # chat.postMessage answered 429 by the fake's buckets
    opens: int = 0  # conversations.open calls during the fan-out
    cpu_ms_per_message: float = float("nan")
    rss_idle: float = 0.0
    rss_peak_fanout: float = 0.0
    rss_hwm: float = 0.0


@dataclass
class FloorResult:
    acks: dict[str, list[float]] = field(default_factory=dict)
    refused: int = 0
    rss_idle: float = 0.0
    rss_end: float = 0.0
    rss_hwm: float = 0.0


# --- the fake and the app's process ------------------------------------------------------------


@contextmanager
def workspace(members: int) -> Iterator[FakeSlack]:
    """A FakeSlack with `members` people in CHANNEL, Slack's latency and rate limits."""
    with FakeSlack(page_size=1000) as slack:
        for i in range(members):
            ref = member_ref(i)
            slack.add_user(ref.user_id, ref.user_id.lower(), real_name=ref.name)
        people = [member_ref(i).user_id for i in range(members)]
        slack.add_channel(CHANNEL, members=[*people, slack.bot_user_id])
        slack.delays.update(dict.fromkeys(DELAYED, DELAY))
        slack.rate_limit(
            per_channel_per_second=1,
            per_channel_burst=3,
            workspace_per_second=POST_RATE,
            workspace_burst=POST_BURST,
        )
        for method, per_minute in TIERS.items():
            slack.rate_limit(
                method, workspace_per_second=per_minute / 60, workspace_burst=per_minute / 6
            )
        opens = OPENS_PER_MINUTE
        slack.rate_limit("conversations.open", workspace_per_second=opens / 60, workspace_burst=1)
        yield slack


def cpu_seconds(pid: int) -> float:
    """User and system CPU of the process, all its threads (Linux: /proc/<pid>/stat)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """VmRSS of the process every 100 ms from a thread of its own; the largest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid)[0])
            self._stop.wait(0.1)


# --- requests, as Slack sends them ---------------------------------------------------------------


class Door:
    """Signed requests over one keep-alive connection; each ack timed and counted."""

    def __init__(self, slack: FakeSlack, base_url: str) -> None:
        self.slack, self.url = slack, base_url + "/slack/events"
        self.http = httpx.Client(timeout=30)
        self.names = 0
        self.refused = 0

    def post(self, body: str, kind: str) -> tuple[float, httpx.Response]:
        headers = payloads.signed_headers(body, kind, SECRET)
        start = time.perf_counter()
        response = self.http.post(self.url, content=body.encode(), headers=headers)
        elapsed = time.perf_counter() - start
        self.refused += response.status_code != 200
        return elapsed, response

    def command(self, user: str, words: str) -> tuple[float, float, dict[str, Any] | None]:
        """`/samskab words`: the ack, the seconds until what follows reached Slack (the answer
        at the response_url, or views.open), and the modal opened if one was."""
        self.names += 1
        name, opened = f"r{self.names}", len(self.slack.views)
        body, kind = payloads.slash_command(
            words, user_id=user, channel_id=CHANNEL, response_url=self.slack.response_url(name)
        )
        slack = self.slack
        with Watch(lambda: bool(slack.responses[name]) or len(slack.views) > opened) as watch:
            start = time.perf_counter()
            ack, _ = self.post(body, kind)
        try:
            then = watch.since(start)
        except TimeoutError:
            then = float("nan")
        views = list(slack.views.values())
        return ack, then, views[opened] if len(views) > opened else None

    def modal(self, user: str, words: str, result: SizeResult, label: str) -> dict[str, Any]:
        ack, then, view = self.command(user, words)
        result.acks.setdefault(label, []).append(ack)
        result.opened.setdefault(label, []).append(then)
        if view is None:
            raise RuntimeError(f"/samskab {words} opened no modal: {self.slack.responses}")
        return view

    def submit(self, user: str, view: dict[str, Any], answers: dict[str, Any]) -> float:
        body, kind = payloads.view_submission(
            view["callback_id"],
            fill(view, answers),
            user_id=user,
            private_metadata=view["private_metadata"],
            view_id=view["id"],
            blocks=view["blocks"],
        )
        ack, response = self.post(body, kind)
        answer = response.json() if response.status_code == 200 and response.content else {}
        if answer.get("response_action") == "errors":
            raise RuntimeError(f"{view['callback_id']} refused: {answer['errors']}")
        return ack


# --- reading the app's database (WAL: reads do not block it) ------------------------------------


def count(db: Database, sql: str, **params: Any) -> int:
    with db.transaction() as session:
        return int(session.execute(text(sql), params).scalar() or 0)


NAMED_MEMBERS = (
    "SELECT count(*) FROM members m JOIN people p ON p.id = m.person_id "
    "WHERE m.active AND p.name != ''"
)
UNSENT = "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"


def requests_of(db: Database, users: list[str]) -> list[tuple[int, str]]:
    with db.transaction() as session:
        rows = session.execute(
            text(
                "SELECT r.id, p.user_id FROM input_requests r JOIN members m ON m.id = r.member_id "
                "JOIN people p ON p.id = m.person_id WHERE p.user_id IN :users"
            ).bindparams(bindparam("users", expanding=True)),
            {"users": users},
        ).all()
    return [(int(request_id), str(user)) for request_id, user in rows]


def wait(condition: Callable[[], bool], timeout: float, poll: float = 0.05) -> float:
    """Seconds until `condition()` held."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("gave up waiting")
        time.sleep(poll)
    return time.perf_counter() - start


# --- one size ------------------------------------------------------------------------------------


def run_size(members: int, plan: Plan) -> SizeResult:
    result = SizeResult(members)
    with tempfile.TemporaryDirectory() as tmp, workspace(members) as slack:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SAMSKAB_LANGUAGE": "da",
            "SAMSKAB_TIMEZONE": "Europe/Copenhagen",
            "SAMSKAB_SCHEDULER": "on",
        }
        try:
            with server_process(["-m", "bot", "serve"], env, Path(tmp)) as (pid, base):
                door = Door(slack, base)
                time.sleep(1.0)
                result.rss_idle = rss_mb(pid)[0]
                drive(door, db, pid, plan, result)
                result.rss_hwm = rss_mb(pid)[1]
                result.refused += door.refused  # the burst's are counted already
                door.http.close()
            # A run that delivered nothing says why only here: the log goes with the folder.
            for log in Path(tmp).glob("server-*.log"):
                errors = [
                    line
                    for line in log.read_text().splitlines()
                    if "ERROR" in line or "Error" in line
                ]
                print(
                    f"  server log: {len(errors)} error lines"
                    + "".join(f"\n    {e[:300]}" for e in errors[:10])
                )
        except Exception:
            for log in Path(tmp).glob("server-*.log"):
                print(
                    f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-40:])
                )
            raise
        finally:
            db.dispose()
    return result


def drive(door: Door, db: Database, pid: int, plan: Plan, result: SizeResult) -> None:
    n = result.members
    facilitator = member_ref(0).user_id
    others = [member_ref(i).user_id for i in range(1, n)]

    view = door.modal(facilitator, "opsætning", result, "setup modal")
    start = time.perf_counter()
    door.submit(facilitator, view, {"name": f"Forløb med {n} kolleger", "step": "3"})
    wait(lambda: count(db, NAMED_MEMBERS) >= n, timeout=180)
    result.roster_seconds = time.perf_counter() - start

    for kind in ("status", "help"):
        for i in range(plan.series):
            ack, then, _ = door.command(others[i % len(others)], kind)
            result.acks.setdefault(f"/samskab {kind}", []).append(ack)
            result.opened.setdefault(f"/samskab {kind}", []).append(then)
    for _ in range(plan.modals):
        door.modal(facilitator, "workshop", result, "workshop modal")
    began = datetime.now(TZ) - timedelta(hours=1)  # just held: its summary may be written now
    for k in range(plan.workshops):
        view = door.modal(facilitator, "workshop", result, "workshop modal")
        when = (began - timedelta(minutes=k)).strftime("%Y-%m-%dT%H:%M")
        ack = door.submit(facilitator, view, {"title": f"Workshop {k + 1}", "starts_at": when})
        result.acks.setdefault("workshop submitted", []).append(ack)
    workshop = count(db, "SELECT max(id) FROM workshops")
    for _ in range(plan.modals):
        door.modal(facilitator, f"referat {workshop}", result, "summary modal")
    wait(lambda: count(db, UNSENT) == 0, timeout=120)  # the announcements are out

    fan_out(door, db, pid, plan, result, workshop)


def fan_out(
    door: Door, db: Database, pid: int, plan: Plan, result: SizeResult, workshop: int
) -> None:
    """The summary submitted with only the facilitator present; a burst of requests while its
    DMs go out; every DM awaited."""
    slack, n = door.slack, result.members
    facilitator = member_ref(0).user_id
    others = [member_ref(i).user_id for i in range(1, n)]
    spots = 2 * plan.faults + 1
    unlucky = sorted({others[(len(others) * k) // spots] for k in range(1, spots)})
    outage, limited = unlucky[::2], unlucky[1::2]
    if unlucky:
        slack.fail("chat.postMessage", status=503, times=len(outage), when=_to(outage))
        slack.fail("chat.postMessage", retry_after=1, times=len(limited), when=_to(limited))

    view = door.modal(facilitator, f"referat {workshop}", result, "summary modal")
    answers = {
        "attendees": [facilitator],
        "text": "Vi tegnede et første udkast til en fælles visitationsmodel.",
        "decisions": "Fælles opstartsmøde afprøves i team Nord",
        "open_questions": "Hvem indkalder til mødet?",
    }
    posts0 = len(slack.calls_to("chat.postMessage"))
    opens0, limited0 = (
        len(slack.calls_to("conversations.open")),
        slack.rate_limited("chat.postMessage"),
    )
    waiting, done_at = set(others), 0.0
    updates0 = len(slack.calls_to("chat.update"))
    clicks = min(plan.burst, len(others) // 2)
    burst_thread: threading.Thread | None = None
    with RssSampler(pid) as sampler:
        cpu0, start = cpu_seconds(pid), time.perf_counter()
        result.acks["summary submitted"] = [door.submit(facilitator, view, answers)]
        deadline = start + 5 * (n / POST_RATE) + 120
        while waiting and time.perf_counter() < deadline:
            waiting = {u for u in waiting if not _has_dm(slack, u)}
            if plan.burst and burst_thread is None and len(others) - len(waiting) >= clicks:
                delivered = sorted(set(others) - waiting)[:clicks]
                result.burst_at = time.perf_counter() - start
                burst_thread = threading.Thread(
                    target=_burst, args=(door, db, delivered, plan.burst, result)
                )
                burst_thread.start()
            time.sleep(0.1)
        done_at = time.perf_counter()
        cpu = cpu_seconds(pid) - cpu0
        updates = len(slack.calls_to("chat.update")) - updates0
        if burst_thread is not None:
            burst_thread.join()
        result.rss_peak_fanout = sampler.peak
    result.dms, result.delivered = len(others), len(others) - len(waiting)
    result.fanout_seconds = done_at - start
    result.burst_during_fanout = result.burst_at < result.fanout_seconds
    messages = result.delivered + 1  # and the summary in the channel
    result.minimum_seconds = max(0.0, messages - POST_BURST) / POST_RATE
    result.cpu_ms_per_message = 1000 * cpu / messages
    result.posts_429 = slack.rate_limited("chat.postMessage") - limited0
    pauses = plan.faults + result.posts_429
    result.paced_minimum_seconds = max(0.0, messages + updates - POST_BURST) / POST_RATE + pauses
    result.opens = len(slack.calls_to("conversations.open")) - opens0
    result.duplicated = sum(max(0, len(slack.messages(slack.dm_channel_of(u))) - 1) for u in others)
    posts = len(slack.calls_to("chat.postMessage")) - posts0
    print(f"  {posts} chat.postMessage calls in the fan-out, {result.fanout_seconds:.1f} s")


def _to(users: list[str]) -> Callable[[dict[str, Any]], bool]:
    return lambda params: params.get("channel") in users


def _has_dm(slack: FakeSlack, user: str) -> bool:
    return bool(slack.messages(slack.dm_channel_of(user)))


def _burst(door: Door, db: Database, delivered: list[str], size: int, result: SizeResult) -> None:
    """Status commands from `size` colleagues and "No input from me" on the delivered DMs, all
    sent at once (a thread and connection each, released together)."""
    statuses = [member_ref(1 + i % (result.members - 1)).user_id for i in range(size)]
    bodies = [
        payloads.slash_command(
            "status", user_id=u, channel_id=CHANNEL, response_url=door.slack.response_url(f"b{i}")
        )
        for i, u in enumerate(statuses)
    ]
    bodies += [
        payloads.block_actions(
            "input.decline",
            str(request_id),
            user_id=user,
            channel_id=door.slack.dm_channel_of(user),
            message_ts="1700000000.000100",
            response_url=door.slack.response_url(f"c{request_id}"),
        )
        for request_id, user in requests_of(db, delivered)
    ]
    answers = burst(door.url, SECRET, bodies)
    result.acks["burst: status"] = [t for t, _ in answers[: len(statuses)]]
    result.acks["burst: click"] = [t for t, _ in answers[len(statuses) :]]
    result.refused += sum(1 for _, status in answers if status != 200)


# --- the floor -----------------------------------------------------------------------------------


def run_floor(plan: Plan) -> FloorResult:
    """bench/floor_app.py in its own process against a fake like the others: the same status
    series and burst, acked with nothing done."""
    result = FloorResult()
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory() as tmp, workspace(plan.burst + 1) as slack:
        env = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "PYTHONPATH": root}
        with server_process(["-m", "bench.floor_app"], env, Path(tmp)) as (pid, base):
            door = Door(slack, base)
            time.sleep(1.0)
            result.rss_idle = rss_mb(pid)[0]
            bodies = [
                payloads.slash_command(
                    "status", user_id=member_ref(1 + i).user_id, channel_id=CHANNEL
                )
                for i in range(max(1, plan.burst))
            ]
            for i in range(plan.series * 2):  # as many as status and help together
                ack, _ = door.post(*bodies[i % len(bodies)])
                result.acks.setdefault("/samskab status", []).append(ack)
            answers = burst(door.url, SECRET, bodies) if plan.burst else []
            result.acks["burst: status"] = [t for t, _ in answers]
            result.refused = door.refused + sum(1 for _, s in answers if s != 200)
            result.rss_end, result.rss_hwm = rss_mb(pid)
            door.http.close()
    return result


# --- the table -----------------------------------------------------------------------------------


def ms(values: list[float] | None) -> str:
    """p50 / p99 (nearest rank) in milliseconds; one value alone."""
    if not values:
        return "–"
    kept = [v * 1000 for v in values if v == v]  # nan: the follow-up never came
    if not kept:
        return "never"
    if len(kept) == 1:
        return f"{kept[0]:.0f}"
    return f"{statistics.median(kept):.0f} / {percentile(kept, 99):.0f}"


def report(sizes: list[SizeResult], floor: FloorResult | None) -> str:
    acks = [
        "| Members | Roster known | status | help | workshop modal | workshop submitted "
        "| summary modal | summary modal opened | summary submitted "
        "| in fan-out: status burst | click burst | not 200 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sizes:
        a = r.acks
        acks.append(
            f"| {r.members} | {r.roster_seconds:.1f} s | {ms(a.get('/samskab status'))} "
            f"| {ms(a.get('/samskab help'))} | {ms(a.get('workshop modal'))} "
            f"| {ms(a.get('workshop submitted'))} | {ms(a.get('summary modal'))} "
            f"| {ms(r.opened.get('summary modal'))} | {ms(a.get('summary submitted'))} "
            f"| {ms(a.get('burst: status'))} | {ms(a.get('burst: click'))}"
            f"{' (after)' if a.get('burst: click') and not r.burst_during_fanout else ''} "
            f"| {r.refused} |"
        )
    if floor is not None:
        acks.append(
            f"| floor | – | {ms(floor.acks.get('/samskab status'))} | – | – | – | – | – | – "
            f"| {ms(floor.acks.get('burst: status'))} (idle) | – | {floor.refused} |"
        )
    fan = [
        "| Members | DMs delivered | Fan-out | Minimum | Ratio | With pauses and updates "
        "| Ratio | 429s (buckets) | `conversations.open` | Dup. | CPU per message | RSS idle "
        "| RSS peak in fan-out | VmHWM |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sizes:
        ratio = r.fanout_seconds / r.minimum_seconds if r.minimum_seconds > 0 else float("nan")
        paced = r.paced_minimum_seconds
        paced_ratio = r.fanout_seconds / paced if paced > 0 else float("nan")
        fan.append(
            f"| {r.members} | {r.delivered} of {r.dms} | {r.fanout_seconds:.1f} s "
            f"| {r.minimum_seconds:.1f} s | {ratio:.2f}× | {paced:.1f} s | {paced_ratio:.2f}× "
            f"| {r.posts_429} | {r.opens} "
            f"| {r.duplicated} | {r.cpu_ms_per_message:.1f} ms | {r.rss_idle:.0f} MB "
            f"| {r.rss_peak_fanout:.0f} MB | {r.rss_hwm:.0f} MB |"
        )
    if floor is not None:
        fan.append(
            f"| floor | – | – | – | – | – | – | – | – | – | – | {floor.rss_idle:.0f} MB "
            f"| {floor.rss_end:.0f} MB (after its requests) | {floor.rss_hwm:.0f} MB |"
        )
    return "\n".join([*acks, "", *fan])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=None, help="members per run (30,400,1000)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 30 members, few requests"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument(
        "--faults", type=int, default=3, help="503s and as many 429s injected in the fan-out (3)"
    )
    parser.add_argument("--burst", type=int, default=None, help="requests at once (50; 0: none)")
    args = parser.parse_args()
    plan = replace(QUICK if args.quick else FULL, faults=args.faults)
    if args.burst is not None:
        plan = replace(plan, burst=args.burst)
    default = "30" if args.quick else "30,400,1000"
    sizes = [int(s) for s in (args.sizes or default).split(",")]
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()}")
    floor = run_floor(plan)
    results = []
    for members in sizes:
        print(f"{members} members …")
        results.append(run_size(members, plan))
    print(f"load average at the end: {os.getloadavg()}; {time.perf_counter() - started:.0f} s\n")
    print(report(results, floor))
    if args.json is not None:
        dump = {"plan": asdict(plan), "sizes": [asdict(r) for r in results], "floor": asdict(floor)}
        args.json.write_text(json.dumps(dump, indent=2))


if __name__ == "__main__":
    main()
