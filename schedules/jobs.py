"""The scheduled jobs. Module-level functions with plain arguments, as APScheduler wants them;
the database, not the scheduler, makes each of them once-only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select

from handlers.context import Deps
from handlers.hassle.asking import remind_hassle
from handlers.hassle.closing import close_due_rounds
from handlers.inputs.reminders import send_due_reminders
from handlers.privacy.retention import erase_due
from handlers.status.digest import post_digest
from schedules.digest_timing import last_scheduled, missed_period, period_of
from storage.models import Process

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a job needs: the use-case dependencies, and a way to wake the delivery worker."""

    deps: Deps
    nudge: Callable[[], None] = lambda: None
    # Each adapter's roster reconcile (every process's members made its channel's people
    # again); returns how many channels it read.
    rosters: tuple[Callable[[], Awaitable[int]], ...] = ()
    # Each adapter's status documents in channels (Slack's canvas), edited where due.
    canvases: tuple[Callable[[], Awaitable[int]], ...] = ()


async def run_digest(runtime: Runtime, process_id: int) -> bool:
    """The digest job of one process: posts this period's digest unless it was posted."""
    posted = await asyncio.to_thread(_post_current, runtime.deps, process_id)
    if posted:
        runtime.nudge()
    return posted


def _post_current(deps: Deps, process_id: int) -> bool:
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        if process is None or process.status != "active":
            return False
        period = period_of(process, last_scheduled(process, deps.clock()))
    return post_digest(deps, process_id, period)


async def catch_up_digests(runtime: Runtime) -> list[int]:
    """On start: the digests missed while the bot was down, if their week is not over."""
    posted = await asyncio.to_thread(_catch_up, runtime.deps)
    if posted:
        runtime.nudge()
    return posted


def _catch_up(deps: Deps) -> list[int]:
    now = deps.clock()
    with deps.db.transaction() as session:
        owed = [
            (process.id, period)
            for process in session.scalars(select(Process).where(Process.status == "active"))
            if (period := missed_period(process, now)) is not None
        ]
    return [process_id for process_id, period in owed if post_digest(deps, process_id, period)]


async def run_retention(runtime: Runtime) -> int:
    """Erases the personal data of processes closed longer than the retention period. Returns
    how many processes it erased; another replica running it too finds them already erased."""
    deps = runtime.deps
    report = await asyncio.to_thread(erase_due, deps, deps.retention_days, dry_run=False)
    for erased in report.processes:
        log.info("personal data of process %s erased: %s", erased.process_id, erased.counts)
    return len(report.processes)


async def run_hassle_closing(runtime: Runtime) -> int:
    """Closes the bøvl rounds whose voting deadline has passed; their results go out."""
    deps = runtime.deps
    closed = await asyncio.to_thread(close_due_rounds, deps, deps.clock())
    if closed:
        log.info("closed voting in %d hassle rounds", closed)
        runtime.nudge()
    return closed


async def run_hassle_reminders(runtime: Runtime) -> int:
    """The bøvl round's reminders, and what waited for a collection deadline now passed."""
    deps = runtime.deps
    sent = await asyncio.to_thread(remind_hassle, deps, deps.clock())
    if sent:
        log.info("queued %d hassle round messages", sent)
        runtime.nudge()
    return sent


async def run_reminders(runtime: Runtime) -> int:
    sent = await asyncio.to_thread(send_due_reminders, runtime.deps)
    if sent:
        log.info("queued %d reminders", sent)
        runtime.nudge()
    return sent


async def run_rosters(runtime: Runtime) -> int:
    """Reads every process's channel roster again, so a missed join or leave, or a read that
    failed, heals itself. One platform failing does not stop the others."""
    read = 0
    for reconcile in runtime.rosters:
        try:
            read += await reconcile()
        except Exception:  # a job reports and runs again next time; it never stops the others
            log.exception("a roster reconcile failed")
    if read:
        runtime.nudge()
    return read


async def run_canvases(runtime: Runtime) -> int:
    """Creates or edits the channels' status canvases that are due (at most once a minute per
    process, soon after a change). A platform that fails is tried again at the next run."""
    kept = 0
    for keep in runtime.canvases:
        try:
            kept += await keep()
        except Exception:  # a job reports and runs again next time; it never stops the others
            log.exception("keeping the status canvases failed")
    runtime.nudge()  # a facilitator may have been told that the workspace has no canvases
    return kept
