"""What stays allocated after each stage of the front door's work at N members: `samskab serve`
run under tracemalloc (bench/traced_serve.py) and driven as bench/front_door.py drives it, with a
snapshot after each stage, once its work after the ack is done (the roster in the database, the
outbox empty) and a moment more. Between snapshots: the allocations that grew most, grouped by
traceback (`--frames`, 10), the live objects that grew most by type (gc), and VmRSS against
glibc's arenas (mallinfo2), which tell Python's heap from SQLite's and the allocator's.

    .venv/bin/python -m bench.stage_trace [--members 1000] [--top 15] [--frames 10]
                                          [--fanout]

Stages: idle; the roster read (setup submitted, N people named); 30 status and 30 help and ten
workshop modals; three workshops submitted inviting everyone (their announcements sent); ten
summary modals listing N invitees; with `--fanout`, the summary submitted with only the
facilitator present and its N-1 DMs delivered. tracemalloc slows the app several times over and
adds its own memory: read the differences, not the levels.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.ack_latency import SECRET
from bench.front_door import (
    FULL,
    NAMED_MEMBERS,
    TZ,
    UNSENT,
    Door,
    SizeResult,
    _has_dm,
    count,
    wait,
    workspace,
)
from bench.memory import server_process
from bench.process_data import member_ref
from storage.db import Database
from storage.migrate import upgrade

SETTLE = 3.0  # seconds after a stage's work is seen done, for what follows it (logs, commits)
ROOT = Path(__file__).resolve().parent.parent


class Tracer:
    def __init__(self, pid: int, folder: Path) -> None:
        self.pid, self.folder, self.names = pid, folder, []  # type: list[str]

    def snap(self, name: str) -> None:
        time.sleep(SETTLE)
        n = len(self.names)
        os.kill(self.pid, signal.SIGUSR1)
        wait(lambda: (self.folder / f"{n}.snapshot").exists(), timeout=300, poll=0.2)
        self.names.append(name)
        facts = json.loads((self.folder / f"{n}.json").read_text())
        print(
            f"  {name}: VmRSS {facts['status']['VmRSS']:.1f} MB, traced "
            f"{facts['traced_mb']:.1f} MB, malloc in use {facts['mallinfo'].get('uordblks', 0):.1f}"
            f" / free kept {facts['mallinfo'].get('fordblks', 0):.1f} MB, SQLite "
            f"{facts['sqlite'].get('used', 0):.1f} MB (at most {facts['sqlite'].get('highwater', 0):.1f})"
            f", pymalloc arenas {facts['pymalloc'].get('arenas', 0):.1f} MB"
            f" (live {facts['pymalloc'].get('live', 0):.1f})"
            + (
                f", after malloc_trim {facts['rss_after_trim']:.1f} MB"
                if "rss_after_trim" in facts
                else ""
            ),
            flush=True,
        )


def drive(door: Door, db: Database, tracer: Tracer, members: int, fanout: bool) -> None:
    plan, result = FULL, SizeResult(members)
    facilitator = member_ref(0).user_id
    others = [member_ref(i).user_id for i in range(1, members)]
    tracer.snap("idle")

    view = door.modal(facilitator, "opsætning", result, "setup modal")
    door.submit(facilitator, view, {"name": f"Forløb med {members} kolleger", "step": "3"})
    wait(lambda: count(db, NAMED_MEMBERS) >= members, timeout=600)
    tracer.snap("roster read")

    for kind in ("status", "help"):
        for i in range(plan.series):
            door.command(others[i % len(others)], kind)
    for _ in range(plan.modals):
        door.modal(facilitator, "workshop", result, "workshop modal")
    tracer.snap("status, help, workshop modals")

    began = datetime.now(TZ) - timedelta(hours=1)
    for k in range(plan.workshops):
        view = door.modal(facilitator, "workshop", result, "workshop modal")
        when = (began - timedelta(minutes=k)).strftime("%Y-%m-%dT%H:%M")
        door.submit(facilitator, view, {"title": f"Workshop {k + 1}", "starts_at": when})
    wait(lambda: count(db, UNSENT) == 0, timeout=600)
    tracer.snap("three workshops inviting everyone")

    workshop = count(db, "SELECT max(id) FROM workshops")
    for _ in range(plan.modals):
        door.modal(facilitator, f"referat {workshop}", result, "summary modal")
    wait(lambda: count(db, UNSENT) == 0, timeout=600)
    tracer.snap("ten summary modals")

    if fanout:
        view = door.modal(facilitator, f"referat {workshop}", result, "summary modal")
        answers = {
            "attendees": [facilitator],
            "text": "Vi tegnede et første udkast til en fælles visitationsmodel.",
            "decisions": "Fælles opstartsmøde afprøves i team Nord",
            "open_questions": "Hvem indkalder til mødet?",
        }
        door.submit(facilitator, view, answers)
        wait(lambda: all(_has_dm(door.slack, u) for u in others), timeout=1200, poll=1.0)
        wait(lambda: count(db, UNSENT) == 0, timeout=600)
        tracer.snap("summary submitted, its DMs delivered")


def report(folder: Path, names: list[str], top: int, frames: int) -> None:
    import tracemalloc

    snapshots = [
        tracemalloc.Snapshot.load(str(folder / f"{n}.snapshot")) for n in range(len(names))
    ]
    facts = [json.loads((folder / f"{n}.json").read_text()) for n in range(len(names))]
    for n in range(1, len(names)):
        before, after = snapshots[n - 1], snapshots[n]
        f0, f1 = facts[n - 1], facts[n]
        rss = f1["status"]["VmRSS"] - f0["status"]["VmRSS"]
        anon = f1["status"]["RssAnon"] - f0["status"]["RssAnon"]
        m0, m1 = f0["mallinfo"], f1["mallinfo"]
        diff = after.compare_to(before, "traceback" if frames > 1 else "lineno")
        traced = sum(stat.size_diff for stat in diff) / 2**20
        print(f"\n=== {names[n - 1]} -> {names[n]}")
        print(
            f"VmRSS {rss:+.1f} MB (anon {anon:+.1f}); traced (Python heap) {traced:+.1f} MB; "
            f"malloc in use {m1['uordblks'] - m0['uordblks']:+.1f} MB, free but kept "
            f"{m1['fordblks'] - m0['fordblks']:+.1f} MB, arena {m1['arena'] - m0['arena']:+.1f},"
            f" mmap'd {m1['hblkhd'] - m0['hblkhd']:+.1f}; threads {f0['threads']} -> "
            f"{f1['threads']}; SQLite {f1['sqlite']['used'] - f0['sqlite']['used']:+.1f} MB; "
            f"pymalloc arenas {f1['pymalloc']['arenas'] - f0['pymalloc']['arenas']:+.1f} MB, "
            f"live in them {f1['pymalloc']['live'] - f0['pymalloc']['live']:+.1f} MB"
        )
        imports = sum(stat.size_diff for stat in diff if _imported(stat))
        print(f"of the traced, in imports: {imports / 2**20:+.1f} MB")
        by_file = after.compare_to(before, "filename")
        print("by file:")
        for stat in by_file[:top]:
            print(
                f"  {stat.size_diff / 1024:>+9.0f} KiB {stat.count_diff:>+8} blocks  {stat.traceback}"
            )
        print("by traceback:")
        for stat in [s for s in diff if not _imported(s)][:top]:
            lines = stat.traceback.format(most_recent_first=True)
            where = "\n      ".join(line for line in lines if line.strip().startswith("File"))
            print(
                f"  {stat.size_diff / 1024:>+9.0f} KiB {stat.count_diff:>+8} blocks\n      {where}"
            )
        grew = _grew(f0["gc_objects"], f1["gc_objects"])
        print("live objects (gc) that grew most:")
        for name, delta in grew[:top]:
            print(f"  {delta:>+8} {name}")


def _imported(stat: Any) -> bool:
    return any("importlib" in frame.filename for frame in stat.traceback)


def _grew(before: dict[str, int], after: dict[str, int]) -> list[tuple[str, int]]:
    names = set(before) | set(after)
    deltas = [(name, after.get(name, 0) - before.get(name, 0)) for name in names]
    return sorted((d for d in deltas if d[1]), key=lambda d: -abs(d[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--fanout", action="store_true", help="also the summary's fan-out")
    parser.add_argument(
        "--trim", action="store_true", help="malloc_trim(0) after each snapshot, RSS after it"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the snapshots here")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp, workspace(args.members) as slack:
        folder = args.keep or Path(tmp) / "trace"
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        env: dict[str, Any] = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SAMSKAB_LANGUAGE": "da",
            "SAMSKAB_TIMEZONE": "Europe/Copenhagen",
            "SAMSKAB_SCHEDULER": "on",
            "BENCH_TRACE_DIR": str(folder),
            "BENCH_TRACE_FRAMES": str(args.frames),
            "PYTHONPATH": str(ROOT),
        }
        if args.trim:
            env["BENCH_TRACE_TRIM"] = "1"
        try:
            with server_process(["-m", "bench.traced_serve", "serve"], env, Path(tmp)) as (
                pid,
                base,
            ):
                door = Door(slack, base)
                tracer = Tracer(pid, folder)
                drive(door, db, tracer, args.members, args.fanout)
                door.http.close()
        except Exception:
            for log in Path(tmp).glob("server-*.log"):
                print(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-40:]))
            raise
        finally:
            db.dispose()
        print(f"load average at the end: {os.getloadavg()}")
        for log in Path(tmp).glob("server-*.log"):
            errors = [
                line for line in log.read_text().splitlines() if "ERROR" in line or "Error" in line
            ]
            print(
                f"server log: {len(errors)} error lines"
                + "".join(f"\n  {e[:200]}" for e in errors[:10])
            )
        report(folder, tracer.names, args.top, args.frames)


if __name__ == "__main__":
    main()
