"""The edge of our HTTP routes: reading a request body with a ceiling, so that a client cannot
make us hold any amount, and what a route answers a request it will not act on."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True)
class Refusal:
    status: int  # 401 not verified, 400 does not parse, 413 too large, 200 verified but meaningless
    reason: str  # for the log: never the body or anything from it


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than `limit` bytes (by its Content-Length, or once
    that many have arrived)."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # read once: bolt's adapter reads it again through request.body()
    return body
