"""The ASGI app of `samskab serve`: Slack's events route, the health check, and the delivery
worker running beside them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from bot.slack.app import build_slack_app, slack_client
from bot.slack.inbound import slack_route
from bot.slack.messenger import SlackMessenger
from handlers.context import Deps
from schedules.envelopes import Messenger
from schedules.jobs import Runtime
from schedules.scheduler import Scheduler
from schedules.worker import DeliveryWorker


def build_app(settings: Settings, deps: Deps, *, worker_interval: float = 1.0) -> Starlette:
    routes = []
    messengers: dict[str, Messenger] = {}
    nudgers: list[Any] = []  # adapter services whose `nudge` wakes the delivery worker
    if not settings.missing(("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")):
        client = slack_client(settings)
        slack_app, services = build_slack_app(settings, deps, client)
        handler = AsyncSlackRequestHandler(slack_app)
        secret = settings.slack_signing_secret.get_secret_value()  # type: ignore[union-attr]
        routes.append(Route("/slack/events", slack_route(handler, secret), methods=["POST"]))
        messengers["slack"] = SlackMessenger(client)
        nudgers.append(services)

    if not settings.missing(("TEAMS_APP_ID", "TEAMS_APP_PASSWORD")):
        from bot.downloads import DownloadLinks, download_route, remembering_base_url
        from bot.teams.app import build_teams

        api_messages, teams_messenger, teams_services = build_teams(settings, deps)
        assert settings.teams_app_password is not None
        links = DownloadLinks(
            settings.teams_app_password.get_secret_value(), deps.clock, settings.public_url
        )
        teams_services.downloads = links
        routes.append(Route("/api/messages", remembering_base_url(api_messages), methods=["POST"]))
        routes.append(download_route(deps, links))
        messengers["teams"] = teams_messenger
        nudgers.append(teams_services)

    async def healthz(request: Request) -> Response:
        try:
            with deps.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # the health check reports, it does not crash
            return JSONResponse({"status": "error", "database": str(error)}, status_code=503)
        return JSONResponse({"status": "ok", "adapters": sorted(messengers)})

    routes.append(Route("/healthz", healthz, methods=["GET"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with background(settings, deps, messengers, worker_interval) as worker:
            for services in nudgers:
                services.nudge = worker.nudge
            app.state.worker = worker
            yield

    return Starlette(routes=routes, lifespan=lifespan)


@contextlib.asynccontextmanager
async def background(
    settings: Settings, deps: Deps, messengers: dict[str, Messenger], interval: float = 1.0
) -> AsyncIterator[DeliveryWorker]:
    """The delivery worker, and the scheduler where SAMSKAB_SCHEDULER is on, for as long as the
    server (or Socket Mode) runs."""
    lease = timedelta(seconds=settings.delivery_lease)
    worker = DeliveryWorker(deps.db, messengers, deps.clock, interval=interval, lease=lease)
    task = asyncio.create_task(worker.run())
    scheduler = Scheduler(Runtime(deps, worker.nudge)) if settings.scheduler else None
    try:
        if scheduler is not None:
            await scheduler.start()
        yield worker
    finally:
        if scheduler is not None:
            scheduler.stop()
        worker.stop()
        await task
