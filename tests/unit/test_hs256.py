"""Our HS256 links read as PyJWT reads them, both ways, and refuse what PyJWT refuses."""

from __future__ import annotations

import base64
import json
import warnings

import jwt
import pytest

from bot import hs256

KEY = b"k" * 32
CLAIMS = {"aud": "samskab:status", "exp": 2_000_000_000, "sub": "U1", "pid": 7}


def part(value: object) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_same_token_as_pyjwt_and_each_reads_the_others() -> None:
    ours = hs256.sign(CLAIMS, KEY)
    assert ours == jwt.encode(CLAIMS, KEY, algorithm="HS256")
    assert jwt.decode(ours, KEY, algorithms=["HS256"], audience="samskab:status") == CLAIMS
    theirs = jwt.encode(CLAIMS | {"extra": "æøå"}, KEY, algorithm="HS256")
    assert hs256.verify(theirs, KEY, audience="samskab:status")["extra"] == "æøå"


def test_a_required_claim_and_the_audience_are_checked() -> None:
    token = hs256.sign(CLAIMS, KEY)
    assert hs256.verify(token, KEY, audience="samskab:status", required=("sub", "pid"))
    with pytest.raises(hs256.TokenAltered, match="missing"):
        hs256.verify(token, KEY, audience="samskab:status", required=("ws",))
    with pytest.raises(hs256.TokenAltered, match="audience"):
        hs256.verify(token, KEY, audience="samskab:download")
    listed = hs256.sign(CLAIMS | {"aud": ["x", "samskab:status"]}, KEY)
    assert hs256.verify(listed, KEY, audience="samskab:status")["sub"] == "U1"


def altered_tokens() -> list[str]:
    token = hs256.sign(CLAIMS, KEY)
    header, claims, signature = token.split(".")
    with warnings.catch_warnings():  # PyJWT warns of a short HMAC key for HS512
        warnings.simplefilter("ignore")
        hs512 = jwt.encode(CLAIMS, KEY, algorithm="HS512")
    return [
        hs256.sign(CLAIMS, b"another key"),
        f"{header}.{part(CLAIMS | {'sub': 'U2'})}.{signature}",  # a claim changed
        f"{part({'alg': 'none', 'typ': 'JWT'})}.{claims}.",  # unsigned
        f"{part({'alg': 'none'})}.{claims}.{signature}",
        hs512,  # signed, with another algorithm
        f"{part({'alg': 'HS256', 'crit': ['b64']})}.{claims}.{signature}",
        f"{header}.{claims}.{signature[:-2]}",  # cut short
        f"{header}.{claims}.{signature}!",  # not base64url
        f"{header}.{claims}",
        f"{header}.{claims}.{signature}.x",
        f"{header}.{part([1, 2])}.{signature}",
        "",
        "...",
    ]


@pytest.mark.parametrize("token", altered_tokens())
def test_what_we_did_not_sign_is_refused(token: str) -> None:
    with pytest.raises(hs256.TokenAltered):
        hs256.verify(token, KEY, audience="samskab:status")
