"""A fake Azure AD (Microsoft identity platform) on 127.0.0.1, port 0: the OpenID metadata at
``/common/v2.0/.well-known/openid-configuration`` and its JWKS at ``/common/discovery/v2.0/keys``,
counting the requests for each, and ``token()`` minting the access token Teams hands a tab
(getAuthToken), signed with the fake's RSA key, as Azure AD issues it for an app id URI."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.http_server import ThreadedServer

Json = dict[str, Any]
KID = "fake-aad-key-1"

_KEYS: list[rsa.RSAPrivateKey] = []  # a 2048-bit key takes 30 ms to make: made once a process


def _key(n: int) -> rsa.RSAPrivateKey:
    while len(_KEYS) <= n:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEYS[n]


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def v2_issuer(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


def v1_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


class FakeIdentity(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self.metadata_requests = 0
        self.jwks_requests = 0

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/common/v2.0/.well-known/openid-configuration", self._metadata)
        app.router.add_get("/common/discovery/v2.0/keys", self._jwks)
        return app

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/common/v2.0/.well-known/openid-configuration"

    def token(
        self,
        *,
        tenant_id: str,
        object_id: str,
        audience: str,
        issuer: str | None = None,
        expires_in: int = 3600,
        signed_by_unknown_key: bool = False,
    ) -> str:
        """An access token as Azure AD issues it to a tab (v2 by default)."""
        now = int(time.time())
        claims = {
            "aud": audience,
            "iss": issuer if issuer is not None else v2_issuer(tenant_id),
            "iat": now - 60,
            "nbf": now - 60,
            "exp": now + expires_in,
            "tid": tenant_id,
            "oid": object_id,
            "scp": "access_as_user",
            "ver": "2.0",
        }
        # Another key under the same key id: what a forger without Microsoft's key can do.
        private = _key(1) if signed_by_unknown_key else _key(0)
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": KID})

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        return web.json_response(
            {
                "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
                "jwks_uri": f"{self.base_url}/common/discovery/v2.0/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        numbers = _key(0).public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "kid": KID, "n": _b64(numbers.n), "e": _b64(numbers.e)}
        return web.json_response({"keys": [jwk]})
