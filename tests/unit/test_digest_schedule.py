"""Digests on schedule: the right local time across daylight saving, once per period whatever
restarts and replicas do, and a digest missed during downtime posted once."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select

from handlers.context import Deps
from schedules.digest_timing import digest_trigger, missed_period, period_of
from schedules.jobs import Runtime, catch_up_digests, run_digest
from schedules.scheduler import Scheduler
from storage.db import Database
from storage.models import DigestRun, OutboxMessage, Process
from tests.builders import channel, person, set_up
from tests.conftest import Clock

METTE = person("Mette Lund")


def _process(deps: Deps, clock: Clock) -> int:
    clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    set_up(deps, channel("odder", [METTE]), METTE)  # digest on Mondays at 09:00
    with deps.db.transaction() as session:
        return session.scalar(select(Process.id)) or 0


def _digests(deps: Deps) -> list[str]:
    with deps.db.transaction() as session:
        return list(
            session.scalars(
                select(OutboxMessage.key)
                .where(OutboxMessage.key.like("digest:%"))
                .order_by(OutboxMessage.id)
            )
        )


def _process_row(deps: Deps, process_id: int) -> Process:
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        assert process is not None
        return process


def test_the_digest_fires_at_nine_local_on_both_sides_of_daylight_saving(
    deps: Deps, clock: Clock
) -> None:
    process = _process_row(deps, _process(deps, clock))
    trigger = digest_trigger(process)
    fires = []
    moment = datetime(2026, 3, 20, tzinfo=UTC)
    for _ in range(3):  # around the spring change, Sunday 29 March
        moment = trigger.get_next_fire_time(None, moment)
        fires.append(moment.astimezone(UTC))
        moment = moment.replace(second=1)
    assert fires == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),  # 09:00 CEST
        datetime(2026, 4, 6, 7, 0, tzinfo=UTC),
    ]
    autumn = trigger.get_next_fire_time(None, datetime(2026, 10, 20, tzinfo=UTC))
    later = trigger.get_next_fire_time(None, autumn.replace(second=1))
    assert [autumn.astimezone(UTC), later.astimezone(UTC)] == [
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),  # the change was Sunday 25 October: CET again
        datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
    ]
    summer = trigger.get_next_fire_time(None, datetime(2026, 10, 13, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)


def test_the_job_at_that_moment_posts_the_weeks_digest_with_the_local_time(
    deps: Deps, clock: Clock
) -> None:
    process_id = _process(deps, clock)
    clock.set(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert asyncio.run(run_digest(Runtime(deps), process_id)) is True
    assert _digests(deps) == [f"digest:{process_id}:2026-W14"]
    with deps.db.transaction() as session:
        payload = session.scalar(
            select(OutboxMessage.payload).where(
                OutboxMessage.key == f"digest:{process_id}:2026-W14"
            )
        )
    assert payload is not None and "Status pr. mandag den 30. marts kl. 09:00." in str(payload)
    assert asyncio.run(run_digest(Runtime(deps), process_id)) is False, "once per period"


def test_a_digest_missed_during_downtime_is_posted_once_on_start(deps: Deps, clock: Clock) -> None:
    process_id = _process(deps, clock)
    clock.set(datetime(2026, 3, 11, 14, 0, tzinfo=UTC))  # Wednesday: Monday's digest never went
    assert asyncio.run(catch_up_digests(Runtime(deps))) == [process_id]
    assert asyncio.run(catch_up_digests(Runtime(deps))) == [], "a second start posts nothing"
    assert _digests(deps) == [f"digest:{process_id}:2026-W11"]
    clock.set(datetime(2026, 3, 16, 7, 30, tzinfo=UTC))  # next Monday before 09:00: week over
    assert asyncio.run(catch_up_digests(Runtime(deps))) == []
    assert len(_digests(deps)) == 1, "never one per missed tick"


def test_nothing_is_owed_for_a_week_before_the_process_existed(deps: Deps, clock: Clock) -> None:
    process = _process_row(deps, _process(deps, clock))  # set up Monday 2 March, 13:00 local
    assert missed_period(process, datetime(2026, 3, 4, 12, 0, tzinfo=UTC)) is None
    assert period_of(process, datetime(2026, 3, 4, 12, 0, tzinfo=UTC)) == "2026-W10"


def test_two_schedulers_on_one_database_post_one_digest(
    deps: Deps, clock: Clock, database_url: str
) -> None:
    process_id = _process(deps, clock)
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    other = Database(database_url)  # a second replica: its own engine and connections
    try:
        replicas = [Runtime(deps), Runtime(Deps(db=other, clock=clock))]

        async def both() -> list[object]:
            jobs: list[Coroutine[Any, Any, object]] = [run_digest(r, process_id) for r in replicas]
            jobs += [catch_up_digests(r) for r in replicas]
            return await asyncio.gather(*jobs)

        asyncio.run(both())
    finally:
        other.dispose()
    with deps.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DigestRun)) == 1
    assert _digests(deps) == [f"digest:{process_id}:2026-W11"]


def test_the_scheduler_follows_changes_to_a_process(deps: Deps, clock: Clock) -> None:
    process = _process_row(deps, _process(deps, clock))
    scheduler = Scheduler(Runtime(deps))

    async def running() -> list[str]:
        scheduler.aps.start()  # the jobs as a running scheduler holds them
        try:
            seen = []
            scheduler.reconcile([process])
            seen.append(repr(scheduler.aps.get_job(f"digest:{process.id}").trigger))
            process.digest_time, process.digest_weekday = time(14, 30), 4
            scheduler.reconcile([process])
            seen.append(repr(scheduler.aps.get_job(f"digest:{process.id}").trigger))
            scheduler.reconcile([])
            seen.append(repr(scheduler.aps.get_job(f"digest:{process.id}")))
            return seen
        finally:
            scheduler.stop()

    first, changed, closed = asyncio.run(running())
    assert "day_of_week='mon', hour='9', minute='0', timezone='Europe/Copenhagen'" in first
    assert "day_of_week='fri', hour='14', minute='30'" in changed
    assert closed == "None"
