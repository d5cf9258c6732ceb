"""Slack Web API calls that wait when Slack asks them to: a 429 is retried after its
Retry-After, an outage (5xx, no connection) after a short backoff, a bounded number of times.
Every caller of one method shares its pause, so a rate-limited `users.info` stops all of them
rather than each finding out with a 429 of its own."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from schedules.shared_pace import SharedPace

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 5
LONGEST_WAIT = 30.0  # seconds: a longer Retry-After is waited out over several attempts
BACKOFF = 1.0  # seconds before retrying an outage, doubled each time


# Slack's tiers for the methods the roster reads (calls per minute): with a shared pace, every
# replica's calls of one method come out of one bucket, as the outbox's posts do.
TIERS: dict[str, float] = {
    "users.list": 20,  # Tier 2
    "conversations.members": 100,  # Tier 4
    "users.info": 100,  # Tier 4
}
BURST = 3.0


class Patience:
    """Pauses per Web API method, learnt from Slack's Retry-After; with `pace`, the methods in
    TIERS also keep to their tier, shared by all replicas (schedules.shared_pace)."""

    def __init__(
        self,
        attempts: int = ATTEMPTS,
        longest_wait: float = LONGEST_WAIT,
        pace: SharedPace | None = None,
        tiers: dict[str, float] = TIERS,
        burst: float = BURST,
    ) -> None:
        self.attempts = attempts
        self.longest_wait = longest_wait
        self.pace, self.tiers, self.burst = pace, tiers, burst
        self._not_before: dict[str, float] = {}
        self._successes: dict[str, int] = {}

    async def call(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        """`call()`'s answer; its last error once the attempts are used up, or at once for an
        error that waiting does not cure (a refused token, an unknown user)."""
        backoff = BACKOFF
        for attempt in range(1, self.attempts + 1):
            pause = self._not_before.get(method, 0.0) - time.monotonic()
            if pause > 0:
                await asyncio.sleep(min(pause, self.longest_wait))
            await self._turn(method)
            try:
                answer = await call()
            except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as error:
                wait = _wait_for(error, backoff)
                if wait is None or attempt == self.attempts:
                    raise
            else:
                self._successes[method] = self._successes.get(method, 0) + 1
                return answer
            log.info("%s: Slack asks us to wait %.0f s (attempt %d)", method, wait, attempt)
            wait = min(wait, self.longest_wait)
            if self.pace is not None and method in self.tiers:
                rate = self.tiers[method] / 60
                await asyncio.to_thread(self.pace.pause, f"slack:{method}", rate, self.burst, wait)
            self._not_before[method] = max(
                self._not_before.get(method, 0.0), time.monotonic() + wait
            )
            backoff *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _turn(self, method: str) -> None:
        """Waits for a token of the method's shared bucket, when it has one."""
        if self.pace is None or method not in self.tiers:
            return
        rate = self.tiers[method] / 60
        while True:
            successes, self._successes[method] = self._successes.get(method, 0), 0
            granted, wait = await asyncio.to_thread(
                self.pace.take, f"slack:{method}", rate, self.burst, 1, successes
            )
            if granted:
                return
            await asyncio.sleep(min(wait, self.longest_wait))


def _wait_for(error: Exception, backoff: float) -> float | None:
    """Seconds to wait before trying again, or None when trying again cannot help."""
    if not isinstance(error, SlackApiError):
        return backoff  # no answer at all (connection, timeout): Slack may be back soon
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", 0)
    if status == 429:
        headers = getattr(response, "headers", None) or {}
        value = next((v for k, v in dict(headers).items() if k.lower() == "retry-after"), None)
        try:
            return max(float(value), 0.0) if value is not None else backoff
        except (TypeError, ValueError):
            return backoff
    if isinstance(status, int) and status >= 500:
        return backoff
    return None


def slack_error(error: Exception) -> str:
    """Slack's error code, or the kind of failure: never a response body."""
    if isinstance(error, SlackApiError):
        data = getattr(error.response, "data", None)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        return f"HTTP {getattr(error.response, 'status_code', '?')}"
    return type(error).__name__
