"""The delivery worker's loop: drains the outbox now and then, and at once when nudged. It beats
a heartbeat under its boot id while it runs (schedules/heartbeat.py), and paces itself with the
other replicas through the database (schedules/shared_pace.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from schedules.delivery import LEASE, deliver_due
from schedules.envelopes import Messenger
from schedules.heartbeat import keep_beating, new_boot_id, register, retire
from schedules.pacing import Pacer
from schedules.shared_pace import SharedPace
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
        # Kept across rounds: the limits are per second, not per round.
        self.pacer = Pacer(shared=SharedPace(db))
        self.boot_id = new_boot_id()
        self.messengers = messengers
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopped = False
        self._registered = False

    def nudge(self) -> None:
        """A use case has just written to the outbox: deliver now rather than at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    async def register(self) -> None:
        """The worker's heartbeat row and the shared pace's rows, before the first round (the
        server awaits it at start, so they are there before the first request)."""
        if self._registered:
            return
        try:
            await asyncio.to_thread(register, self.db, self.boot_id, self.clock())
            await asyncio.to_thread(self.pacer.share, self.messengers.keys())
            self._registered = True
        except Exception:  # the first beat registers it then
            log.exception("the delivery worker could not register its heartbeat yet")

    async def run(self) -> None:
        await self.register()
        beating = asyncio.create_task(keep_beating(self.db, self.boot_id, self.clock))
        try:
            await self._rounds()
        finally:
            beating.cancel()
            with contextlib.suppress(Exception):  # a claim of ours then waits for STALE_AFTER
                await asyncio.to_thread(retire, self.db, self.boot_id)

    async def _rounds(self) -> None:
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
                    boot_id=self.boot_id,
                    stopping=lambda: self._stopped,
                )
                if report.busy:
                    continue  # there may be more due (threads wait for their parents)
            except Exception:  # a broken tick must not stop delivery for good
                log.exception("the delivery worker failed a round; it will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
