"""`samskab serve` under tracemalloc, for bench/stage_trace.py: the same command as
`python -m bot serve`, with a SIGUSR1 handler that starts tracemalloc the first time (frames:
BENCH_TRACE_FRAMES, 10; started at once, imports under it take minutes) and each time collects
garbage and writes, into BENCH_TRACE_DIR, a snapshot
(`<n>.snapshot`, tracemalloc's own format), and what the snapshot cannot see (`<n>.json`: VmRSS,
glibc's mallinfo2, SQLite's own memory, the number of live objects by type; with
BENCH_TRACE_TRIM set, VmRSS after malloc_trim(0) too, which then shapes the stages after). Nothing of the app's is changed; this
module is only ever run by the benchmark.

    BENCH_TRACE_DIR=/tmp/x python -m bench.traced_serve serve --host 127.0.0.1 --port 3000
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks"),
            *("uordblks", "fordblks", "keepcost"),
        )
    ]


def mallinfo() -> dict[str, float]:
    """glibc's view, MB: `arena` is what its arenas took from the kernel (besides mmap'd
    blocks, `hblkhd`), `uordblks` what is in use, `fordblks` what is free but kept."""
    try:
        call = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    call.restype = _MallInfo2
    info = call()
    return {
        name: getattr(info, name) / 2**20 for name in ("arena", "hblkhd", "uordblks", "fordblks")
    }


def sqlite_mb() -> dict[str, float]:
    """What SQLite itself holds (page caches, prepared statements, schemas) over all
    connections, and the most it held, MB; SQLite allocates with malloc, out of tracemalloc's
    sight."""
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")
    except OSError:
        return {}
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    lib.sqlite3_memory_highwater.restype = ctypes.c_int64
    return {
        "used": lib.sqlite3_memory_used() / 2**20,
        "highwater": lib.sqlite3_memory_highwater(0) / 2**20,
    }


def pymalloc_mb() -> dict[str, float]:
    """Python's own allocator (objects of up to 512 bytes, in arenas of its own that glibc does
    not see), from sys._debugmallocstats, MB: the arenas it holds, the bytes in live blocks."""
    import tempfile

    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        sys.stderr.flush()
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode()
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        name = name.strip()
        if name == "# bytes in allocated blocks":
            found["live"] = int(value.strip().replace(",", "")) / 2**20
        elif name == "Total" and "arenas" not in found:  # the first Total: the arenas' bytes
            found["arenas"] = int(value.strip().replace(",", "")) / 2**20
    return found


def trimmed_rss() -> float:
    """VmRSS after glibc's malloc_trim(0) gave back every free page it could, MB."""
    ctypes.CDLL(None).malloc_trim(0)
    return status_mb()["VmRSS"]


def status_mb() -> dict[str, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def _type_name(thing: object) -> str:
    kind = type(thing)
    return f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"


def _dump(_signum: int, _frame: FrameType | None) -> None:
    folder = Path(os.environ["BENCH_TRACE_DIR"])
    n = len(list(folder.glob("*.snapshot")))
    frames = int(os.environ.get("BENCH_TRACE_FRAMES", "10"))
    if frames and not tracemalloc.is_tracing():
        tracemalloc.start(frames)
    gc.collect()
    types: Counter[str] = Counter(_type_name(o) for o in gc.get_objects())
    # BENCH_TRACE_FRAMES=0: no tracemalloc (it costs memory of its own), an empty snapshot.
    snapshot = tracemalloc.take_snapshot() if frames else tracemalloc.Snapshot((), 1)
    partial = folder / f"{n}.part"
    snapshot.dump(str(partial))
    facts: dict[str, Any] = {
        "status": status_mb(),
        "mallinfo": mallinfo(),
        "sqlite": sqlite_mb(),
        "traced_mb": tracemalloc.get_traced_memory()[0] / 2**20,
        "gc_objects": dict(types),
        "threads": len(os.listdir("/proc/self/task")),
    }
    facts["pymalloc"] = pymalloc_mb()
    if os.environ.get("BENCH_TRACE_TRIM"):
        facts["rss_after_trim"] = trimmed_rss()
    (folder / f"{n}.json").write_text(json.dumps(facts))
    partial.rename(folder / f"{n}.snapshot")  # last: the benchmark waits for this name


signal.signal(signal.SIGUSR1, _dump)

if __name__ == "__main__":
    from bot.cli import main

    sys.argv[0] = "samskab"
    raise SystemExit(main())
