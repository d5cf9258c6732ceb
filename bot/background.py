"""Work an adapter starts after it has answered the platform (such as reading a channel's roster
after setup): kept referenced until done, and its failure logged rather than lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from storage.request_in_hand import outside_request

log = logging.getLogger(__name__)


def follow(tasks: set[asyncio.Task[Any]], work: Coroutine[Any, Any, Any]) -> None:
    # Outside the inbox request that started it: its writes are not the request's effect.
    task = asyncio.get_running_loop().create_task(work, context=outside_request())
    tasks.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        tasks.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("background work failed", exc_info=finished.exception())

    task.add_done_callback(done)
