"""Signed download links to our own server, and the route that answers them:
`GET /downloads/{token}`.

Teams cannot take a file from a bot in a channel, so the bot offers a link instead. The token is a
JWT (HS256) holding the file's `ref` (what to make again, see handlers.record.downloads), the language
and `exp`, one day after it was made. Its key is derived from TEAMS_APP_PASSWORD (HMAC-SHA256 of a
fixed label), so the password itself never signs anything a browser sees, and changing the
password voids every link. Expiry follows `deps.clock`, as everything else in the bot does.

The link is a bearer credential for that day: whoever has it gets the file. That is why a
person's own data is offered only in their 1:1 chat, and the answers are never cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot import hs256
from handlers.context import Deps
from handlers.i18n import N_, Translator
from handlers.record.downloads import make_again

LIFETIME = timedelta(days=1)
PATH = "/downloads/{token}"
_LABEL = b"samskab download links v1"
_AUDIENCE = "samskab:download"
_NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never pass it on
    "X-Content-Type-Options": "nosniff",
}

# The base URL of the request being handled: where the links point when SAMSKAB_PUBLIC_URL is not
# set (a Teams activity arrives on the address Teams knows us by).
_request_base: ContextVar[str] = ContextVar("samskab_request_base", default="")


class LinkAltered(Exception):
    """Not a token we signed (changed, cut short, or signed with another key)."""


class LinkExpired(Exception):
    """A token we signed whose day is over."""


@dataclass(frozen=True)
class Claims:
    ref: str
    language: str


class DownloadLinks:
    def __init__(
        self, app_password: str, clock: Callable[[], datetime], public_url: str | None = None
    ) -> None:
        self._key = hmac.new(app_password.encode("utf-8"), _LABEL, hashlib.sha256).digest()
        self._clock = clock
        self.public_url = public_url.rstrip("/") if public_url else None

    def url(self, ref: str, language: str) -> str:
        """A link that makes the file `ref` names, valid for a day from now."""
        expires = self._clock() + LIFETIME
        claims = {"ref": ref, "lang": language, "aud": _AUDIENCE, "exp": int(expires.timestamp())}
        token = hs256.sign(claims, self._key)
        base = self.public_url or _request_base.get().rstrip("/")
        return base + PATH.format(token=token)

    def read(self, token: str) -> Claims:
        try:
            # The expiry is checked below, against our clock.
            claims = hs256.verify(
                token, self._key, audience=_AUDIENCE, required=("exp", "aud", "ref", "lang")
            )
        except hs256.TokenAltered as error:
            raise LinkAltered(str(error)) from None
        ref, language, expires = claims["ref"], claims["lang"], claims["exp"]
        if not (isinstance(ref, str) and isinstance(language, str) and isinstance(expires, int)):
            raise LinkAltered("malformed claims")
        if self._clock().timestamp() >= expires:
            raise LinkExpired(ref)
        return Claims(ref, language)


def remembering_base_url(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint`, with the request's base URL at hand for the links made while it runs."""

    async def remembering(request: Request) -> Response:
        token = _request_base.set(str(request.base_url))
        try:
            return await endpoint(request)
        finally:
            _request_base.reset(token)

    return remembering


@contextmanager
def pointing_at(base_url: str) -> Iterator[None]:
    """Links made inside point at `base_url`: the address a request came in on, for its work
    done later from the inbox (bot.teams.kept), where that request is gone."""
    token = _request_base.set(base_url)
    try:
        yield
    finally:
        _request_base.reset(token)


def download_route(deps: Deps, links: DownloadLinks) -> Route:
    async def download(request: Request) -> Response:
        try:
            claims = links.read(request.path_params["token"])
        except LinkExpired:
            return _page(410, EXPIRED)
        except LinkAltered:
            return _page(403, ALTERED)
        attachment = await asyncio.to_thread(make_again, deps, claims.ref, claims.language)
        if attachment is None:
            return _page(404, GONE)
        return Response(
            attachment.content.encode("utf-8"),
            headers={
                "Content-Type": f"{attachment.mime_type}; charset=utf-8",
                "Content-Disposition": _disposition(attachment.filename),
                **_NO_STORE,
            },
        )

    return Route(PATH, download, methods=["GET"])


# --- the pages when there is no file -----------------------------------------------------------

ALTERED = (
    N_("This download link is not valid"),
    N_("The link has been changed or is incomplete. Ask for the file again in the chat."),
)
EXPIRED = (
    N_("This download link has expired"),
    N_("A download link works for 24 hours. Ask for the file again in the chat."),
)
GONE = (
    N_("The file no longer exists"),
    N_("What the link points to has been deleted."),
)


def _page(status: int, words: tuple[str, str]) -> Response:
    """A short page in Danish, with English below."""
    parts = []
    for language in ("da", "en"):
        tr = Translator(language)
        title, text = (html.escape(tr._(w)) for w in words)
        parts.append(f'<section lang="{language}"><h1>{title}</h1><p>{text}</p></section>')
    body = (
        '<!doctype html>\n<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Samskab</title></head><body>{'<hr>'.join(parts)}</body></html>\n"
    )
    headers = {"Content-Type": "text/html; charset=utf-8", **_NO_STORE}
    return Response(body.encode("utf-8"), status_code=status, headers=headers)


def _disposition(filename: str) -> str:
    """`attachment`, with an ASCII name for old clients and the exact name (RFC 6266) for others."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
