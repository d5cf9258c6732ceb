"""Inbound authentication, as the Bot Framework specifies it: a bearer JWT signed with a key from
the OpenID metadata's JWKS, issued by api.botframework.com for our app id, within its validity
(five minutes of clock skew allowed), for the same serviceUrl as the activity, with a key endorsed
for the activity's channel.

The keys are cached for a day. A token naming a key id we do not know makes us fetch them again
(that is how a rotated key is found), but at most once a minute whoever asks and whatever the key
id: between refreshes an unknown key id is refused from the cache, so requests with made-up key
ids cost one fetch a minute, not one each, and leave nothing behind."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300
METADATA_TTL = 24 * 3600
MIN_REFRESH_INTERVAL = 60.0  # seconds between two fetches of the keys, at least


class Unauthorized(Exception):
    pass


class BotFrameworkAuth:
    def __init__(
        self,
        app_id: str,
        metadata_url: str,
        http: httpx.AsyncClient,
        tenant_id: str | None = None,
        *,
        min_refresh_interval: float = MIN_REFRESH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.metadata_url = metadata_url
        self.http = http
        self.tenant_id = tenant_id
        self.min_refresh_interval = min_refresh_interval
        self.clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched: float | None = None  # when the keys we hold were fetched
        self._tried: float | None = None  # when we last asked for them, answered or not
        self._lock = asyncio.Lock()

    async def validate(self, authorization: str | None, activity: dict[str, Any]) -> None:
        """Raises Unauthorized unless the request comes from the Bot Framework for us."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("no bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized(f"malformed token: {error}") from None
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise Unauthorized("unexpected token algorithm or no key id")
        jwk = await self._key(str(header["kid"]))
        try:
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk).key,  # a malformed key in the JWKS raises a PyJWTError: refused too
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "nbf", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"token refused: {error}") from None
        # The Bot Framework spells the claim "serviceurl"; accept the camel-cased form too.
        if claims.get("serviceurl", claims.get("serviceUrl")) != activity.get("serviceUrl"):
            raise Unauthorized("the token's serviceUrl is not the activity's")
        channel = activity.get("channelId")
        if not isinstance(channel, str) or channel not in (jwk.get("endorsements") or []):
            raise Unauthorized("the signing key is not endorsed for the activity's channel")
        if self.tenant_id and tenant_of(activity) != self.tenant_id:
            raise Unauthorized("an activity from another tenant")

    async def _key(self, kid: str) -> dict[str, Any]:
        if kid in self._keys and not self._stale():
            return self._keys[kid]  # the common case: no waiting behind a refresh
        async with self._lock:
            if (kid not in self._keys or self._stale()) and self._may_refresh():
                await self._refresh()
            if kid not in self._keys:
                raise Unauthorized("a signing key we do not know")
            return self._keys[kid]

    def _stale(self) -> bool:
        return self._fetched is None or self.clock() - self._fetched > METADATA_TTL

    def _may_refresh(self) -> bool:
        return self._tried is None or self.clock() - self._tried >= self.min_refresh_interval

    async def _refresh(self) -> None:
        self._tried = self.clock()
        try:
            metadata = (await self.http.get(self.metadata_url, timeout=10)).json()
            jwks = (await self.http.get(metadata["jwks_uri"], timeout=10)).json()
            keys = {str(key["kid"]): key for key in jwks["keys"] if key.get("kid")}
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("could not refresh the Bot Framework signing keys: %r", error)
            return  # keep the keys we have
        self._keys, self._fetched = keys, self.clock()


def tenant_of(activity: dict[str, Any]) -> str:
    """The tenant an activity comes from; "" when it does not say. Read before the activity's
    shape is checked (a single-tenant bot refuses other tenants first), so it expects anything."""
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return str(tenant["id"])
    conversation = activity.get("conversation")
    found = conversation.get("tenantId") if isinstance(conversation, dict) else None
    return found if isinstance(found, str) else ""
