"""A JWKS found through OpenID metadata, kept for the token checks that need it (the Bot
Framework's keys, bot.teams.auth; Azure AD's for the Teams tab, bot.web.tab_auth).

The keys are kept for a day. A token naming a key id we do not know makes us fetch them again
(that is how a rotated key is found), but at most once a minute whoever asks and whatever the key
id: between refreshes an unknown key id is refused from what we hold, so requests with made-up
key ids cost one fetch a minute, not one each, and leave nothing behind."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

KEYS_TTL = 24 * 3600
MIN_REFRESH_INTERVAL = 60.0  # seconds between two fetches of the keys, at least


class SigningKeys:
    def __init__(
        self,
        metadata_url: str,
        whose: str,
        *,
        http: httpx.AsyncClient | None = None,
        min_refresh_interval: float = MIN_REFRESH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self.whose = whose  # for the log: "the Bot Framework's", "Azure AD's"
        self.http = http  # a shared client, or None for one per refresh
        self.min_refresh_interval = min_refresh_interval
        self.clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched: float | None = None  # when the keys we hold were fetched
        self._tried: float | None = None  # when we last asked for them, answered or not
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this key id; None when neither what we hold nor a refresh allowed now
        has it."""
        if kid in self._keys and not self._stale():
            return self._keys[kid]  # the common case: no waiting behind a refresh
        async with self._lock:
            if (kid not in self._keys or self._stale()) and self._may_refresh():
                await self._refresh()
            return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched is None or self.clock() - self._fetched > KEYS_TTL

    def _may_refresh(self) -> bool:
        return self._tried is None or self.clock() - self._tried >= self.min_refresh_interval

    async def _refresh(self) -> None:
        self._tried = self.clock()
        try:
            if self.http is not None:
                keys = await self._fetch(self.http)
            else:
                async with httpx.AsyncClient() as http:
                    keys = await self._fetch(http)
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("could not refresh %s signing keys: %r", self.whose, error)
            return  # keep the keys we have
        self._keys, self._fetched = keys, self.clock()

    async def _fetch(self, http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
        metadata = (await http.get(self.metadata_url, timeout=10)).json()
        jwks = (await http.get(metadata["jwks_uri"], timeout=10)).json()
        return {str(key["kid"]): key for key in jwks["keys"] if key.get("kid")}
