"""The status page's routes, mounted by bot.server beside /healthz:

- `GET /status/{process_id}?t=…`: the page from a personal link (Slack; bot.web.access);
- `GET /teams/tab` and `GET /teams/tab/config`: the Teams channel tab's shell and its
  configuration page, each a small page that loads @microsoft/teams-js and one script of ours;
- `GET /teams/tab/page?channel=…`: the page for the tab's shell, with Azure AD's token for the
  person as `Authorization: Bearer` (bot.web.tab_auth);
- `GET /static/{name}`: the stylesheet and the scripts.

A refusal (401: no valid link or token; 403: not a member) is a short page in Danish with English
below that says why and nothing of the process. Every page forbids inline scripts and may be
framed by Teams alone; the address can hold a token, so it is never passed on or cached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.settings import Settings
from bot.web.access import LinkAltered, LinkExpired, StatusLinks, may_see, tab_process
from bot.web.tab_auth import TabTokens, TokenRefused
from handlers.context import Deps
from handlers.i18n import N_, Translator

if TYPE_CHECKING:
    from jinja2 import Environment

log = logging.getLogger(__name__)

WEB = Path(__file__).parent
STATIC = WEB / "static"
STYLESHEET = "/static/status.css"
# Teams' hosts, as Microsoft's "Prerequisites" for tabs list them (the web client moves to
# teams.cloud.microsoft); no other site may frame a page.
TEAMS_FRAME_ANCESTORS = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://teams.cloud.microsoft",
)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self' " + " ".join(TEAMS_FRAME_ANCESTORS),
    )
)
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a personal link's token is in the address
    "Cache-Control": "no-store",
}
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}

# --- the refusals --------------------------------------------------------------------------

NO_LINK = (
    N_("The status page needs your personal link"),
    N_("Get it with /samskab status in the process's channel."),
)
NOT_VALID = (
    N_("This link to the status page is not valid"),
    N_(
        "The link has been changed or is incomplete. Get a new one with /samskab status in the "
        "process's channel."
    ),
)
EXPIRED = (
    N_("This link to the status page has expired"),
    N_(
        "A link to the status page works for 30 days. Get a new one with /samskab status in the "
        "process's channel."
    ),
)
NOT_MEMBER = (
    N_("Only the process's members can see this page"),
    N_("If you have left the process or asked Samskab to forget you, your link no longer works."),
)
NOT_SIGNED_IN = (
    N_("Teams did not confirm who you are"),
    N_(
        "Close the tab and open it again. If it keeps happening, ask your IT department to check "
        "Samskab's single sign-on in Teams."
    ),
)
NOT_MEMBER_HERE = (
    N_("Only the process's members can see this page"),
    N_("The tab shows the process in this channel to the process's members."),
)

# --- the Teams tab's shell --------------------------------------------------------------------

WAITING = N_("Fetching the status …")
FAILED = N_("The status could not be shown. Close the tab and open it again.")
NO_SCRIPT = N_("The tab needs JavaScript to get your sign-in from Teams.")
CONFIGURING = N_("This tab shows where the process in this channel stands. Press Save to add it.")
TAB_NAME = N_("Where are we?")

StatusPageHtml = Callable[[Deps, int], str]


def web_routes(settings: Settings, deps: Deps, adapters: Collection[str]) -> list[BaseRoute]:
    """The page's routes for the configured adapters: personal links with Slack, the tab with
    Teams; the static files with either."""
    routes: list[BaseRoute] = [Route("/static/{name}", static_file, methods=["GET"])]
    if "slack" in adapters and settings.slack_signing_secret is not None:
        links = StatusLinks(
            settings.slack_signing_secret.get_secret_value(), deps.clock, settings.public_url
        )
        routes.append(Route("/status/{process_id:int}", _linked_page(deps, links), methods=["GET"]))
    if "teams" in adapters and settings.teams_app_id:
        tokens = TabTokens(
            settings.teams_app_id,
            settings.teams_sso_metadata_url,
            tenant_id=settings.teams_tenant_id,
        )
        routes += _tab_routes(settings, deps, tokens)
    return routes


def _linked_page(deps: Deps, links: StatusLinks) -> Any:
    async def linked_page(request: Request) -> Response:
        token = request.query_params.get("t", "")
        if not token:
            return refusal(401, NO_LINK)
        try:
            visitor = links.read(token)
        except LinkExpired:
            return refusal(401, EXPIRED)
        except LinkAltered:
            return refusal(401, NOT_VALID)
        process_id = int(request.path_params["process_id"])
        if visitor.process_id != process_id:
            return refusal(403, NOT_MEMBER)
        if not await asyncio.to_thread(may_see, deps, visitor.person, process_id):
            return refusal(403, NOT_MEMBER)
        return await _page(deps, process_id, NOT_MEMBER)

    return linked_page


def _tab_routes(settings: Settings, deps: Deps, tokens: TabTokens) -> list[BaseRoute]:
    public_host = urlsplit(settings.public_url).netloc if settings.public_url else ""

    async def tab(request: Request) -> Response:
        return _shell(settings.language, "teams-tab.js", WAITING)

    async def tab_config(request: Request) -> Response:
        return _shell(settings.language, "teams-tab-config.js", CONFIGURING)

    async def tab_page(request: Request) -> Response:
        host = public_host or request.url.netloc
        try:
            person = await tokens.person(request.headers.get("authorization"), host)
        except TokenRefused as refused:
            log.info("refused a Teams tab token: %s", refused)
            return refusal(401, NOT_SIGNED_IN)
        channel = request.query_params.get("channel", "")
        process_id = await asyncio.to_thread(
            tab_process, deps, person.tenant_id, person.object_id, channel
        )
        if process_id is None:
            return refusal(403, NOT_MEMBER_HERE)
        return await _page(deps, process_id, NOT_MEMBER_HERE)

    return [
        Route("/teams/tab", tab, methods=["GET"]),
        Route("/teams/tab/config", tab_config, methods=["GET"]),
        Route("/teams/tab/page", tab_page, methods=["GET"]),
    ]


async def _page(deps: Deps, process_id: int, gone: tuple[str, str]) -> Response:
    from bot.web.page import status_page_html

    try:
        html = await asyncio.to_thread(status_page_html, deps, process_id)
    except LookupError:  # deleted since the check: as for anyone who may not see it
        return refusal(403, gone)
    return Response(html.encode("utf-8"), headers=PAGE_HEADERS)


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = STATIC / name
    kind = STATIC_TYPES.get(path.suffix)
    # Only a file directly in static/, of a kind we serve: no "..", no other folder.
    if kind is None or "/" in name or name.startswith(".") or not path.is_file():
        return Response(status_code=404)
    headers = {
        "Content-Type": kind,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=3600",
    }
    return Response(_read(path), headers=headers)


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


# --- pages ------------------------------------------------------------------------------------


@cache
def _templates() -> Environment:
    # Imported when a page is first shown: a server that shows none keeps its memory.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(["j2"], default_for_string=True),
        undefined=StrictUndefined,
    )


def _render(template: str, **values: Any) -> str:
    return _templates().get_template(template).render(**values)


def refusal(status: int, words: tuple[str, str]) -> Response:
    """A short page in Danish, with English below: why, and nothing of the process."""
    parts = []
    for language in ("da", "en"):
        tr = Translator(language)
        parts.append({"language": language, "title": tr._(words[0]), "text": tr._(words[1])})
    body = _render("access_refused.html.j2", parts=parts, stylesheet=STYLESHEET)
    return Response(body.encode("utf-8"), status_code=status, headers=PAGE_HEADERS)


def _shell(language: str, script: str, waiting: str) -> Response:
    tr = Translator(language)
    body = _render(
        "teams_tab.html.j2",
        language=tr.language,
        stylesheet=STYLESHEET,
        script=script,
        waiting=tr._(waiting),
        failed=tr._(FAILED),
        no_script=tr._(NO_SCRIPT),
        tab_name=tr._(TAB_NAME),
    )
    return Response(body.encode("utf-8"), headers=PAGE_HEADERS)
