"""The status digest: how long `compose_status` takes and how many SQL queries it makes, for a
large process and for one a tenth of its size (the process: bench/process_data.py).

Each run opens a transaction, loads the process, finds the last digest and composes the digest,
as `handlers.status.digest.post_digest` does before it writes to the outbox; queries are counted with a
`before_cursor_execute` listener on the engine.

    .venv/bin/python -m bench.digest [--members 300] [--workshops 100] [--inputs 5000] [--runs 50]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.process_data import Size, build_process, counts
from bot.slack.blocks import render_message
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.status.overview import compose_status, last_digest_at
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Process,
)


@dataclass
class Timing:
    times_ms: list[float]
    queries: list[int]
    render_ms: list[float]

    def median(self) -> float:
        return statistics.median(self.times_ms)

    def p95(self) -> float:
        return percentile(self.times_ms, 95)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def measure(db: Database, process_id: int, runs: int, warmup: int = 3) -> Timing:
    """Composes the digest `warmup + runs` times, each in a transaction of its own."""
    executed = [0]

    def count(*_: Any) -> None:
        executed[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    timing = Timing([], [], [])
    try:
        for run in range(warmup + runs):
            executed[0] = 0
            start = time.perf_counter()
            with db.transaction() as session:
                process = session.get(Process, process_id)
                assert process is not None
                now = datetime.now(UTC)
                since = last_digest_at(session, process)
                tr = Translator(process.language, process.timezone)
                message = compose_status(session, process, tr, now=now, since=since)
            elapsed = time.perf_counter() - start
            queries = executed[0]
            start = time.perf_counter()
            render_message(message)
            rendered = time.perf_counter() - start
            if run >= warmup:
                timing.times_ms.append(elapsed * 1000)
                timing.queries.append(queries)
                timing.render_ms.append(rendered * 1000)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return timing


def bench(size: Size, runs: int) -> tuple[dict[str, int], Timing, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        start = time.perf_counter()
        process_id = build_process(Deps(db=db), size)
        built = time.perf_counter() - start
        rows = counts(db)
        timing = measure(db, process_id, runs)
        db.dispose()
        return rows, timing, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--workshops", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    full = Size(args.members, args.workshops, args.inputs)
    header = (
        f"{'size':<6} {'members':>7} {'workshops':>9} {'summaries':>9} {'items':>6} "
        f"{'requests':>8} {'inputs':>6} {'outbox':>6} | {'median':>9} {'p95':>9} {'max':>9} "
        f"{'queries':>7} | {'render':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, size in (("full", full), ("1/10", full.tenth())):
        rows, t, _built = bench(size, args.runs)
        queries = sorted(set(t.queries))
        print(
            f"{label:<6} {rows['members']:>7} {rows['workshops']:>9} {rows['summaries']:>9} "
            f"{rows['summary_items']:>6} {rows['input_requests']:>8} {rows['inputs']:>6} "
            f"{rows['outbox']:>6} | {t.median():>6.2f} ms {t.p95():>6.2f} ms "
            f"{max(t.times_ms):>6.2f} ms {'/'.join(map(str, queries)):>7} | "
            f"{statistics.median(t.render_ms):>5.2f} ms"
        )
    print(f"\n{args.runs} runs each after 3 warm-up runs; target: median and p95 under 100 ms, "
          "and the same number of queries at both sizes.")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    print(f"peak memory (RSS) of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
