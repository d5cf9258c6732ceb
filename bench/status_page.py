"""The status page: how long `status_page_html` takes (gathering the page's content in one
transaction and rendering the HTML with Jinja2) and how many SQL statements it makes, for a large
process and for one a tenth of its size (the process: bench/process_data.py).

Each run is one call of `bot.web.page.status_page_html`, as the page's route makes it;
statements are counted with a `before_cursor_execute` listener on the engine, and the time of
the rendering alone is measured apart from the same content.

    .venv/bin/python -m bench.status_page [--members 300] [--workshops 100] [--inputs 5000] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.digest import Timing
from bench.process_data import Size, build_process, counts
from bot.web.page import render_page, status_page_html
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.status.page_content import gather_page
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Process


def measure(deps: Deps, process_id: int, runs: int, warmup: int = 3) -> Timing:
    """The page `warmup + runs` times; `render_ms` is the Jinja2 rendering of the same content
    alone."""
    executed = [0]

    def count(*_: Any) -> None:
        executed[0] += 1

    event.listen(deps.db.engine, "before_cursor_execute", count)
    timing = Timing([], [], [])
    try:
        for run in range(warmup + runs):
            executed[0] = 0
            start = time.perf_counter()
            html = status_page_html(deps, process_id)
            elapsed = time.perf_counter() - start
            assert "<h1>" in html
            if run >= warmup:
                timing.times_ms.append(elapsed * 1000)
                timing.queries.append(executed[0])
        with deps.db.transaction() as session:
            process = session.get(Process, process_id)
            assert process is not None
            page = gather_page(session, process, datetime.now(UTC))
        tr = Translator(page.language, page.timezone)
        for _ in range(runs):
            start = time.perf_counter()
            render_page(page, tr)
            timing.render_ms.append((time.perf_counter() - start) * 1000)
    finally:
        event.remove(deps.db.engine, "before_cursor_execute", count)
    return timing


def bench(size: Size, runs: int) -> tuple[dict[str, int], Timing, int]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'samskab.db'}"
        upgrade(url)
        db = Database(url)
        deps = Deps(db=db)
        process_id = build_process(deps, size)
        rows = counts(db)
        timing = measure(deps, process_id, runs)
        size_bytes = len(status_page_html(deps, process_id).encode())
        db.dispose()
        return rows, timing, size_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--workshops", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    full = Size(args.members, args.workshops, args.inputs)
    header = (
        f"{'size':<6} {'members':>7} {'workshops':>9} {'requests':>8} {'inputs':>6} | "
        f"{'median':>9} {'p95':>9} {'max':>9} {'queries':>7} | {'render':>8} {'page':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, size in (("1/10", full.tenth()), ("full", full)):
        rows, t, size_bytes = bench(size, args.runs)
        queries = sorted(set(t.queries))
        print(
            f"{label:<6} {rows['members']:>7} {rows['workshops']:>9} "
            f"{rows['input_requests']:>8} {rows['inputs']:>6} | "
            f"{t.median():>6.2f} ms {t.p95():>6.2f} ms {max(t.times_ms):>6.2f} ms "
            f"{'/'.join(map(str, queries)):>7} | "
            f"{statistics.median(t.render_ms):>5.2f} ms {size_bytes / 1024:>4.0f} KB"
        )
    print(f"\n{args.runs} runs each after 3 warm-up runs; target: median and p95 under 100 ms, "
          "and the same number of queries at both sizes.")  # fmt: skip


if __name__ == "__main__":
    main()
