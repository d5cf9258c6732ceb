"""Teams' registration: the settings it needs, and for `samskab serve` `POST /api/messages`
(activities from the Bot Framework) and `GET /downloads/{token}` (the files Teams cannot take
from a bot, see bot.downloads). Teams' own code is imported when built."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from bot.adapters.contract import Adapter, Mounted

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.teams.messenger import TeamsMessenger
    from handlers.context import Deps

REQUIRED = ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD")
MESSAGES_PATH = "/api/messages"


def build(settings: Settings, deps: Deps) -> Mounted:
    from starlette.routing import Route

    from bot.downloads import DownloadLinks, download_route, remembering_base_url
    from bot.teams.app import build_teams
    from bot.teams.kept import kept_work
    from bot.teams.roster import reconcile_all

    assert settings.teams_app_password is not None
    api_messages, messenger, services = build_teams(settings, deps)
    links = DownloadLinks(
        settings.teams_app_password.get_secret_value(), deps.clock, settings.public_url
    )
    services.downloads = links
    routes = (
        Route(MESSAGES_PATH, remembering_base_url(api_messages), methods=["POST"]),
        download_route(deps, links),
    )

    def on_start(nudge: Callable[[], None]) -> None:
        services.nudge = nudge
        services.inbox.start(kept_work(services))

    return Mounted(
        routes,
        messenger,
        background=services.background,
        on_start=on_start,
        on_stop=services.inbox.stop,
        unfinished=services.inbox.unfinished,
        reconcile_rosters=partial(reconcile_all, services.connector, deps),
    )


def messenger(settings: Settings, deps: Deps) -> TeamsMessenger:
    import httpx

    from bot.teams.app import bot_connector
    from bot.teams.messenger import TeamsMessenger

    return TeamsMessenger(bot_connector(settings, httpx.AsyncClient()), deps.db)


TEAMS = Adapter(
    name="teams", title="Teams", required_settings=REQUIRED, build=build, messenger=messenger
)
