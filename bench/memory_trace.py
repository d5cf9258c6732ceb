"""What holds the memory: tracemalloc snapshots of the app (in this process, as bench.ack_latency
runs it) idle, after a warm-up of mixed requests (bench.memory's mix), and after a burst more,
and the allocations that grew most between them, by line. Growth after the warm-up is what
traffic keeps; growth during it is what the first requests load (imports, caches filled once).

    .venv/bin/python -m bench.memory_trace [--warmup 500] [--burst 1500] [--top 25]
"""

from __future__ import annotations

import argparse
import gc
import logging
import tracemalloc

from bench.ack_latency import running_app
from bench.memory import mixed_requests
from bench.process_data import Size

# The benchmark's own side (client, fake Slack, this module) is left out of the diff.
NOT_OURS = ("*/tests/*", "*/bench/*", "*/tracemalloc.py", "<frozen importlib._bootstrap*>")


def snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, pattern) for pattern in NOT_OURS]
    )


def show(title: str, before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int) -> None:
    frames = tracemalloc.get_traceback_limit()
    diff = after.compare_to(before, "traceback" if frames > 1 else "lineno")
    total = sum(stat.size_diff for stat in diff) / 1024 / 1024
    print(f"\n{title}: {total:+.1f} MB traced")
    for stat in diff[:top]:
        where = "\n    ".join(stat.traceback.format()) if frames > 1 else stat.traceback
        print(f"{stat.size_diff / 1024:>+9.0f} KiB {stat.count_diff:>+7} blocks  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--burst", type=int, default=1500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=1, help="> 1: grouped by traceback")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    tracemalloc.start(args.frames)
    size = Size()
    with running_app(size, app_process=False) as (client, db, _slack):
        send = mixed_requests(client, db, size, clicks=(args.warmup + args.burst) // 5)
        idle = snapshot()
        for i in range(args.warmup):
            send(i)
        warm = snapshot()
        for i in range(args.warmup, args.warmup + args.burst):
            send(i)
        burst = snapshot()
        show(f"idle -> after {args.warmup} requests", idle, warm, args.top)
        end = args.warmup + args.burst
        show(f"after {args.warmup} -> after {end} requests", warm, burst, args.top)


if __name__ == "__main__":
    main()
