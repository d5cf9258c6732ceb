"""Inbound authentication, as the Bot Framework specifies it: a bearer JWT signed with a key from
the OpenID metadata's JWKS, issued by api.botframework.com for our app id, within its validity
(five minutes of clock skew allowed), for the same serviceUrl as the activity, with a key endorsed
for the activity's channel.

The keys are kept by bot.signing_keys: for a day, fetched again for a key id we do not know (a
rotated key), but at most once a minute whoever asks, so that made-up key ids cost one fetch a
minute and leave nothing behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from bot.signing_keys import MIN_REFRESH_INTERVAL, SigningKeys

ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300


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
        self.tenant_id = tenant_id
        self.keys = SigningKeys(
            metadata_url,
            "the Bot Framework's",
            http=http,
            min_refresh_interval=min_refresh_interval,
            clock=clock,
        )

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
        jwk = await self.keys.key(str(header["kid"]))
        if jwk is None:
            raise Unauthorized("a signing key we do not know")
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
