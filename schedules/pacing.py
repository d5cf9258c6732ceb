"""Pacing outbound messages to what each platform allows.

Slack allows about one message per second per channel, with short bursts, and answers 429 with
Retry-After beyond that (per workspace, for all channels at once). Teams allows about 7 messages a
second per conversation but only 60 in 30 seconds, and about 50 a second per app. A token bucket
per target (a channel or a person's DM) keeps us under the per-conversation limit; a bucket per
platform keeps us under the app-wide one. Slack does not publish its workspace-wide number, so the
app-wide rate adapts: a 429 pauses the platform for its Retry-After (one message when it ends, no
burst saved up during it) and lowers the rate to 80% of the rate that drew it, once per pause (the
other 429s of the same pause answer calls made before it, and carry no news). Each success raises
the rate again: quickly up to near the rate that drew the last 429, slowly beyond it while 429s
are recent (QUIET), quickly again once they are not, up to the configured ceiling.
`docs/benchmarks.md` has the measurements behind these choices.

With a `SharedPace` (the delivery worker of `samskab serve` has one), the app-wide bucket lives in
the database instead, shared by every replica: tokens are taken from it a few at a time, and a
429 pauses and slows all replicas. Per-target buckets stay in each process.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from schedules.shared_pace import DECREASE, MIN_APP_RATE, QUIET, SharedPace, regain_step


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens per second
    burst: float  # bucket size


@dataclass(frozen=True)
class PlatformLimits:
    per_target: Limit
    per_app: Limit


LIMITS = {
    "slack": PlatformLimits(per_target=Limit(1.0, 3), per_app=Limit(20.0, 20)),
    "teams": PlatformLimits(per_target=Limit(2.0, 7), per_app=Limit(50.0, 50)),
}
UNLIMITED = PlatformLimits(per_target=Limit(1e9, 1e9), per_app=Limit(1e9, 1e9))
# Per-target buckets are looked through for full ones when there are this many, and again each
# time their number has doubled since: one stays only while it still holds back its target.
FORGET_FROM = 256


class _Bucket:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.rate = limit.rate
        self.tokens = limit.burst
        self.updated = time.monotonic()

    def peek(self, now: float) -> float:
        """Seconds until a token is free; 0 if one is free now."""
        if now > self.updated:  # (`updated` is in the future while a pause lasts)
            self.tokens = min(self.limit.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def full(self, now: float) -> bool:
        """Refilled: it holds back nothing that a new bucket would not."""
        refilled = self.tokens + max(0.0, now - self.updated) * self.rate
        return refilled >= self.limit.burst


class Pacer:
    def __init__(
        self, limits: dict[str, PlatformLimits] | None = None, shared: SharedPace | None = None
    ) -> None:
        self.limits = LIMITS if limits is None else limits
        self.shared = shared
        self._reserve: dict[str, int] = {}  # tokens taken from the shared bucket, not used yet
        self._successes: dict[str, int] = {}  # not yet told to the shared bucket
        self._shared_wait_until: dict[str, float] = {}
        self._targets: dict[tuple[str, str], _Bucket] = {}
        self._forget_at = FORGET_FROM
        self._apps: dict[str, _Bucket] = {}
        self._paused_until: dict[str, float] = {}
        self._limited_at: dict[str, float] = {}  # the app-wide rate that drew the last 429
        self._lock = asyncio.Lock()

    def sendable(self, platforms: Iterable[str], seconds: float) -> int:
        """How many messages the app-wide limits let out in `seconds`, all platforms together."""
        total = 0.0
        for platform in platforms:
            limit = self.limits.get(platform, UNLIMITED).per_app
            bucket = self._apps.get(platform)
            total += limit.burst + (bucket.rate if bucket else limit.rate) * seconds
        return int(min(total, 1e9))

    def burst(self, platform: str) -> int:
        return max(1, int(self.limits.get(platform, UNLIMITED).per_target.burst))

    def room(self, platform: str, target: str) -> int:
        """How many messages `target` may have now (at least one): a round claims no more for
        it, so a slow target does not keep the round waiting while others could go."""
        limit = self.limits.get(platform, UNLIMITED).per_target
        bucket = self._targets.get((platform, target))
        if bucket is None:
            return max(1, int(min(limit.burst, 1e6)))
        now = time.monotonic()
        tokens = min(limit.burst, bucket.tokens + max(0.0, now - bucket.updated) * bucket.rate)
        return max(1, math.floor(min(tokens, 1e6)))

    async def acquire(self, platform: str, target: str) -> None:
        """Waits until one more message may go to `target` on `platform`."""
        limits = self.limits.get(platform, UNLIMITED)
        while True:
            async with self._lock:
                now = time.monotonic()
                wait = self._paused_until.get(platform, 0.0) - now
                if wait <= 0:
                    if len(self._targets) >= self._forget_at:
                        self._forget_full_targets(now)
                    target_bucket = self._targets.setdefault(
                        (platform, target), _Bucket(limits.per_target)
                    )
                    app_bucket = self._apps.setdefault(platform, _Bucket(limits.per_app))
                    wait = target_bucket.peek(now)
                    if wait <= 0:
                        if self.shared is None:
                            wait = app_bucket.peek(now)
                        else:
                            wait = await self._from_shared(platform, limits.per_app)
                    if wait <= 0:
                        target_bucket.take()
                        if self.shared is None:
                            app_bucket.take()
                        else:
                            self._reserve[platform] -= 1
                        return
            await asyncio.sleep(wait)

    def _forget_full_targets(self, now: float) -> None:
        """Drops the buckets that have refilled, so that a bucket is not kept for each person
        ever messaged (a thousand after one fan-out; docs/benchmarks.md, memory at 1000)."""
        self._targets = {key: b for key, b in self._targets.items() if not b.full(now)}
        self._forget_at = max(FORGET_FROM, 2 * len(self._targets))

    def share(self, platforms: Iterable[str]) -> None:
        """Makes the shared buckets of these platforms (blocking: call it from a thread)."""
        if self.shared is not None:
            for platform in platforms:
                limit = self.limits.get(platform, UNLIMITED).per_app
                self.shared.ensure(f"app:{platform}", limit.rate, limit.burst)

    async def _from_shared(self, platform: str, limit: Limit) -> float:
        """0 when a token of the shared bucket is in our reserve; else seconds to wait."""
        assert self.shared is not None
        if self._reserve.get(platform, 0) >= 1:
            return 0.0
        # The bucket said when a token is free: until then the others waiting ask it no more.
        wait = self._shared_wait_until.get(platform, 0.0) - time.monotonic()
        if wait > 0:
            return wait
        successes = self._successes.pop(platform, 0)
        want = max(1, int(limit.rate / 5))  # a fifth of a second's worth at a time
        key = f"app:{platform}"
        granted, wait = await asyncio.to_thread(
            self.shared.take, key, limit.rate, limit.burst, want, successes
        )
        self._reserve[platform] = granted
        if granted:
            return 0.0
        wait = max(wait, 0.01)
        self._shared_wait_until[platform] = time.monotonic() + wait
        return wait

    async def limited(self, platform: str, seconds: float) -> None:
        """A 429 with Retry-After: `pause`, and with a shared bucket, all replicas pause."""
        self.pause(platform, seconds)
        if self.shared is not None:
            self._reserve[platform] = 0  # taken before the pause: the pause ends with one
            limit = self.limits.get(platform, UNLIMITED).per_app
            key = f"app:{platform}"
            await asyncio.to_thread(self.shared.pause, key, limit.rate, limit.burst, seconds)

    def pause(self, platform: str, seconds: float) -> None:
        """The platform said 429 with Retry-After: nothing more to it until then, and slower
        after."""
        now = time.monotonic()
        paused_until = self._paused_until.get(platform, 0.0)
        self._paused_until[platform] = max(paused_until, now + seconds)
        bucket = self._apps.get(platform)
        if bucket is not None:
            # One message when the pause ends, then the rate: a pause fills no burst.
            bucket.tokens = min(bucket.tokens, 1.0)
            bucket.updated = max(bucket.updated, self._paused_until[platform])
            if now >= paused_until:  # not one more answer to a call made before this pause
                self._limited_at[platform] = bucket.rate
                bucket.rate = max(MIN_APP_RATE, bucket.rate * DECREASE)

    def succeeded(self, platform: str) -> None:
        if self.shared is not None:
            self._successes[platform] = self._successes.get(platform, 0) + 1
        bucket = self._apps.get(platform)
        if bucket is not None:
            recent = time.monotonic() < self._paused_until.get(platform, 0.0) + QUIET
            step = regain_step(bucket.rate, self._limited_at.get(platform), recent)
            bucket.rate = min(bucket.limit.rate, bucket.rate + step)
