"""Slack's registration: the settings it needs, `POST /slack/events` for `samskab serve`, and
Socket Mode (`samskab socket`) as its runner. Slack's own code is imported when built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from bot.adapters.contract import Adapter, Mounted, Runner
from handlers.i18n import N_

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.settings import Settings
    from bot.slack.messenger import SlackMessenger
    from bot.web.access import StatusLinks
    from handlers.context import Deps

REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
EVENTS_PATH = "/slack/events"


def messenger(settings: Settings, deps: Deps) -> SlackMessenger:
    from bot.slack.app import slack_client
    from bot.slack.messenger import SlackMessenger

    return SlackMessenger(slack_client(settings))


def assemble(
    settings: Settings, deps: Deps, links: StatusLinks | None = None
) -> tuple[AsyncApp, Mounted]:
    """The bolt app with our listeners, and Slack's part of the running bot, without a route
    yet: over HTTP the app is served at EVENTS_PATH, in Socket Mode over a WebSocket."""
    import aiohttp

    from bot.slack.app import build_slack_app
    from bot.slack.canvas import canvas_patience, keep_canvases
    from bot.slack.kept import kept_work
    from bot.slack.roster import reconcile_all

    sender = messenger(settings, deps)
    app, services = build_slack_app(settings, deps, sender.client, links)

    def on_start(nudge: Callable[[], None]) -> None:
        services.nudge = nudge
        # One pool of connections for every call to Slack, made once the loop runs: without a
        # session, the SDK opens (and against slack.com handshakes TLS for) a connection per call.
        session = aiohttp.ClientSession()
        sender.client.session = app.client.session = session
        services.inbox.start(kept_work(services, sender.client))

    async def on_closed() -> None:
        session = sender.client.session
        if session is not None:
            await session.close()

    mounted = Mounted(
        (),
        sender,
        background=services.background,
        on_start=on_start,
        on_stop=services.inbox.stop,
        on_closed=on_closed,
        unfinished=services.inbox.unfinished,
        reconcile_rosters=partial(reconcile_all, services.directory, services.rosters, deps),
        keep_canvases=partial(keep_canvases, deps, sender.client, canvas_patience(deps)),
    )
    return app, mounted


def build(settings: Settings, deps: Deps) -> Mounted:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from starlette.routing import Route

    from bot.slack.inbound import slack_route
    from bot.web.access import StatusLinks

    assert settings.slack_signing_secret is not None
    secret = settings.slack_signing_secret.get_secret_value()
    links = StatusLinks(secret, deps.clock, settings.public_url)
    app, mounted = assemble(settings, deps, links)
    # The status page's links point where Slack reaches us, unless SAMSKAB_PUBLIC_URL says.
    endpoint = links.remembering(slack_route(AsyncSlackRequestHandler(app), secret))
    return replace(mounted, routes=(Route(EVENTS_PATH, endpoint, methods=["POST"]),))


async def run_socket_mode(settings: Settings, deps: Deps) -> None:
    from bot.socket_mode import run_socket_mode

    await run_socket_mode(settings, deps)


SLACK = Adapter(
    name="slack",
    title="Slack",
    required_settings=REQUIRED,
    build=build,
    messenger=messenger,
    runner=Runner(
        command="socket",
        help="Slack Socket Mode",
        required_settings=(*REQUIRED, "SLACK_APP_TOKEN"),
        missing_message=N_("samskab socket needs these settings: {names}"),
        run=run_socket_mode,
    ),
)
