"""The Teams tab's single sign-on: the Azure AD token Teams hands the tab (getAuthToken), which
the tab sends as `Authorization: Bearer`. Checked as Microsoft describes for an API: signed with
a key from the OpenID metadata's JWKS (RS256), issued by Azure AD for the token's own tenant (v1
or v2 issuer), for our app (the app id URI `api://{host}/{app id}` that the manifest's
webApplicationInfo names, or the app id), within its validity (five minutes' skew), with the
person's object id. Which tenant and person may see which page is bot.web.access's question.

The keys are kept by bot.signing_keys, as the Bot Framework's are: for a day, fetched again for a
key id we do not know (a rotated key), but at most once a minute whoever asks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.signing_keys import MIN_REFRESH_INTERVAL, SigningKeys

ISSUERS = ("https://sts.windows.net/{tid}/", "https://login.microsoftonline.com/{tid}/v2.0")
CLOCK_SKEW = 300


class TokenRefused(Exception):
    """Not a token Azure AD issued for this person to our app, now."""


@dataclass(frozen=True)
class TabPerson:
    tenant_id: str
    object_id: str


class TabTokens:
    def __init__(
        self,
        app_id: str,
        metadata_url: str,
        *,
        tenant_id: str | None = None,
        min_refresh_interval: float = MIN_REFRESH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.tenant_id = tenant_id  # a single-tenant bot's, when TEAMS_TENANT_ID says so
        self.keys = SigningKeys(
            metadata_url, "Azure AD's", min_refresh_interval=min_refresh_interval, clock=clock
        )

    def audiences(self, host: str) -> list[str]:
        return [self.app_id, f"api://{host}/{self.app_id}"]

    async def person(self, authorization: str | None, host: str) -> TabPerson:
        """Who the bearer token says is asking; TokenRefused unless every check passes. `host`
        is our address as the tab reached it (the app id URI names it)."""
        if not authorization or not authorization.startswith("Bearer "):
            raise TokenRefused("no bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        # PyJWT loads `cryptography` (about 10 MB): only a server whose tab is opened needs it.
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRefused(f"malformed token: {error}") from None
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise TokenRefused("unexpected token algorithm or no key id")
        jwk = await self.keys.key(str(header["kid"]))
        if jwk is None:
            raise TokenRefused("a signing key we do not know")
        try:
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk).key,
                algorithms=["RS256"],
                audience=self.audiences(host),
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iat", "iss", "aud", "tid", "oid"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(f"token refused: {error}") from None
        tenant, object_id = claims["tid"], claims["oid"]
        if not (isinstance(tenant, str) and tenant and isinstance(object_id, str) and object_id):
            raise TokenRefused("no tenant or object id")
        # Azure AD's issuer names the tenant: a token whose `tid` and issuer disagree is forged.
        if claims["iss"] not in {issuer.format(tid=tenant) for issuer in ISSUERS}:
            raise TokenRefused("not issued by Azure AD for the token's tenant")
        if self.tenant_id and tenant != self.tenant_id:
            raise TokenRefused("a token from another tenant")
        return TabPerson(tenant, object_id)
