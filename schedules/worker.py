"""The delivery worker's loop: drains the outbox now and then, and at once when nudged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from schedules.delivery import Messenger, deliver_due
from storage.db import Database

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        messengers: dict[str, Messenger],
        clock: Callable[[], datetime],
        *,
        interval: float = 1.0,
    ) -> None:
        self.db = db
        self.messengers = messengers
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopped = False

    def nudge(self) -> None:
        """A use case has just written to the outbox: deliver now rather than at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopped:
            self._wake.clear()
            try:
                report = await deliver_due(self.db, self.messengers, self.clock())
                if report.sent or report.retried or report.failed:
                    continue  # there may be more due (threads wait for their parents)
            except Exception:  # a broken tick must not stop delivery for good
                log.exception("the delivery worker failed a round; it will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
