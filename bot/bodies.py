"""Reading a request body with a ceiling, so that a client cannot make us hold any amount."""

from __future__ import annotations

from starlette.requests import Request


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
