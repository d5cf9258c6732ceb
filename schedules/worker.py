"""The delivery worker's loop: drains the outbox now and then, and at once when nudged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from schedules.delivery import LEASE, deliver_due
from schedules.envelopes import Messenger
from schedules.pacing import Pacer
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
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.lease = lease
        self.pacer = Pacer()  # kept across rounds: the limits are per second, not per round
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
                report = await deliver_due(
                    self.db,
                    self.messengers,
                    self.clock(),
                    pacer=self.pacer,
                    lease=self.lease,
                    clock=self.clock,
                )
                if report.busy:
                    continue  # there may be more due (threads wait for their parents)
            except Exception:  # a broken tick must not stop delivery for good
                log.exception("the delivery worker failed a round; it will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
