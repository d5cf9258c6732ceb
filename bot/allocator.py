"""Fewer malloc arenas for the long-running server.

glibc gives threads that allocate at the same moment arenas of their own (up to eight per core),
and each arena keeps what it once held: the server's threads (the database work after each
request, the inbox writer, the delivery worker) take turns at small pieces of work and so hold
memory spread over many arenas. Two are enough for a process that does its work on a few
threads; `MALLOC_ARENA_MAX` in the environment still decides when it is set. Measured in
docs/benchmarks.md (memory)."""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def fewer_arenas() -> bool:
    """True when glibc took the limit; elsewhere (musl, macOS) there is nothing to set."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS))
