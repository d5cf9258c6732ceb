"""The pacer forgets the per-person buckets that have refilled (a bucket for each person ever
messaged was kept before: a thousand after one fan-out), and never one that still holds its
person back."""

from __future__ import annotations

import asyncio

import pytest

from schedules.pacing import FORGET_FROM, Limit, Pacer, PlatformLimits

FREE_APP = Limit(1e6, 1e6)


def test_a_person_just_messaged_waits_even_after_the_pacer_forgets_others() -> None:
    # One message per person and no refill to speak of: every bucket still holds its person.
    pacer = Pacer({"slack": PlatformLimits(per_target=Limit(0.001, 1), per_app=FREE_APP)})

    async def run() -> None:
        for i in range(FORGET_FROM * 2):
            await pacer.acquire("slack", f"D{i}")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(pacer.acquire("slack", "D0"), timeout=0.2)

    asyncio.run(run())


def test_buckets_that_refilled_are_not_kept_for_everyone_ever_messaged() -> None:
    pacer = Pacer({"slack": PlatformLimits(per_target=Limit(1e6, 1), per_app=FREE_APP)})

    async def run() -> None:
        for i in range(1000):
            await pacer.acquire("slack", f"D{i}")

    asyncio.run(run())
    assert len(pacer._targets) <= FORGET_FROM
