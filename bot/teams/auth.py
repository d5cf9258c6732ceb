"""Inbound authentication, as the Bot Framework specifies it: a bearer JWT signed with a key from
the OpenID metadata's JWKS (cached, refreshed when an unknown key id appears), issued by
api.botframework.com for our app id, within its validity (five minutes of clock skew allowed),
for the same serviceUrl as the activity, with a key endorsed for the activity's channel."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300
METADATA_TTL = 24 * 3600
UNKNOWN_KID_RETRY = 60.0  # an unknown key id is looked up again at most this often


class Unauthorized(Exception):
    pass


class BotFrameworkAuth:
    def __init__(
        self, app_id: str, metadata_url: str, http: httpx.AsyncClient, tenant_id: str | None = None
    ) -> None:
        self.app_id = app_id
        self.metadata_url = metadata_url
        self.http = http
        self.tenant_id = tenant_id
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched = 0.0
        self._missing: dict[str, float] = {}
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
                jwt.PyJWK(jwk).key,
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
        if channel not in (jwk.get("endorsements") or []):
            raise Unauthorized(f"the signing key is not endorsed for channel {channel!r}")
        if self.tenant_id and tenant_of(activity) != self.tenant_id:
            raise Unauthorized("an activity from another tenant")

    async def _key(self, kid: str) -> dict[str, Any]:
        async with self._lock:
            stale = time.monotonic() - self._fetched > METADATA_TTL
            unknown = kid not in self._keys
            recently_missing = time.monotonic() - self._missing.get(kid, -1e9) < UNKNOWN_KID_RETRY
            if stale or (unknown and not recently_missing):
                await self._refresh()
            if kid not in self._keys:
                self._missing[kid] = time.monotonic()
                raise Unauthorized("a signing key we do not know")
            return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            metadata = (await self.http.get(self.metadata_url, timeout=10)).json()
            jwks = (await self.http.get(metadata["jwks_uri"], timeout=10)).json()
        except (httpx.HTTPError, ValueError, KeyError) as error:
            log.warning("could not refresh the Bot Framework signing keys: %r", error)
            return  # keep the keys we have
        self._keys = {str(key["kid"]): key for key in jwks.get("keys", []) if key.get("kid")}
        self._fetched = time.monotonic()


def tenant_of(activity: dict[str, Any]) -> str:
    channel_data = activity.get("channelData") or {}
    return str(
        (channel_data.get("tenant") or {}).get("id")
        or (activity.get("conversation") or {}).get("tenantId")
        or ""
    )
