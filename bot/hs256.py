"""Our own links' tokens: compact JWTs signed with HMAC-SHA256 (RFC 7515 and 7519, alg HS256),
the same bytes PyJWT makes for them, checked as strictly as PyJWT checks them.

Why not PyJWT here: `import jwt` loads `cryptography` whenever it is installed, and that costs a
Slack server about 10 MB for links that need only `hmac` (docs/benchmarks.md, memory at 1000
members). PyJWT stays for what needs it: the Microsoft tokens, signed with RS256 (bot.teams.auth,
bot.web.tab_auth). tests/unit/test_hs256.py checks that each reads the other's tokens.

The caller checks the expiry against its own clock (deps.clock), as it did with PyJWT."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Collection
from typing import Any

_HEADER = {"alg": "HS256", "typ": "JWT"}


class TokenAltered(Exception):
    """Not a token signed with this key, for this audience, with these claims."""


def sign(claims: dict[str, Any], key: bytes) -> str:
    signing_input = _encode_json(_HEADER) + "." + _encode_json(claims)
    return signing_input + "." + _encode(_mac(key, signing_input))


def verify(
    token: str, key: bytes, *, audience: str, required: Collection[str] = ()
) -> dict[str, Any]:
    """The token's claims, or TokenAltered: a header other than HS256's, a signature that is not
    ours, another audience, or a required claim missing."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenAltered("not three parts")
    header_part, claims_part, signature_part = parts
    header = _decode_json(header_part)
    if header.get("alg") != "HS256" or not set(header) <= {"alg", "typ"}:
        raise TokenAltered("not an HS256 token")
    expected = _mac(key, header_part + "." + claims_part)
    if not hmac.compare_digest(expected, _decode(signature_part)):
        raise TokenAltered("signature does not match")
    claims = _decode_json(claims_part)
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise TokenAltered("another audience")
    missing = [name for name in required if name not in claims]
    if missing:
        raise TokenAltered(f"missing claims: {', '.join(missing)}")
    return claims


def _mac(key: bytes, signing_input: str) -> bytes:
    return hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _encode_json(value: dict[str, Any]) -> str:
    return _encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _decode(part: str) -> bytes:
    try:
        # validate=True: a character outside base64url's alphabet is an error, not skipped.
        return base64.b64decode(part + "=" * (-len(part) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise TokenAltered("not base64url") from None


def _decode_json(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decode(part))
    except (UnicodeDecodeError, ValueError):
        raise TokenAltered("not JSON") from None
    if not isinstance(value, dict):
        raise TokenAltered("not a JSON object")
    return value
