"""APScheduler wiring. The job store is in memory and our tables are the truth: the jobs are
rebuilt from the processes at start and kept in step every minute (a process changed on another
replica is picked up too). Only one replica needs to run it (`SAMSKAB_SCHEDULER=off` on the
others), and if two do, the unique digest-run and outbox keys make the overlap harmless."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from schedules.digest_timing import digest_trigger
from schedules.jobs import (
    Runtime,
    catch_up_digests,
    run_canvases,
    run_digest,
    run_hassle_closing,
    run_hassle_reminders,
    run_reminders,
    run_retention,
    run_rosters,
)
from storage.models import Process

log = logging.getLogger(__name__)

# A job that could not run on time (the loop was busy, the machine slept) still runs within the
# hour, once; anything later is left to the start-up catch-up, which knows about periods.
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}
RECONCILE_SECONDS = 60
REMINDER_SECONDS = 300
RETENTION_SECONDS = 3600  # erasure after the retention period is due by the day, not the minute
HASSLE_CLOSING_SECONDS = 60  # a bøvl round's vote closes within a minute of its deadline
ROSTER_SECONDS = 1800  # every process's roster read again: missed joins and failed reads heal
CANVAS_SECONDS = 10  # a due canvas is edited this soon after a change (at most once a minute)


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.aps = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    async def start(self) -> None:
        self.reconcile(await asyncio.to_thread(active_processes, self.runtime))
        self.aps.add_job(
            run_reminders,
            IntervalTrigger(seconds=REMINDER_SECONDS),
            args=[self.runtime],
            id="reminders",
            replace_existing=True,
        )
        self.aps.add_job(
            run_retention,
            IntervalTrigger(seconds=RETENTION_SECONDS),
            args=[self.runtime],
            id="retention",
            replace_existing=True,
        )
        self.aps.add_job(
            run_hassle_closing,
            IntervalTrigger(seconds=HASSLE_CLOSING_SECONDS),
            args=[self.runtime],
            id="hassle-closing",
            replace_existing=True,
        )
        self.aps.add_job(
            run_hassle_reminders,
            IntervalTrigger(seconds=REMINDER_SECONDS),
            args=[self.runtime],
            id="hassle-reminders",
            replace_existing=True,
        )
        if self.runtime.rosters:
            self.aps.add_job(
                run_rosters,
                IntervalTrigger(seconds=ROSTER_SECONDS),
                args=[self.runtime],
                id="rosters",
                replace_existing=True,
            )
        if self.runtime.canvases:
            self.aps.add_job(
                run_canvases,
                IntervalTrigger(seconds=CANVAS_SECONDS),
                args=[self.runtime],
                id="canvases",
                replace_existing=True,
            )
        self.aps.add_job(
            reconcile_job,
            IntervalTrigger(seconds=RECONCILE_SECONDS),
            args=[self],
            id="reconcile",
            replace_existing=True,
        )
        self.aps.start()
        await catch_up_digests(self.runtime)
        await run_reminders(self.runtime)
        await run_retention(self.runtime)
        await run_hassle_closing(self.runtime)
        await run_hassle_reminders(self.runtime)

    def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def reconcile(self, processes: list[Process]) -> None:
        """One digest job per active process, on its current weekday, time and timezone."""
        wanted = {f"digest:{p.id}": p for p in processes}
        for job in self.aps.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()
        for job_id, process in wanted.items():
            trigger = digest_trigger(process)
            existing = self.aps.get_job(job_id)
            if existing is not None and repr(existing.trigger) == repr(trigger):
                continue
            self.aps.add_job(
                run_digest,
                trigger,
                args=[self.runtime, process.id],
                id=job_id,
                replace_existing=True,
            )
            log.info("digest of process %s scheduled: %s", process.id, trigger)


def active_processes(runtime: Runtime) -> list[Process]:
    with runtime.deps.db.transaction() as session:
        return list(session.scalars(select(Process).where(Process.status == "active")))


async def reconcile_job(scheduler: Scheduler) -> None:
    scheduler.reconcile(await asyncio.to_thread(active_processes, scheduler.runtime))
