"""The one way the tests wait: `eventually` for background work to reach a state (the delivery
worker, a roster sync, another process), and `settle` for the few checks that something does
NOT happen. Neither measures time: a slow machine makes a test slower, never wrong."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL = 0.01  # seconds between looks; short, as most conditions hold within milliseconds
SETTLE = 0.3  # the delivery worker polls every 50 ms: six of its rounds, and a margin


def eventually(
    condition: Callable[[], object],
    timeout: float = 10.0,
    *,
    explain: Callable[[], str] | None = None,
) -> None:
    """Returns once `condition()` is true; fails after `timeout` seconds, with `explain()`
    (what was seen instead) in the message."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise _gave_up(timeout, explain)
        time.sleep(POLL)


async def eventually_async(
    condition: Callable[[], object],
    timeout: float = 10.0,
    *,
    explain: Callable[[], str] | None = None,
) -> None:
    """As `eventually`, but yields to the caller's event loop (where the app may run)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise _gave_up(timeout, explain)
        await asyncio.sleep(POLL)


def settle() -> None:
    """A fixed pause before checking that nothing happened: work wrongly started (a message
    sent, a roster read, a row written after the answer) has had its chance to show itself."""
    time.sleep(SETTLE)


def _gave_up(timeout: float, explain: Callable[[], str] | None) -> AssertionError:
    message = f"Condition not met in {timeout} s."
    return AssertionError(message + ("\n" + explain() if explain is not None else ""))
