"""The scheduler reads every platform's rosters again regularly; one platform failing does not
keep the others from healing."""

from __future__ import annotations

import asyncio

import pytest

from handlers.context import Deps
from schedules.jobs import Runtime, run_rosters
from schedules.scheduler import ROSTER_SECONDS, Scheduler


def test_a_failing_platform_does_not_stop_the_others(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    read: list[str] = []
    nudged: list[bool] = []

    async def broken() -> int:
        raise ConnectionError("Teams is down")

    async def slack() -> int:
        read.append("slack")
        return 2

    runtime = Runtime(deps, lambda: nudged.append(True), rosters=(broken, slack))
    assert asyncio.run(run_rosters(runtime)) == 2
    assert read == ["slack"] and nudged == [True]
    assert "a roster reconcile failed" in caplog.text


def test_the_scheduler_runs_the_roster_job_where_an_adapter_has_one(deps: Deps) -> None:
    async def nothing() -> int:
        return 0

    async def jobs(runtime: Runtime) -> dict[str, str]:
        scheduler = Scheduler(runtime)
        await scheduler.start()
        try:
            return {job.id: repr(job.trigger) for job in scheduler.aps.get_jobs()}
        finally:
            scheduler.stop()

    with_rosters = asyncio.run(jobs(Runtime(deps, rosters=(nothing,))))
    assert f"seconds={ROSTER_SECONDS})" in with_rosters["rosters"]
    assert "rosters" not in asyncio.run(jobs(Runtime(deps)))
