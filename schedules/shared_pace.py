"""The app-wide token bucket kept in the database (`pace_buckets`), so that replicas together
keep the pace one would: each takes its tokens from the same row, under a row lock.

A replica takes a few tokens at a time (about a tenth of a second's worth) to save round trips;
a 429 seen by one replica pauses them all and lowers the shared rate, as Pacer does for one.
Times are Unix seconds (time.time()): replicas share no monotonic clock.
"""

from __future__ import annotations

import math
import time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import PaceBucket
from storage.request_in_hand import bookkeeping

# How the app-wide rate adapts (here and in schedules/pacing.py's local bucket).
MIN_APP_RATE = 0.5
DECREASE = 0.8  # a 429 sets the app-wide rate to this share of the rate that drew it
RECOVERY = 0.1  # tokens per second regained per successful send, up to near that rate
PROBE = 0.005  # ... and from there on, where the limit was found, while its 429 is recent
NEAR = 0.95
# Seconds without a 429 after which the rate that drew the last one is no longer a ceiling to
# creep up to: a lone 429 (one message refused) must not hold a whole fan-out below the pace.
QUIET = 10.0


def regain_step(rate: float, limited_at: float | None, recent: bool) -> float:
    """What one successful send adds to the app-wide rate: slowly near the rate that drew the
    last 429 while that 429 is recent, else RECOVERY. (Regaining faster below that rate made a
    fan-out with lone 429s quicker but drew two to three times the 429s from a workspace really
    slower than the ceiling: docs/benchmarks.md.)"""
    near = limited_at is not None and rate >= limited_at * NEAR and recent
    return PROBE if near else RECOVERY


class SharedPace:
    """Its writes are bookkeeping (storage.request_in_hand): the pace of a call made in an inbox
    request's work is never that request's effect, so it leaves the request's row alone."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._known: set[str] = set()

    def take(
        self, key: str, rate: float, burst: float, want: int, successes: int
    ) -> tuple[int, float]:
        """`want` tokens from the bucket `key` (ceiling `rate`, size `burst`), telling it the
        `successes` since the last take (they raise the adapted rate). Returns the tokens
        granted and, when none, the seconds until they are there."""
        self.ensure(key, rate, burst)
        with bookkeeping(), self.db.transaction() as session:
            row = self._locked(session, key)
            now = time.time()
            if successes:
                recent = now < row.paused_until + QUIET
                step = regain_step(row.rate, row.limited_at, recent)
                row.rate = min(rate, row.rate + successes * step)
            if row.paused_until > now:
                return 0, row.paused_until - now
            # A whole chunk or nothing: asking again for each token as it trickles in would
            # cost a transaction per message.
            chunk = max(1, min(want, math.floor(burst)))
            # A replica holds tokens taken ahead, which the platform has not seen yet: while
            # the platform's bucket is full and refills nothing, ours would go on. Kept a chunk
            # below the burst, ours never lets out more than the platform's (a 429 at the start
            # of every fan-out before; docs/benchmarks.md). A bucket taken from one token at a
            # time (the roster's tiers) holds none ahead and keeps its whole burst.
            capacity = burst if chunk == 1 else max(float(chunk), burst - chunk)
            if now > row.updated_at:  # (`updated_at` is in the future while a pause lasts)
                row.tokens = min(capacity, row.tokens + (now - row.updated_at) * row.rate)
                row.updated_at = now
            if row.tokens < chunk:
                return 0, (chunk - row.tokens) / row.rate
            row.tokens -= chunk
            return chunk, 0.0

    def pause(self, key: str, rate: float, burst: float, seconds: float) -> None:
        """The platform said 429: every replica waits `seconds`, then goes slower."""
        self.ensure(key, rate, burst)
        with bookkeeping(), self.db.transaction() as session:
            row = self._locked(session, key)
            now = time.time()
            was_paused_until = row.paused_until
            row.paused_until = max(was_paused_until, now + seconds)
            row.tokens = min(row.tokens, 1.0)  # one message when the pause ends, no burst
            row.updated_at = max(row.updated_at, row.paused_until)
            if now >= was_paused_until:  # not one more answer to a call made before the pause
                row.limited_at = row.rate
                row.rate = max(MIN_APP_RATE, row.rate * DECREASE)

    def _locked(self, session: Session, key: str) -> PaceBucket:
        if session.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock before reading: two processes must not read the same
            # tokens (PostgreSQL gets the row lock from FOR UPDATE below).
            session.execute(update(PaceBucket).where(PaceBucket.key == key).values(key=key))
        row = session.scalar(select(PaceBucket).where(PaceBucket.key == key).with_for_update())
        assert row is not None
        return row

    def ensure(self, key: str, rate: float, burst: float) -> None:
        """The bucket's row, made full if there is none yet."""
        if key in self._known:
            return
        try:
            with bookkeeping(), self.db.transaction() as session:
                if session.get(PaceBucket, key) is None:
                    session.add(
                        PaceBucket(
                            key=key,
                            tokens=burst,
                            rate=rate,
                            limited_at=None,
                            updated_at=time.time(),
                            paused_until=0.0,
                        )
                    )
        except IntegrityError:
            pass  # another replica made it at the same moment
        self._known.add(key)
